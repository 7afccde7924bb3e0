"""figures/implicit_norm.pdf from the summary table."""
import pandas as pd

from regimes.figures.sparse import implicit_norm
from regimes.job import start

start(snakemake)
implicit_norm(pd.read_csv(snakemake.input[0]), snakemake.output.pdf)
