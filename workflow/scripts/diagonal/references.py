"""Min-l1 and min-l2 interpolants of every data set: the rich and kernel ends."""

import pandas as pd

from regimes.diagonal.analyse import references
from regimes.pipeline.io import load_npz, write_csv
from regimes.pipeline.job import start

log = start(snakemake)
write_csv(snakemake.output[0], pd.DataFrame([references(load_npz(path)) for path in snakemake.input]))
