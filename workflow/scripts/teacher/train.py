"""Train the ReLU students of one batch of cells (one depth) on every seed's teacher data, as one stack."""

import numpy as np

from regimes.grid import parse_cell_id
from regimes.networks.teacher import train_teacher_batch
from regimes.pipeline.io import load_npz, save_cells
from regimes.pipeline.job import start
from regimes.pipeline.provenance import provenance_json

start(snakemake)
p = snakemake.params
cells = [parse_cell_id(c) for c in p.cells]
datasets = [load_npz(path) for path in snakemake.input]
results = train_teacher_batch(cells, datasets, p.train, centre=p.centre, label=snakemake.wildcards.batch)
config = {"cells": [c.as_dict() for c in cells], "centre_output": p.centre, "train": p.train}
save_cells(snakemake.output[0], results, provenance=np.asarray(provenance_json(config)))
