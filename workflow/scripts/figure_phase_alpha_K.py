"""figures/phase_alpha_K.pdf: the (alpha, K) plane for the diagonal model and a network."""
import pandas as pd

from regimes.figures.linearised import phase_alpha_K
from regimes.job import start

start(snakemake)
phase_alpha_K(pd.read_csv(snakemake.input.diagonal), pd.read_csv(snakemake.input.network), snakemake.output.pdf)
