"""figures/sample_complexity.pdf from the sample-complexity table."""
import pandas as pd

from regimes.figures.sparse import sample_complexity
from regimes.job import start

start(snakemake)
sample_complexity(pd.read_csv(snakemake.input[0]), snakemake.params.threshold, snakemake.output.pdf)
