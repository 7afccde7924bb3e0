"""figures/kernel_change.pdf (+ .png) from its tables (regimes.figures.linearisation.kernel_change)."""
from regimes.figures.linearisation import kernel_change
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
kernel_change(read_table(snakemake.input.summary), read_table(snakemake.input.history), snakemake.output.pdf)
