"""Generate one data set of the small non-linear experiments: teacher on the circle, or points on a line."""
from regimes.io import save_npz
from regimes.job import start
from regimes.data import circle_teacher, univariate_points

log = start(snakemake)
p = snakemake.params.data
seed, n = int(snakemake.wildcards.seed), int(snakemake.wildcards.n)
if snakemake.wildcards.experiment == "univariate":
    data = univariate_points(n, seed)
else:
    data = circle_teacher(n, p["n_test"], p["teacher_width"], seed)
save_npz(snakemake.output[0], **data)
log.info("wrote %s", snakemake.output[0])
