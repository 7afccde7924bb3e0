"""Train the centred univariate network of one batch of cells on every seed's points, as one stack; keep its
kernel limit."""

import numpy as np

from regimes.grid import parse_cell_id
from regimes.networks.univariate import train_univariate_batch
from regimes.pipeline.io import load_npz, save_cells
from regimes.pipeline.job import start
from regimes.pipeline.provenance import provenance_json

start(snakemake)
p = snakemake.params
cells = [parse_cell_id(c) for c in p.cells]
datasets = [load_npz(path) for path in snakemake.input]
results = train_univariate_batch(cells, datasets, p.train, balance=p.balance, label=snakemake.wildcards.batch)
config = {"cells": [c.as_dict() for c in cells], "balance": p.balance, "train": p.train}
save_cells(snakemake.output[0], results, provenance=np.asarray(provenance_json(config)))
