"""Distances to the linear and cubic splines, and the functions themselves, for one batch of univariate
cells."""

import pandas as pd

from regimes.grid import parse_cell_id
from regimes.networks.analyse import analyse_univariate_cell, univariate_curves
from regimes.pipeline.io import load_cells, load_npz, stamp, write_csv
from regimes.pipeline.job import start

start(snakemake)
data = {int(d["seed"]): d for d in map(load_npz, snakemake.input.data)}
experiment = snakemake.wildcards.experiment
rule = {
    "plateau_tol": snakemake.params.train["plateau_tol"],
    "plateau_loss": snakemake.params.train["plateau_loss"],
}
finals, curves = [], []
for cell_id, trained in load_cells(snakemake.input.trained).items():
    cell = parse_cell_id(cell_id).as_dict()
    finals.append(analyse_univariate_cell(cell, data, trained, **rule))
    curves.append(univariate_curves(cell, data, trained, **rule))
write_csv(
    snakemake.output.final, stamp(pd.concat(finals, ignore_index=True), snakemake.input.trained, experiment)
)
write_csv(
    snakemake.output.curves, stamp(pd.concat(curves, ignore_index=True), snakemake.input.trained, experiment)
)
