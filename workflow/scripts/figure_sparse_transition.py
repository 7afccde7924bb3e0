"""figures/sparse_transition.pdf from the summary table."""
import pandas as pd

from regimes.figures.sparse import sparse_transition
from regimes.job import start

start(snakemake)
sparse_transition(pd.read_csv(snakemake.input[0]), snakemake.output.pdf)
