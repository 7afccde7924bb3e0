"""Generate one matrix sensing or completion problem (SPEC 1.6)."""
from regimes.io import save_npz
from regimes.job import start
from regimes.matrix_problems import make_problem

log = start(snakemake)
p = snakemake.params.data
data = make_problem(snakemake.wildcards.task, p["d"], p["rank"], p["n"], int(snakemake.wildcards.seed))
save_npz(snakemake.output[0], **data)
log.info("wrote %s", snakemake.output[0])
