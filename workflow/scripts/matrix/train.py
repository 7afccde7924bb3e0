"""Train every (cell, seed) of one batch of factorised-matrix cells as one tensor program."""

import numpy as np

from regimes.grid import parse_cell_id
from regimes.matrix.train import train_matrix_batch
from regimes.pipeline.io import load_npz, save_cells
from regimes.pipeline.job import start
from regimes.pipeline.provenance import provenance_json

log = start(snakemake)
w, p = snakemake.wildcards, snakemake.params
cells = [parse_cell_id(c) for c in p.cells]
datasets = [load_npz(path) for path in snakemake.input]
results = train_matrix_batch(
    cells, datasets, p.train, init=p.init, label=f"{w.task} {w.batch}", limit=p.limit
)
for cell_id, r in results.items():
    log.info(
        "%s: steps %s, converged %s, final loss %s, %.1f s",
        cell_id,
        r["steps"],
        r["converged"],
        r["train_loss"],
        float(r["seconds"]),
    )
config = {
    "cells": [c.as_dict() for c in cells],
    "task": w.task,
    "init": p.init,
    "limit": p.limit,
    "train": p.train,
}
save_cells(snakemake.output[0], results, provenance=np.asarray(provenance_json(config)))
