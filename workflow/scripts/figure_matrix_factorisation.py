"""figures/matrix_factorisation.pdf: recovery and nuclear norm against alpha, per depth."""
import pandas as pd

from regimes.figures.beyond import matrix_factorisation_figure
from regimes.job import start

start(snakemake)
matrix_factorisation_figure(pd.read_csv(snakemake.input[0]), snakemake.output.pdf)
