"""figures/gauss_newton.pdf (+ .png) from its tables (regimes.figures.linearisation.gauss_newton)."""

from regimes.figures.linearisation import gauss_newton
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
gauss_newton(
    read_table(snakemake.input.summary[0]), read_table(snakemake.input.rounds[0]), snakemake.output.pdf
)
