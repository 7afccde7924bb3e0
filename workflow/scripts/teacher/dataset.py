"""Generate one data set of the circle teacher: points on the unit circle labelled by a ReLU teacher."""

from regimes.networks.data import circle_teacher
from regimes.pipeline.io import save_dataset
from regimes.pipeline.job import start

log = start(snakemake)
p = snakemake.params.data
data = circle_teacher(
    int(snakemake.wildcards.n),
    p["n_test"],
    p["teacher_width"],
    int(snakemake.wildcards.seed),
    label_rms=p["label_rms"],
)
save_dataset(
    snakemake.output[0],
    data,
    {"wildcards": dict(snakemake.wildcards), "params": dict(snakemake.params.items())},
)
log.info("wrote %s", snakemake.output[0])
