"""figures/width.pdf (+ .png) from its tables (regimes.figures.matrix.width_figure)."""

from regimes.figures.matrix import width_figure
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
commuting = [read_table(path) for path in snakemake.input.commuting]
width_figure(
    read_table(snakemake.input.width[0]), snakemake.output.pdf, commuting=commuting[0] if commuting else None
)
