"""Test loss and tangent-kernel change of one cell of ReLU students."""
from regimes.analysis_beyond import analyse_teacher_cell
from regimes.grid import parse_cell_id
from regimes.io import load_npz, write_csv
from regimes.job import start

start(snakemake)
data = {int(d["seed"]): d for d in map(load_npz, snakemake.input.data)}
table = analyse_teacher_cell(parse_cell_id(snakemake.wildcards.cell).as_dict(), data, load_npz(snakemake.input.trained))
write_csv(snakemake.output[0], table.assign(experiment=snakemake.wildcards.experiment))
