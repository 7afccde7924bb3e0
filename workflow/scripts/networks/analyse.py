"""Final metrics (one row per seed), the training history and the learning-rate search of one batch of network
cells."""

import pandas as pd

from regimes.grid import parse_cell_id
from regimes.networks.analyse import lr_search_table, network_tables
from regimes.pipeline.io import load_cells, stamp, write_csv
from regimes.pipeline.job import start

start(snakemake)
w, p = snakemake.wildcards, snakemake.params
dataset, architecture = w.model.split("-")
trained = load_cells(snakemake.input[0])
cells = {cell: parse_cell_id(cell).as_dict() for cell in trained}
tables = [
    network_tables(cells[c], t, dataset, architecture, p.T, p.until_interpolation, p.train)
    for c, t in trained.items()
]
search = [lr_search_table(cells[c], t, dataset, architecture) for c, t in trained.items()]
for path, frames in (
    (snakemake.output.final, [t[0] for t in tables]),
    (snakemake.output.history, [t[1] for t in tables]),
    (snakemake.output.search, search),
):
    write_csv(path, stamp(pd.concat(frames, ignore_index=True), snakemake.input[0], w.experiment))
