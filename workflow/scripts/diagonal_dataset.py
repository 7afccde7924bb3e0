"""Generate one sparse-regression data set (SPEC 1.4)."""
from regimes.data import sparse_regression
from regimes.io import save_npz
from regimes.job import start

log = start(snakemake)
p = snakemake.params.data
data = sparse_regression(int(snakemake.wildcards.seed), int(snakemake.wildcards.n), p["d"], p["sparsity"], p["noise"], p["n_test"])
save_npz(snakemake.output[0], **data)
log.info("wrote %s", snakemake.output[0])
