"""Min-nuclear-norm and min-Frobenius interpolants of every problem: the rich and kernel ends."""

import pandas as pd

from regimes.matrix.analyse import matrix_references
from regimes.pipeline.io import load_npz, write_csv
from regimes.pipeline.job import start

log = start(snakemake)
table = pd.DataFrame([matrix_references(load_npz(path)) for path in snakemake.input])
write_csv(snakemake.output[0], table)
log.info("largest certified duality gap of the nuclear-norm solves: %.2e", table["min_nuclear_gap"].max())
