"""Final metrics (one row per seed) and the training history of one network cell."""
from regimes.analysis import network_tables
from regimes.grid import parse_cell_id
from regimes.io import load_npz, write_csv
from regimes.job import start

log = start(snakemake)
w = snakemake.wildcards
dataset, architecture = w.model.split("-")
final, history = network_tables(parse_cell_id(w.cell).as_dict(), load_npz(snakemake.input[0]), dataset, architecture)
write_csv(snakemake.output.final, final.assign(experiment=w.experiment))
write_csv(snakemake.output.history, history.assign(experiment=w.experiment))
