"""Norms, Q_alpha^D, kernel change and the distance to the exact limit of one cell's trained solutions."""
import pandas as pd

from regimes.analysis import analyse_diagonal_cell
from regimes.grid import parse_cell_id
from regimes.io import load_npz, write_csv
from regimes.job import start

log = start(snakemake)
cell = parse_cell_id(snakemake.wildcards.cell)
data = {int(d["seed"]): d for d in map(load_npz, snakemake.input.data)}
table = analyse_diagonal_cell(cell.as_dict(), data, load_npz(snakemake.input.trained), pd.read_csv(snakemake.input.references))
write_csv(snakemake.output[0], table.assign(experiment=snakemake.wildcards.experiment))
