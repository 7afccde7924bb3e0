"""figures/kernel_change.pdf (+ .png) from its tables (regimes.figures.linearisation.kernel_change)."""

import pandas as pd

from regimes.figures.linearisation import kernel_change
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
kernel_change(
    pd.concat([read_table(f) for f in snakemake.input.summary]),
    pd.concat([read_table(f) for f in snakemake.input.history]),
    snakemake.output.pdf,
)
