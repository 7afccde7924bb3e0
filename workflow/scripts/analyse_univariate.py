"""Distances to the linear and cubic splines, and the functions themselves, for one univariate cell."""
from regimes.analysis_beyond import analyse_univariate_cell, univariate_curves
from regimes.grid import parse_cell_id
from regimes.io import load_npz, write_csv
from regimes.job import start

start(snakemake)
cell = parse_cell_id(snakemake.wildcards.cell).as_dict()
data = {int(d["seed"]): d for d in map(load_npz, snakemake.input.data)}
trained = load_npz(snakemake.input.trained)
experiment = snakemake.wildcards.experiment
write_csv(snakemake.output.final, analyse_univariate_cell(cell, data, trained).assign(experiment=experiment))
write_csv(snakemake.output.curves, univariate_curves(cell, data, trained).assign(experiment=experiment))
