"""Generate one matrix sensing or completion problem (docs/science.md sec. 1.6)."""

from regimes.matrix.problems import make_problem
from regimes.pipeline.io import save_dataset
from regimes.pipeline.job import start

log = start(snakemake)
p = snakemake.params.data
data = make_problem(snakemake.wildcards.task, p["d"], p["rank"], p["n"], int(snakemake.wildcards.seed))
save_dataset(
    snakemake.output[0],
    data,
    {"wildcards": dict(snakemake.wildcards), "params": dict(snakemake.params.items())},
)
log.info("wrote %s", snakemake.output[0])
