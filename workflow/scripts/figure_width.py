"""figures/width.pdf: the (alpha^2, k) plane of matrix completion with U V^T."""
import pandas as pd

from regimes.figures.beyond import width_figure
from regimes.job import start

start(snakemake)
width_figure(pd.read_csv(snakemake.input[0]), snakemake.output.pdf)
