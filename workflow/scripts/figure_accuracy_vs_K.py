"""figures/accuracy_vs_K.pdf from the linearised experiment's tables."""
import pandas as pd

from regimes.figures.linearised import accuracy_vs_K
from regimes.job import start

start(snakemake)
accuracy_vs_K(pd.read_csv(snakemake.input.summary), pd.read_csv(snakemake.input.history), snakemake.params.steps, snakemake.output.pdf)
