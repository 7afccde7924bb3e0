"""figures/sample_complexity.pdf (+ .png) from its tables (regimes.figures.diagonal.sample_complexity)."""

from regimes.figures.diagonal import sample_complexity
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
sample_complexity(read_table(snakemake.input[0]), snakemake.output.pdf)
