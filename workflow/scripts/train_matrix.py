"""Train every seed of one factorised-matrix cell (seeds batched in one tensor program)."""
import numpy as np

from regimes.grid import parse_cell_id
from regimes.io import load_npz, save_npz
from regimes.job import start
from regimes.provenance import provenance_json
from regimes.train_cells import train_matrix_cell

log = start(snakemake)
cell = parse_cell_id(snakemake.wildcards.cell)
datasets = [load_npz(path) for path in snakemake.input]
p = snakemake.params
result = train_matrix_cell(cell, datasets, p.train, init=p.init, label=f"{snakemake.wildcards.task} {cell.id}")
log.info("steps %s, converged %s, final loss %s, %.1f s", result["steps"], result["converged"], result["train_loss"], float(result["seconds"]))
config = {**cell.as_dict(), "task": snakemake.wildcards.task, "init": p.init, "train": p.train}
save_npz(snakemake.output[0], **result, provenance=np.asarray(provenance_json(config)))
