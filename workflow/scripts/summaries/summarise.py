"""One row per (cell, seed): results/<experiment>/summary.csv, with its provenance."""
import pandas as pd

from regimes.pipeline.io import read_table, write_csv, write_json
from regimes.pipeline.job import start
from regimes.pipeline.provenance import git_commit, provenance

log = start(snakemake)
table = pd.concat([read_table(path) for path in snakemake.input], ignore_index=True)
table["git_commit"] = git_commit()
first = ["experiment", "alpha", "depth", "width", "K", "seed"]
table = table[first + [c for c in table.columns if c not in first]]
write_csv(snakemake.output.summary, table)
write_json(snakemake.output.provenance, provenance(snakemake.params.config))
log.info("%d rows", len(table))
