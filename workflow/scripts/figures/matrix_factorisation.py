"""figures/matrix_factorisation.pdf (+ .png) from its tables
(regimes.figures.matrix.matrix_factorisation_figure)."""

from regimes.figures.matrix import matrix_factorisation_figure
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
matrix_factorisation_figure(read_table(snakemake.input[0]), snakemake.output.pdf)
