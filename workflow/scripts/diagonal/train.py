"""Train one batch of cells of the diagonal model: its alphas times every seed in one tensor program."""

import numpy as np

from regimes.diagonal.train import train_diagonal_cells
from regimes.grid import parse_cell_id
from regimes.pipeline.io import load_npz, save_cells
from regimes.pipeline.job import start
from regimes.pipeline.provenance import provenance_json

log = start(snakemake)
cells = [parse_cell_id(c) for c in snakemake.params.cells]
datasets = [load_npz(path) for path in snakemake.input]
results = train_diagonal_cells(cells, datasets, snakemake.params.train, label=snakemake.wildcards.batch)
for cell in cells:
    r = results[cell.id]
    log.info(
        "%s: steps %s, converged %s, final loss %s", cell.id, r["steps"], r["converged"], r["train_loss"]
    )
config = {"cells": [c.as_dict() for c in cells], "train": snakemake.params.train}
save_cells(snakemake.output[0], results, provenance=np.asarray(provenance_json(config)))
