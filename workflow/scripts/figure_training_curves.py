"""figures/training_curves.pdf from the linearised experiment's tables."""
import pandas as pd

from regimes.figures.linearised import training_curves
from regimes.job import start

start(snakemake)
training_curves(pd.read_csv(snakemake.input.summary), pd.read_csv(snakemake.input.history), snakemake.params.steps, snakemake.output.pdf)
