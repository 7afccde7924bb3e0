"""Recovery, norms and movement of unobserved entries for one factorised-matrix cell."""
import pandas as pd

from regimes.analysis_beyond import analyse_matrix_cell
from regimes.grid import parse_cell_id
from regimes.io import load_npz, write_csv
from regimes.job import start

start(snakemake)
w = snakemake.wildcards
data = {int(d["seed"]): d for d in map(load_npz, snakemake.input.data)}
table = analyse_matrix_cell(parse_cell_id(w.cell).as_dict(), w.task, data, load_npz(snakemake.input.trained), pd.read_csv(snakemake.input.references))
write_csv(snakemake.output[0], table.assign(experiment=w.experiment))
