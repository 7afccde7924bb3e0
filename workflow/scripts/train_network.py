"""Train every seed of one network cell with iterative linearisation (relinearise every K steps)."""
import numpy as np

from regimes.grid import parse_cell_id
from regimes.io import load_npz, save_npz
from regimes.job import start
from regimes.provenance import provenance_json
from regimes.train_cells import train_network_cell

log = start(snakemake)
w = snakemake.wildcards
cell = parse_cell_id(w.cell)
centre = snakemake.params.centre
result = train_network_cell(cell, load_npz(snakemake.input[0]), w.architecture, snakemake.params.seeds, snakemake.params.train, centre=centre)
config = {**cell.as_dict(), "dataset": w.dataset, "architecture": w.architecture, "centre_output": centre, "train": snakemake.params.train}
save_npz(snakemake.output[0], **result, provenance=np.asarray(provenance_json(config)))
log.info("final test accuracy %s", result["test_acc"][:, -1])
