"""results/claims.{csv,md,html}: each claim of both papers as a measurable test on the summary tables."""

from pathlib import Path

from regimes.claims import evaluate_claims
from regimes.pipeline.io import atomic_path, read_table, write_csv
from regimes.pipeline.job import start
from regimes.pipeline.provenance import git_commit, now
from regimes.report import claims_html, claims_markdown

log = start(snakemake)
# {experiment: {"model": family, "claims": [sets], "sample_complexity": bool, "halves": name or None,
# "rebalances": name or None}}
plan = snakemake.params.plan
summaries = dict(zip(plan, snakemake.input.summaries))
sample = dict(
    zip([name for name, p in plan.items() if p["sample_complexity"]], snakemake.input.sample_complexity)
)
experiments = {
    name: {
        "model": p["model"],
        "claims": p["claims"],
        "summary": read_table(summaries[name]),
        "sample_complexity": read_table(sample[name]) if name in sample else None,
    }
    for name, p in plan.items()
}
# results/<experiment>/curves.csv
curves = {Path(path).parent.name: read_table(path) for path in snakemake.input.curves}
# The integrator, and the experiment run at twice the step, for the theorem check.
for name, p in plan.items():
    experiments[name]["integrator"] = p.get("integrator")
    if p.get("halves"):
        experiments[name]["full_step"] = experiments[p["halves"]]["summary"]
    if p.get("rebalances"):  # the functions of both balances, for the balance claims
        experiments[name]["curves"], experiments[name]["other_curves"] = curves[name], curves[p["rebalances"]]
        experiments[name]["other_summary"] = experiments[p["rebalances"]]["summary"]
table = evaluate_claims(experiments).assign(git_commit=git_commit(), created=now())
write_csv(snakemake.output.csv, table)
for path, text in (
    (snakemake.output.md, claims_markdown(table)),
    (snakemake.output.html, claims_html(table)),
):
    with atomic_path(path) as tmp:
        Path(tmp).write_text(text)
log.info("%d claims, %d pass", len(table), int((table["passed"] == "pass").sum()))
