"""figures/training_curves.pdf (+ .png) from its tables (regimes.figures.linearisation.training_curves)."""
from regimes.figures.linearisation import training_curves
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
training_curves(read_table(snakemake.input.summary), read_table(snakemake.input.history), snakemake.output.pdf)
