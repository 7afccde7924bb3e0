"""figures/phase_alpha_K.pdf (+ .png) from its tables (regimes.figures.linearisation.phase_alpha_K)."""

from regimes.figures.linearisation import phase_alpha_K
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
phase_alpha_K(
    read_table(snakemake.input.diagonal[0]), read_table(snakemake.input.network[0]), snakemake.output.pdf
)
