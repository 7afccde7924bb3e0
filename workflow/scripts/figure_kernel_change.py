"""figures/kernel_change.pdf from the linearised experiment's tables."""
import pandas as pd

from regimes.figures.linearised import kernel_change
from regimes.job import start

start(snakemake)
kernel_change(pd.read_csv(snakemake.input.summary), pd.read_csv(snakemake.input.history), snakemake.params.steps, snakemake.output.pdf)
