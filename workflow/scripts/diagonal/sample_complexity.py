"""Errors of the exact gradient-flow limit over (n, depth, alpha), for the sample-complexity figure."""

import pandas as pd

from regimes.diagonal.analyse import sample_complexity_table
from regimes.pipeline.io import load_npz, write_csv
from regimes.pipeline.job import start

log = start(snakemake)
s = snakemake.params.settings
tables = []
for path in snakemake.input:
    tables.append(
        sample_complexity_table(
            load_npz(path), s["n"], s["alpha"], s["depth"], s["threshold"], s.get("alpha_D_floor")
        )
    )
    log.info("done %s", path)
write_csv(snakemake.output[0], pd.concat(tables, ignore_index=True))
