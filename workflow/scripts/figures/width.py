"""figures/width.pdf (+ .png) from its tables (regimes.figures.matrix.width_figure)."""
from regimes.figures.matrix import width_figure
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
width_figure(read_table(snakemake.input[0]), snakemake.output.pdf)
