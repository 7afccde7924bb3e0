"""figures/nonlinear_transition.pdf (+ .png) from its tables (regimes.figures.nonlinear.nonlinear_transition_figure)."""
from regimes.figures.nonlinear import nonlinear_transition_figure
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
i = snakemake.input
nonlinear_transition_figure(*(read_table(p) for p in (i.networks, i.teacher, i.univariate, i.curves)), snakemake.output.pdf)
