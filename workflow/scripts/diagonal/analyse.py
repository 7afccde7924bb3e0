"""Norms, Q_alpha^D, kernel change and the distance to the exact limit of one batch's trained solutions."""

import pandas as pd

from regimes.diagonal.analyse import analyse_diagonal_cell
from regimes.grid import parse_cell_id
from regimes.pipeline.io import load_cells, load_npz, read_table, stamp, write_csv
from regimes.pipeline.job import start

start(snakemake)
data = {int(d["seed"]): d for d in map(load_npz, snakemake.input.data)}
references = read_table(snakemake.input.references)
tables = [
    analyse_diagonal_cell(parse_cell_id(cell).as_dict(), data, trained, references)
    for cell, trained in load_cells(snakemake.input.trained).items()
]
write_csv(
    snakemake.output[0],
    stamp(pd.concat(tables, ignore_index=True), snakemake.input.trained, snakemake.wildcards.experiment),
)
