"""figures/<experiment>.pdf (+ .png): a user's experiment drawn by its family's generic figure
(regimes.figures.GENERIC) from its own tables."""

from regimes.figures import linearisation
from regimes.pipeline.io import read_table
from regimes.pipeline.job import start

start(snakemake)
getattr(linearisation, snakemake.params.draw)(
    read_table(snakemake.input.summary), read_table(snakemake.input.history), snakemake.output.pdf
)
