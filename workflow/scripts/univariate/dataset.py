"""Generate one data set of the univariate network: points on a line (random, or the paper's plateau)."""

from regimes.networks.data import univariate_points
from regimes.pipeline.io import save_dataset
from regimes.pipeline.job import start

log = start(snakemake)
data = univariate_points(
    int(snakemake.wildcards.n), int(snakemake.wildcards.seed), snakemake.params.data.get("points", "random")
)
save_dataset(
    snakemake.output[0],
    data,
    {"wildcards": dict(snakemake.wildcards), "params": dict(snakemake.params.items())},
)
log.info("wrote %s", snakemake.output[0])
