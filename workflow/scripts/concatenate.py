"""Stack per-cell tables into one."""
import pandas as pd

from regimes.io import write_csv
from regimes.job import start

start(snakemake)
write_csv(snakemake.output[0], pd.concat([pd.read_csv(p) for p in snakemake.input], ignore_index=True))
