"""Iterative linearisation and damped Gauss-Newton, round by round, for every cell and seed of one batch."""

import numpy as np

from regimes.grid import parse_cell_id
from regimes.networks.gauss_newton import gauss_newton_cell
from regimes.pipeline.io import load_npz, save_cells
from regimes.pipeline.job import start
from regimes.pipeline.provenance import provenance_json

log = start(snakemake)
w, p = snakemake.wildcards, snakemake.params
cells = [parse_cell_id(c) for c in p.cells]
data = load_npz(snakemake.input[0])
results = {cell.id: gauss_newton_cell(cell, data, w.architecture, p.seeds, p.train) for cell in cells}
config = {
    "cells": [c.as_dict() for c in cells],
    "dataset": w.dataset,
    "architecture": w.architecture,
    "train": p.train,
}
save_cells(snakemake.output[0], results, provenance=np.asarray(provenance_json(config)))
