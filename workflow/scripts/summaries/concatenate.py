"""Stack per-batch tables into one."""

import pandas as pd

from regimes.pipeline.io import read_table, write_csv
from regimes.pipeline.job import start

start(snakemake)
write_csv(snakemake.output[0], pd.concat([read_table(p) for p in snakemake.input], ignore_index=True))
