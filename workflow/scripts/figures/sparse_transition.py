"""figures/sparse_transition.pdf (+ .png) from its tables (regimes.figures.diagonal.sparse_transition)."""

from regimes.figures.diagonal import sparse_transition
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
sparse_transition(read_table(snakemake.input[0]), snakemake.output.pdf)
