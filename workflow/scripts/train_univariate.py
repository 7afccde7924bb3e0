"""Train the centred univariate network of one cell on every seed's points; keep its kernel limit."""
import numpy as np

from regimes.grid import parse_cell_id
from regimes.io import load_npz, save_npz
from regimes.job import start
from regimes.provenance import provenance_json
from regimes.train_cells import train_univariate_cell

log = start(snakemake)
cell = parse_cell_id(snakemake.wildcards.cell)
result = train_univariate_cell(cell, [load_npz(path) for path in snakemake.input], snakemake.params.train, label=cell.id)
config = {**cell.as_dict(), "train": snakemake.params.train}
save_npz(snakemake.output[0], **result, provenance=np.asarray(provenance_json(config)))
