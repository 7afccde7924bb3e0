"""Train every seed of one cell of the diagonal model (seeds vectorised in one tensor program)."""
import numpy as np

from regimes.grid import parse_cell_id
from regimes.io import load_npz, save_npz
from regimes.job import start
from regimes.provenance import provenance_json
from regimes.train_cells import train_diagonal_cell

log = start(snakemake)
cell = parse_cell_id(snakemake.wildcards.cell)
datasets = [load_npz(path) for path in snakemake.input]
result = train_diagonal_cell(cell, datasets, snakemake.params.train, label=cell.id)
log.info("steps %s, converged %s, final loss %s, %.1f s", result["steps"], result["converged"], result["train_loss"], float(result["seconds"]))
save_npz(snakemake.output[0], **result, provenance=np.asarray(provenance_json({**cell.as_dict(), "train": snakemake.params.train})))
