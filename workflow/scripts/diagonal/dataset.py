"""Generate one sparse-regression data set (docs/science.md sec. 1.4)."""

from regimes.diagonal.data import sparse_regression
from regimes.pipeline.io import save_dataset
from regimes.pipeline.job import start

log = start(snakemake)
p = snakemake.params.data
data = sparse_regression(
    int(snakemake.wildcards.seed), int(snakemake.wildcards.n), p["d"], p["sparsity"], p["noise"], p["n_test"]
)
save_dataset(
    snakemake.output[0],
    data,
    {"wildcards": dict(snakemake.wildcards), "params": dict(snakemake.params.items())},
)
log.info("wrote %s", snakemake.output[0])
