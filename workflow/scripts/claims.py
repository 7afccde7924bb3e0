"""results/claims.{csv,md,html}: each claim of both papers as a measurable test on the summary tables."""
from pathlib import Path

import pandas as pd

from regimes.claims import claims_html, claims_markdown, evaluate_claims
from regimes.io import atomic_path, write_csv
from regimes.job import start

log = start(snakemake)
summaries = {e: pd.read_csv(p) for e, p in zip(snakemake.params.experiments, snakemake.input.summaries)}
sample = pd.read_csv(snakemake.input.sample_complexity) if snakemake.input.sample_complexity else None
table = evaluate_claims(summaries, sample, snakemake.params.threshold or 0.025, snakemake.params.steps)
write_csv(snakemake.output.csv, table)
for path, text in ((snakemake.output.md, claims_markdown(table)), (snakemake.output.html, claims_html(table))):
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text)
log.info("%d claims, %d pass", len(table), int((table["passed"] == "pass").sum()))
