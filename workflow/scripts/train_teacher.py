"""Train the ReLU students of one cell on every seed's teacher data."""
import numpy as np

from regimes.grid import parse_cell_id
from regimes.io import load_npz, save_npz
from regimes.job import start
from regimes.provenance import provenance_json
from regimes.train_cells import train_teacher_cell

log = start(snakemake)
cell = parse_cell_id(snakemake.wildcards.cell)
p = snakemake.params
result = train_teacher_cell(cell, [load_npz(path) for path in snakemake.input], p.train, centre=p.centre, label=cell.id)
config = {**cell.as_dict(), "centre_output": p.centre, "train": p.train}
save_npz(snakemake.output[0], **result, provenance=np.asarray(provenance_json(config)))
