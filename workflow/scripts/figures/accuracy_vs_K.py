"""figures/accuracy_vs_K.pdf (+ .png) from its tables (regimes.figures.linearisation.accuracy_vs_K)."""
from regimes.figures.linearisation import accuracy_vs_K
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
accuracy_vs_K(read_table(snakemake.input.summary), read_table(snakemake.input.history), snakemake.output.pdf)
