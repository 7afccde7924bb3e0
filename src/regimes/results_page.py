"""``docs/results.md``: what a run measured, written from its tables, logs and figures, so that no
number in the docs is typed by hand (``tools/write_results.py`` calls ``results_page``).

Sections: the run (commit, date, machine, wall time from its job logs), training time by experiment
(Snakemake's per-job benchmark files), the claims (``results/claims.csv``, rendered by
``regimes.report``), every figure the run drew with its caption, test accuracy against K and T/K (the
iterative-linearisation rows), and the benchmarks (``benchmarks/results.csv``) when given.  Torch-free.
"""

from __future__ import annotations

import datetime
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from .claims import mean_interval
from .figures import FIGURES
from .grid import K_order
from .pipeline.io import read_table
from .report import claims_markdown, verdict_line

__all__ = ["accuracy_table", "matched_table", "run_facts", "job_times", "results_page"]

_STAMP = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)")


def accuracy_table(summary: pd.DataFrame, metric: str = "test_acc") -> str:
    """Each K axis (experiment, data set, architecture) K by K: its regime (a variant outside the paper's
    says so, ``regimes.networks.regime``), T/K, the test accuracy (mean over seeds with its 95 % Student t
    interval, ``regimes.claims.mean_interval``; a dagger marks a cell where a run was short of its
    plateau, ``failed`` one with a failed run), and what a round does: the mean relative weight move per
    round and the mean loss jump at re-linearisation (network minus Taylor model; medians over seeds)."""
    from .networks.regime import describe

    head = [
        "experiment",
        "data set, architecture",
        "regime",
        "T",
        "K",
        "T/K",
        metric,
        "move per round",
        "jump at re-linearising",
    ]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    frame = summary.assign(experiment=summary["experiment"] if "experiment" in summary else "")
    for (experiment, dataset, arch), g in frame.groupby(
        ["experiment", "dataset", "architecture"], sort=False
    ):
        steps, regime = int(g["T"].max()), describe(g)
        for k in sorted(g["K"].unique(), key=K_order):
            part = g[g["K"] == k]
            mean, lo, hi = mean_interval(part[metric].to_numpy())
            short = "plateau" in part and not part["plateau"].astype(bool).all()
            accuracy = (
                "failed" if pd.isna(mean) else f"{mean:.3f} [{lo:.3f}, {hi:.3f}]" + (" †" if short else "")
            )
            rounds = [
                f"{part[c].median():.3g}" if c in part and part[c].notna().any() else "-"
                for c in ("round_move", "relinearise_jump")
            ]
            updates = 0 if str(k) == "inf" else steps // int(k)
            lines.append(
                f"| {experiment} | {dataset}, {arch} | {regime} | {steps} | {k} | {updates} | {accuracy} | "
                + " | ".join(rounds)
                + " |"
            )
    return "\n".join(lines)


