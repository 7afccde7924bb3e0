"""Recovery, norms and movement of unobserved entries for one batch of factorised-matrix cells."""

import pandas as pd

from regimes.grid import parse_cell_id
from regimes.matrix.analyse import analyse_matrix_cell
from regimes.pipeline.io import load_cells, load_npz, read_table, stamp, write_csv
from regimes.pipeline.job import start

start(snakemake)
w = snakemake.wildcards
data = {int(d["seed"]): d for d in map(load_npz, snakemake.input.data)}
references = read_table(snakemake.input.references)
tables = [
    analyse_matrix_cell(parse_cell_id(cell).as_dict(), w.task, data, trained, references)
    for cell, trained in load_cells(snakemake.input.trained).items()
]
write_csv(
    snakemake.output[0], stamp(pd.concat(tables, ignore_index=True), snakemake.input.trained, w.experiment)
)
