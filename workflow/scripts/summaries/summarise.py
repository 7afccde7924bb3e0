"""One row per (cell, seed): results/<experiment>/summary.csv, with its provenance; refused unless the
analysis tables hold exactly the config's grid x seeds."""

import pandas as pd

from regimes.pipeline.io import read_table, write_csv, write_json
from regimes.pipeline.job import start
from regimes.pipeline.provenance import git_commit, provenance
from regimes.results import check_complete, check_readable, check_types

log = start(snakemake)
frames = {}
for path in snakemake.input:
    frames[path] = read_table(path)
    check_readable(frames[path], path)
check_types(frames)
table = pd.concat(frames.values(), ignore_index=True)
check_complete(table, snakemake.params.config, snakemake.wildcards.experiment)
if "git_commit" not in table:  # tables of an older layout
    table["git_commit"] = git_commit()
first = ["experiment", "alpha", "depth", "width", "K", "seed"]
table = table[first + [c for c in table.columns if c not in first]]
write_csv(snakemake.output.summary, table)
write_json(snakemake.output.provenance, provenance(snakemake.params.config))
log.info("%d rows", len(table))