def matched_table(summary: pd.DataFrame, history: pd.DataFrame, metric: str = "train_acc") -> str:
    """Test accuracy at the first record where ``metric`` reaches the level every K reaches."""
    from .networks.analyse import matched_loss

    table = matched_loss(summary, history, metric)
    Ks = sorted(table["K"].unique(), key=K_order)
    lines = [
        f"| data set, architecture ({metric} level) | " + " | ".join(f"K = {k}" for k in Ks) + " |",
        "| --- |" + " --- |" * len(Ks),
    ]
    for (dataset, arch), g in table.groupby(["dataset", "architecture"]):
        cells = []
        for k in Ks:
            part = g[g["K"] == k]
            mean, lo, hi = mean_interval(part["test_acc"].to_numpy())
            step = part["step"].median()
            cells.append(
                "not reached" if pd.isna(mean) else f"{mean:.3f} [{lo:.3f}, {hi:.3f}] at step {step:.0f}"
            )
        lines.append(f"| {dataset}, {arch} ({g['level'].iloc[0]:.3g}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _duration(seconds: float) -> str:
    minutes, rest = divmod(int(round(seconds)), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def run_facts(run) -> dict[str, str]:
    """Commit, date, machine and wall time of the run in folder ``run``: the commit and date from
    ``results/claims.csv``, the machine and versions from a summary's ``provenance.json``, the wall time
    from the first job's first log line to the last job log's last write."""
    run = Path(run)
    provenance = next(iter(sorted((run / "results").glob("*/provenance.json"))), None)
    facts = _origin(run)
    if provenance is not None:
        info = json.loads(provenance.read_text())
        versions = info.get("versions", {})
        facts["machine"] = f"{info.get('platform', '?')}; torch {versions.get('torch', '?')}"
    wall = wall_seconds(run)
    if wall is not None:
        facts["wall time"] = _duration(wall) + " (first job's start to last job's end)"
    return facts


def _origin(run: Path) -> dict[str, str]:
    """The commit a run was made at and when, from its ``results/claims.csv``."""
    claims = pd.read_csv(Path(run) / "results" / "claims.csv")
    return {"commit": str(claims["git_commit"].iloc[0]), "made": str(claims["created"].iloc[0])}


def wall_seconds(run) -> float | None:
    """Seconds from the first job log's first line to the last job log's last write (None: no logs)."""
    starts, ends = [], []
    for log in (Path(run) / "logs").rglob("*.log"):
        with open(log, errors="replace") as handle:
            match = _STAMP.match(handle.readline())
        if match:
            starts.append(datetime.datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S").timestamp())
            ends.append(log.stat().st_mtime)
    return max(ends) - min(starts) if starts else None


def baseline_comparison(run, baseline) -> str:
    """Markdown: the run against a ``baseline`` run of another commit (made one after the other on the
    same machine): both commits and wall times, their ratio, and the training time by experiment of each
    (``job_times``: Snakemake's benchmark files, which every commit's runs write)."""
    ours, theirs = _origin(run), _origin(baseline)
    wall, wall_base = wall_seconds(run), wall_seconds(baseline)
    ratio = wall / wall_base if wall and wall_base else float("nan")
    lines = [
        "| | this run | baseline |",
        "| --- | --- | --- |",
        f"| commit | {ours['commit']} | {theirs['commit']} |",
        f"| made | {ours['made']} | {theirs['made']} |",
        f"| wall time | {_duration(wall)} | {_duration(wall_base)} |",
        "",
        f"This run's wall time is {ratio:.2f}x the baseline's.",
        "",
    ]
    # training jobs from Snakemake's benchmark files, which runs of every commit write
    a = job_times(run).set_index("experiment")["seconds"].rename("this run (s)")
    b = job_times(baseline).set_index("experiment")["seconds"].rename("baseline (s)")
    table = pd.concat([a, b], axis=1)
    table.loc["all training jobs"] = table.sum()
    table["ratio"] = table["this run (s)"] / table["baseline (s)"]
    table = table.reset_index(names="experiment")
    for column, form in (("this run (s)", "{:.0f}"), ("baseline (s)", "{:.0f}"), ("ratio", "{:.2f}")):
        table[column] = [form.format(v) if np.isfinite(v) else "" for v in table[column]]
    return "\n".join(lines) + "\n" + _markdown(table)


def job_times(run) -> pd.DataFrame:
    """Training time by experiment from Snakemake's benchmark files (``benchmarks/jobs/<experiment>/
    train/...``): jobs, summed seconds, the longest job; longest first."""
    rows = []
    jobs = Path(run) / "benchmarks" / "jobs"
    for path in sorted(jobs.glob("*/train/**/*.tsv")):
        seconds = float(pd.read_csv(path, sep="\t")["s"].iloc[-1])
        rows.append({"experiment": path.relative_to(jobs).parts[0], "seconds": seconds})
    if not rows:
        return pd.DataFrame(columns=["experiment", "jobs", "seconds", "longest job (s)"])
    table = pd.DataFrame(rows).groupby("experiment")["seconds"].agg(["count", "sum", "max"]).reset_index()
    table.columns = ["experiment", "jobs", "seconds", "longest job (s)"]
    return table.sort_values("seconds", ascending=False, kind="stable").reset_index(drop=True)


_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) ")
_START_UP = re.compile(r"start-up ([0-9.]+) s")
_RECORDS = re.compile(r"records took ([0-9.]+) s of ([0-9.]+) s")
_FINISHED = re.compile(r"finished ([0-9.]+) s after the process started")
STAGES = ("start-up", "data", "training", "of which records", "analysis")


def job_profile(run) -> pd.DataFrame:
    """Job time by experiment and stage, from the run's job logs (``logs/<experiment>/<stage>/...``): each
    job's ``start-up`` (the interpreter, Snakemake's preamble and the imports) and the rest of its process
    time, as ``regimes.pipeline.job.start`` logs them (a log without them: its first to last line);
    stages: ``data`` (the data sets), ``training`` (trainers and their learning-rate searches), ``of which
    records`` (the part of training in records, where a trainer logs it: the network ensembles),
    ``analysis`` (summaries and their analyses);
    the figures, the claims and the report as rows of their own.  Seconds summed over jobs; longest total
    first."""
    rows = []
    logs = Path(run) / "logs"
    for path in sorted(logs.rglob("*.log")):
        parts = path.relative_to(logs).parts
        first = last = finished = None
        start_up = records = 0.0
        with open(path, errors="replace") as handle:
            for line in handle:
                stamp = _LINE.match(line)
                if stamp:
                    moment = datetime.datetime.strptime(stamp.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
                    first = moment if first is None else first
                    last = moment
                found = _START_UP.search(line)
                if found:
                    start_up += float(found.group(1))
                found = _RECORDS.search(line)
                if found:
                    records += float(found.group(1))
                found = _FINISHED.search(line)
                if found:
                    finished = float(found.group(1))
        if first is None:
            continue
        # the job's own work: from start-up to its end (its first to last log line in a log without one)
        work = finished - start_up if finished is not None else last - first
        if len(parts) == 1 or parts[0] == "figures":
            experiment, stage = ("figures" if parts[0] == "figures" else path.stem), "analysis"
        else:
            experiment = parts[0]
            stage = {"data": "data", "train": "training", "lr_search": "training"}.get(parts[1], "analysis")
        rows.append(
            {"experiment": experiment, "jobs": 1, "start-up": start_up, stage: work}
            | ({"of which records": records} if records else {})
        )
    columns = ["experiment", "jobs", *STAGES, "total"]
    if not rows:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(rows).groupby("experiment").sum(min_count=1).reindex(columns=columns[1:-1])
    table["total"] = table[["start-up", "data", "training", "analysis"]].sum(axis=1)
    table = table.fillna(0.0).reset_index()
    table["jobs"] = table["jobs"].astype(int)
    return table.sort_values("total", ascending=False, kind="stable").reset_index(drop=True)[columns]


def _markdown(table: pd.DataFrame) -> str:
    lines = ["| " + " | ".join(table.columns) + " |", "|" + " --- |" * len(table.columns)]
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(f"{v:.0f}" if isinstance(v, float) else str(v) for v in row) + " |")
    return "\n".join(lines)


def _first_paragraph(caption: Path) -> str:
    text = caption.read_text().strip().split("\n\n")[0] if caption.exists() else ""
    return re.sub(r"``([^`]+)``", r"`\1`", " ".join(text.split()))


def results_page(run, captions, figures_out=None, bench=None, command: str = "", baseline=None) -> str:
    """The page, as Markdown.  ``captions``: the folder of the figures' captions
    (``workflow/report``); ``figures_out``: where to copy the run's PNGs (the page links them as
    ``figures/<name>.png``, relative to the page); ``bench``: ``benchmarks/results.md`` or None;
    ``baseline``: the folder of a run of another commit to set the times against, or None."""
    run, captions = Path(run), Path(captions)
    facts = run_facts(run)
    parts = [
        "# Results",
        "",
        "Written by `tools/write_results.py` from one run of the workflow"
        + (f" (`{command}`)" if command else "")
        + "; every number below is read from that run's tables, logs and figures. Do not edit by hand: "
        "run the workflow, then the tool.",
        "",
        "| the run | |",
        "| --- | --- |",
        *(f"| {key} | {value} |" for key, value in facts.items()),
        "",
        "## Training time by experiment",
        "",
        "Seconds of the training jobs (Snakemake's `benchmark:` files), summed over each experiment's jobs.",
        "",
        _markdown(job_times(run)),
        "",
        "## Job time by experiment and stage",
        "",
        "Seconds of every job from its log (`regimes.results_page.job_profile`: its start-up and the rest of "
        "its process as it logs them), summed over each experiment's jobs; `of which records` "
        "is the part of training spent in records where the trainer logs it (the network ensembles).",
        "",
        _markdown(job_profile(run)),
        "",
    ]
    if baseline is not None:
        parts += [
            "## Against a baseline run",
            "",
            "The same workflow at another commit, run on the same machine one after the other; training"
            " time by experiment as in the first table (experiments one of the two lacks are blank).",
            "",
            baseline_comparison(run, baseline),
            "",
        ]
    claims = pd.read_csv(run / "results" / "claims.csv")
    table = claims_markdown(claims).split("\n", 2)[2]  # the table, without its heading
    parts += [
        f"## Claims: {verdict_line(claims)}",
        "",
        "Each claim is a quantity computed seed by seed; it passes when the whole 95 % interval of its mean"
        " lies on the claimed side of its threshold (`regimes.claims`). `nan`: a run it needs failed.",
        "",
        table.rstrip(),
        "",
        "## Figures",
        "",
    ]
    for name in FIGURES:
        png = run / "figures" / f"{name}.png"
        if not png.exists():
            continue
        if figures_out is not None:
            Path(figures_out).mkdir(parents=True, exist_ok=True)
            shutil.copyfile(png, Path(figures_out) / f"{name}.png")
        parts += [
            f"### {name}",
            "",
            f"![{name}](figures/{name}.png)",
            "",
            _first_paragraph(captions / f"{name}.rst"),
            "",
        ]
    from .figures import ALSO

    K_axes = ["linearised", *ALSO["accuracy_vs_K"]]
    linearised = [run / "results" / e / "summary.csv" for e in K_axes]
    linearised = [p for p in linearised if p.exists()]
    if linearised:
        summary = pd.concat([read_table(p) for p in linearised], ignore_index=True)
        parts += [
            "## Iterative linearisation: test accuracy against K and T/K",
            "",
            "Goldwaser & Ge's statements, trained by plain SGD or GD on the squared loss at a small step "
            "(lr 1e-3): about 10 feature updates come within a few points of K = 1 (gradient descent); "
            "K = inf (the fixed kernel) is clearly worse, so feature learning is needed; with a step small "
            "enough, iterative linearisation catches up with gradient descent given enough steps. The "
            "claims table checks each on the rows below.",
            "",
            "Mean over seeds [95 % Student t interval]; † a cell where a run was short of its plateau. "
            "Every K is evaluated on the model it is training at step T: the Taylor model around its last "
            "anchor (the network itself where a round ends at T; K = inf the initial Taylor model). "
            "Goldwaser & Ge train by plain SGD on the squared loss; a row marked *variant* is outside "
            "that regime. Move per round: ||w_end - w_start|| / ||w_start||, mean over a run's rounds; "
            "jump: the network's loss minus its Taylor model's where a round ends (probe points), mean "
            "over measured rounds; both medians over seeds (- for K = inf, which ends no round).",
            "",
            accuracy_table(summary),
            "",
        ]
    if bench is not None and Path(bench).exists():
        text = Path(bench).read_text().split("\n", 1)[1].strip()
        parts += ["## Benchmarks (`make bench`)", "", text, ""]
    return "\n".join(parts)
