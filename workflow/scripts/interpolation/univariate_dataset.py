"""Generate one data set of the univariate network: a handful of points on a line."""
from regimes.networks.data import univariate_points
from regimes.pipeline.io import save_npz
from regimes.pipeline.job import start

log = start(snakemake)
data = univariate_points(int(snakemake.wildcards.n), int(snakemake.wildcards.seed))
save_npz(snakemake.output[0], **data)
log.info("wrote %s", snakemake.output[0])
