"""figures/q_functions.pdf (+ .png) from its tables (regimes.figures.diagonal.q_functions)."""

from regimes.figures.diagonal import q_functions
from regimes.pipeline.job import start

start(snakemake)
q_functions(snakemake.output.pdf)
