"""figures/univariate_balance.pdf (+ .png) from its tables
(regimes.figures.nonlinear.univariate_balance_figure)."""

from pathlib import Path

from regimes.figures.nonlinear import univariate_balance_figure
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
names = [Path(path).parent.name for path in snakemake.input.summaries]  # results/<experiment>/summary.csv
summaries = [read_table(path) for path in snakemake.input.summaries]
curves = [read_table(path) for path in snakemake.input.curves]
univariate_balance_figure(summaries, curves, names, snakemake.output.pdf)
