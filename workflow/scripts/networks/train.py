"""Train one batch of network cells (every seed, K and learning rate) as one ensemble, re-linearised every K
steps."""

import numpy as np

from regimes.grid import parse_cell_id
from regimes.networks.train import train_network_batch
from regimes.pipeline.io import load_npz, save_cells
from regimes.pipeline.job import start
from regimes.pipeline.provenance import provenance_json

log = start(snakemake)
w, p = snakemake.wildcards, snakemake.params
cells = [parse_cell_id(c) for c in p.cells]
data = load_npz(snakemake.input[0])
results = train_network_batch(
    cells,
    data,
    w.architecture,
    p.seeds,
    p.train,
    centre=p.centre,
    device=p.device,
    label=f"{w.experiment} {w.dataset}-{w.architecture}",
)
config = {
    "cells": [c.as_dict() for c in cells],
    "dataset": w.dataset,
    "architecture": w.architecture,
    "centre_output": p.centre,
    "device": p.device,
    "train": p.train,
}
save_cells(snakemake.output[0], results, provenance=np.asarray(provenance_json(config)))
