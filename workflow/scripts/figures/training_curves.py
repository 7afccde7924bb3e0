"""figures/training_curves.pdf (+ .png) from its tables (regimes.figures.linearisation.training_curves)."""

import pandas as pd

from regimes.figures.linearisation import training_curves
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
training_curves(
    pd.concat([read_table(f) for f in snakemake.input.summary]),
    pd.concat([read_table(f) for f in snakemake.input.history]),
    snakemake.output.pdf,
)
