"""figures/nonlinear_transition.pdf: ReLU networks between the regimes (teacher, data sets, univariate)."""
import pandas as pd

from regimes.figures.beyond import nonlinear_transition_figure
from regimes.job import start

start(snakemake)
i = snakemake.input
nonlinear_transition_figure(pd.read_csv(i.networks), pd.read_csv(i.teacher), pd.read_csv(i.univariate), pd.read_csv(i.curves), snakemake.output.pdf)
