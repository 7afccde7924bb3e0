"""figures/implicit_norm.pdf (+ .png) from its tables (regimes.figures.diagonal.implicit_norm)."""

from regimes.figures.diagonal import implicit_norm
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
implicit_norm(read_table(snakemake.input[0]), snakemake.output.pdf)
