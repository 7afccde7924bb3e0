"""results/report.html: the claims first, then every figure in the papers' order, then the summary tables."""

from pathlib import Path

import pandas as pd

from regimes.pipeline.io import atomic_path
from regimes.pipeline.job import start
from regimes.pipeline.provenance import provenance_json
from regimes.report import report_html

start(snakemake)
p = snakemake.params
captions = Path(snakemake.scriptdir).parents[1] / "report"  # workflow/report/<figure>.rst
# an experiment's own figure (no caption of its own) takes the generic one
figures = [
    (
        name,
        png,
        captions / f"{name}.rst"
        if (captions / f"{name}.rst").exists()
        else captions / "experiment_figure.rst",
    )
    for name, png in zip(p.figures, snakemake.input.figures)
]
tables = list(zip(p.experiments, snakemake.input.summaries))
text = report_html(
    pd.read_csv(snakemake.input.claims),
    figures,
    tables,
    provenance_json({"report": "results/report.html"}),
    run=p.run,
)
with atomic_path(snakemake.output[0]) as tmp:
    Path(tmp).write_text(text)
