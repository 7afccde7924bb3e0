"""Test loss and tangent-kernel change of one batch of cells of ReLU students."""

import pandas as pd

from regimes.grid import parse_cell_id
from regimes.networks.analyse import analyse_teacher_cell
from regimes.pipeline.io import load_cells, load_npz, stamp, write_csv
from regimes.pipeline.job import start

start(snakemake)
data = {int(d["seed"]): d for d in map(load_npz, snakemake.input.data)}
tol = snakemake.params.train["plateau_tol"]
tables = [
    analyse_teacher_cell(parse_cell_id(cell).as_dict(), data, trained, plateau_tol=tol)
    for cell, trained in load_cells(snakemake.input.trained).items()
]
write_csv(
    snakemake.output[0],
    stamp(pd.concat(tables, ignore_index=True), snakemake.input.trained, snakemake.wildcards.experiment),
)
