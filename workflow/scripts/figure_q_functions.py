"""figures/q_functions.pdf: the shape of the implicit norm (no training needed)."""
from regimes.figures.sparse import q_functions
from regimes.job import start

start(snakemake)
q_functions(snakemake.output.pdf)
