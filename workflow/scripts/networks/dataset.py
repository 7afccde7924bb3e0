"""Generate (or read from its local copy) one classification data set, standardised."""

from regimes.networks.data import classification_dataset
from regimes.pipeline.io import save_dataset
from regimes.pipeline.job import start

log = start(snakemake)
p = snakemake.params.data
w = snakemake.wildcards
data = classification_dataset(
    w.dataset,
    p["seed"],
    p["n_train"],
    p["n_test"],
    path=p.get("path"),
    key=f"{w.experiment}.data.{w.dataset}.path",
)
save_dataset(
    snakemake.output[0],
    data,
    {"wildcards": dict(snakemake.wildcards), "params": dict(snakemake.params.items())},
)
log.info("wrote %s: %d train, %d test", snakemake.output[0], len(data["y"]), len(data["y_test"]))
