"""Final metrics (one row per seed) and the rounds of one batch of Gauss-Newton cells."""

import pandas as pd

from regimes.grid import parse_cell_id
from regimes.networks.analyse import gauss_newton_tables
from regimes.pipeline.io import load_cells, stamp, write_csv
from regimes.pipeline.job import start

start(snakemake)
w = snakemake.wildcards
dataset, architecture = w.model.split("-")
tables = [
    gauss_newton_tables(parse_cell_id(c).as_dict(), t, dataset, architecture)
    for c, t in load_cells(snakemake.input[0]).items()
]
write_csv(
    snakemake.output.final,
    stamp(pd.concat([t[0] for t in tables], ignore_index=True), snakemake.input[0], w.experiment),
)
write_csv(
    snakemake.output.history,
    stamp(pd.concat([t[1] for t in tables], ignore_index=True), snakemake.input[0], w.experiment),
)
