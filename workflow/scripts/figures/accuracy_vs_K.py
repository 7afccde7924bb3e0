"""figures/accuracy_vs_K.pdf (+ .png) from its tables (regimes.figures.linearisation.accuracy_vs_K)."""

import pandas as pd

from regimes.figures.linearisation import accuracy_vs_K
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
accuracy_vs_K(
    pd.concat([read_table(f) for f in snakemake.input.summary]),
    pd.concat([read_table(f) for f in snakemake.input.history]),
    snakemake.output.pdf,
)
