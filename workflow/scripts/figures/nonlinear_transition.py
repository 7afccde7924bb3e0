"""figures/nonlinear_transition.pdf (+ .png) from its tables
(regimes.figures.nonlinear.nonlinear_transition_figure)."""

import pandas as pd

from regimes.figures.nonlinear import nonlinear_transition_figure
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
i = snakemake.input
# nonlinear, and nonlinear_cifar where the config has it
networks = pd.concat([read_table(p) for p in i.networks])
centred = [read_table(p) for p in i.centred]  # nonlinear_teacher_centred where the config has it
nonlinear_transition_figure(
    networks,
    *(read_table(p[0]) for p in (i.teacher, i.univariate, i.curves)),
    snakemake.output.pdf,
    centred=centred[0] if centred else None,
)
