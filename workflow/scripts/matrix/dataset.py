"""Generate one matrix sensing or completion problem (docs/science.md sec. 1.6)."""
from regimes.matrix.problems import make_problem
from regimes.pipeline.io import save_npz
from regimes.pipeline.job import start

log = start(snakemake)
p = snakemake.params.data
data = make_problem(snakemake.wildcards.task, p["d"], p["rank"], p["n"], int(snakemake.wildcards.seed))
save_npz(snakemake.output[0], **data)
log.info("wrote %s", snakemake.output[0])
