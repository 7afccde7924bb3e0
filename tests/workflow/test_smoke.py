"""End to end: the smoke config through the whole chain, as a user runs it (the README's contracts)."""

import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import pytest
import yaml

from regimes.pipeline.io import read_table
from regimes.report import verdict_line

from ..conftest import ROOT, SMOKE, snakemake

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("smoke_run"),
]  # one worker runs the shared smoke run and every test that reads it


def jobs_planned(workdir, out=None) -> dict[str, int]:
    """Rule -> job count from a dry run's job-stats table (``out``: a dry run's output already at hand)."""
    out = snakemake(workdir, "--dry-run").stdout if out is None else out
    if "Nothing to be done" in out:
        return {}
    table = out.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    counts = {}
    for line in table.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "total":
            counts[parts[0]] = int(parts[1])
    return counts


def figures_planned(out: str) -> set[str]:
    """The figures a dry run's output plans (the one figure rule's ``figure`` wildcard)."""
    return set(re.findall(r"wildcards: figure=(\w+)", out))


FIGURES = (
    "sparse_transition",
    "implicit_norm",
    "q_functions",
    "sample_complexity",
    "accuracy_vs_K",
    "kernel_change",
    "training_curves",
    "gauss_newton",
    "phase_alpha_K",
    "width",
    "matrix_factorisation",
    "nonlinear_transition",
    "univariate_balance",
)


def test_smoke_chain_produces_every_contract(smoke_run):
    workdir, _ = smoke_run
    config = yaml.safe_load(SMOKE.read_text())
    cfg = config["sparse"]
    for name in FIGURES:
        for ext in ("pdf", "png"):
            path = workdir / "figures" / f"{name}.{ext}"
            assert path.stat().st_size > 10_000, path
    summary = pd.read_csv(workdir / "results/sparse/summary.csv")
    cells = len(cfg["grid"]["alpha"]) * len(cfg["grid"]["depth"])
    assert len(summary) == cells * len(cfg["seeds"])
    required = (
        "experiment alpha depth width K seed n d test_error train_loss l1 l2 oracle_gap converged "
        "steps git_commit"
    ).split()
    assert set(required) <= set(summary.columns)
    assert not summary.duplicated(["alpha", "depth", "width", "K", "seed"]).any()
    assert len(list((workdir / "results/sparse/data").glob("*.npz"))) >= len(cfg["seeds"])
    assert (workdir / "results/sparse/provenance.json").exists()


@pytest.mark.parametrize(
    "experiment,columns",
    [
        (
            "width",
            "task alpha2_width test_error nuclear_norm excess_nuclear unobserved_change min_nuclear_norm "
            "converged",
        ),
        (
            "matrix_factorisation",
            "task test_error nuclear_norm frobenius_norm min_nuclear_norm min_frobenius_error converged",
        ),
        ("nonlinear", "dataset architecture test_error kernel_distance"),
        (
            "nonlinear_teacher",
            "alpha_D test_rmse zero_rmse kernel_rmse initial_rmse jacobian_distance reached_loss "
            "plateau_change converged",
        ),
        ("nonlinear_teacher_centred", "alpha_D test_rmse jacobian_distance converged"),
        ("width_commuting", "task mu2 q_mu_error converged"),
        (
            "univariate",
            "balance to_linear_spline to_cubic_spline kernel_to_cubic_spline to_kernel_limit plateau_change "
            "reached_loss converged",
        ),
        ("univariate_half", "balance to_linear_spline kernel_to_linear_spline to_linear_at_stop converged"),
        ("univariate_random", "balance to_linear_spline converged"),
    ],
)
def test_smoke_summaries_beyond_the_diagonal_model(smoke_run, experiment, columns):
    """One row per cell, seed (and task or model) for every experiment of secs. 6-7, with provenance."""
    workdir, _ = smoke_run
    cfg = yaml.safe_load(SMOKE.read_text())[experiment]
    summary = pd.read_csv(workdir / f"results/{experiment}/summary.csv")
    assert set(columns.split()) | {"experiment", "alpha", "depth", "width", "K", "seed", "git_commit"} <= set(
        summary.columns
    )
    grid = cfg["grid"]
    alphas = (
        sum(len(v) for v in grid["alpha"].values())
        if isinstance(grid["alpha"], dict)
        else len(grid["alpha"]) * len(grid["depth"])
    )
    cells = alphas * len(grid["width"]) * len(grid["K"])
    models = len(cfg["data"].get("tasks", [])) or (
        len(cfg["data"]) * len(cfg.get("architectures", [])) if experiment == "nonlinear" else 1
    )
    assert len(summary) == cells * len(cfg["seeds"]) * models
    keys = [c for c in ("task", "dataset", "architecture") if c in summary.columns] + [
        "alpha",
        "depth",
        "width",
        "K",
        "seed",
    ]
    assert not summary.duplicated(keys).any()
    assert not summary.get("diverged", pd.Series(False)).any()
    assert (workdir / f"results/{experiment}/provenance.json").exists()


def test_smoke_covers_K_for_every_kind_of_model(smoke_run):
    """K in {1, a finite K, inf} for the diagonal model, an MLP and a CNN, each row with its K columns."""
    workdir, _ = smoke_run
    diagonal = read_table(workdir / "results/sparse_K/summary.csv")
    networks = pd.concat(
        [read_table(workdir / f"results/{e}/summary.csv") for e in ("linearised", "linearised_cnn_adam")],
        ignore_index=True,
    )
    for table in (diagonal, networks):
        assert {"K", "feature_updates", "kernel_distance"} <= set(table.columns)
        Ks = set(table["K"])
        assert "inf" in Ks and "1" in Ks and len(Ks) >= 3
    assert set(networks["architecture"]) == {"mlp", "cnn"}
    history = pd.read_csv(workdir / "results/linearised/history.csv")
    assert {"step", "train_loss", "test_acc", "kernel_distance"} <= set(history.columns)
    # K = inf never moves the kernel; K = 1 does.
    K = networks["K"]
    assert (networks.loc[K == "inf", "kernel_distance"] < 1e-9).all()
    assert (networks.loc[K == "1", "kernel_distance"] > 0).all()


def test_claims_table_lists_every_claim(smoke_run):
    workdir, _ = smoke_run
    claims = pd.read_csv(workdir / "results/claims.csv")
    assert list(claims.columns) == [
        "claim",
        "source",
        "kind",
        "measured",
        "low",
        "high",
        "side",
        "threshold",
        "seeds",
        "passed",
        "margin",
        "note",
        "experiment",
        "git_commit",
        "created",
    ]
    assert set(claims["source"]) == {
        "Woodworth et al. 2020",
        "Goldwaser & Ge 2023",
        "Gunasekar et al. 2017",
        "Arora et al. 2019",
        "this project",
    }
    # the smoke run has one or two seeds: no claim of it can pass
    assert set(claims["passed"]) <= {"FAIL", "not run"} | {f"too few seeds ({n} < 5)" for n in range(5)}
    assert (workdir / "results/claims.md").read_text().startswith("# Claims")


def test_report_is_self_contained_with_every_figure_and_the_claims(smoke_run):
    workdir, _ = smoke_run
    report = workdir / "report.html"
    snakemake(workdir, "--report", str(report))
    text = report.read_text(errors="replace")
    assert report.stat().st_size > 100_000
    for name in FIGURES:
        assert f"{name}.png" in text, name
    assert "claims.html" in text and "0. Claims" in text
    assert '<script src="http' not in text  # nothing fetched from elsewhere
    # Every caption renders: no docutils message (a |z| read as a substitution printed one).
    assert "System Message" not in text and "Undefined substitution" not in text


def test_nothing_to_do_on_a_second_run(smoke_run):
    workdir, _ = smoke_run
    assert jobs_planned(workdir) == {}


def test_deleting_one_figure_reruns_only_its_plot(smoke_run):
    workdir, _ = smoke_run
    (workdir / "figures/implicit_norm.pdf").unlink()
    out = snakemake(workdir, "--dry-run").stdout
    assert {k: v for k, v in jobs_planned(workdir, out).items() if k != "all"} == {
        "figure": 1,
        "report_page": 1,
    }
    assert figures_planned(out) == {"implicit_norm"}  # and the page that shows it
    snakemake(workdir)
    assert jobs_planned(workdir) == {}


def test_one_cell_reruns_alone_with_the_numbers_of_its_batch(smoke_run, tmp_path):
    """A training job holds a batch of alphas; asking for one cell's file trains that cell alone."""
    from regimes.pipeline.io import load_cells

    workdir, _ = smoke_run
    cell = "alpha~0.1_depth~3_width~1_K~1"
    alone_dir = tmp_path / "alone"
    (alone_dir / "results/sparse").mkdir(parents=True)
    os.symlink(workdir / "results/sparse/data", alone_dir / "results/sparse/data")
    snakemake(alone_dir, f"results/sparse/train/{cell}.npz")
    alone = load_cells(alone_dir / f"results/sparse/train/{cell}.npz")
    (batch,) = (workdir / "results/sparse/train").glob("alpha~*-*_depth~3_width~1_K~1.npz")
    together = load_cells(batch)
    assert list(alone) == [cell] and cell in together
    for key in ("beta", "steps", "converged"):
        np.testing.assert_allclose(alone[cell][key], together[cell][key], rtol=1e-9, atol=1e-14)


def test_bad_config_fails_before_any_job(tmp_path):
    cfg = yaml.safe_load(SMOKE.read_text())
    cfg["sparse"]["grid"]["alpha"] = [-0.5]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(cfg))
    proc = snakemake(tmp_path / "run", "--dry-run", configfile=path, check=False)
    assert proc.returncode != 0
    assert "sparse.grid.alpha[0]" in proc.stdout + proc.stderr
    assert not (tmp_path / "run" / "results").exists()


def test_killed_training_leaves_no_finished_output(tmp_path):
    cfg = yaml.safe_load(SMOKE.read_text())
    cfg["sparse"]["grid"] = {"alpha": [1.0e-3], "depth": [5], "width": [1], "K": [1]}
    cfg["sparse"]["train"] = {"integrator": "gd", "max_steps": 10_000_000}  # weight-space steps: a long job
    path = tmp_path / "long.yaml"
    path.write_text(yaml.safe_dump(cfg))
    workdir = tmp_path / "run"
    target = "results/sparse/train/alpha~0.001_depth~5_width~1_K~1.npz"
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(ROOT / "Snakefile"),
        "--directory",
        str(workdir),
        "--cores",
        "1",
        f"--configfile={path}",
        target,
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    log = workdir / "logs/sparse/train/alpha~0.001_depth~5_width~1_K~1.log"
    deadline = time.time() + 120
    while time.time() < deadline and not (log.exists() and "rule train_diagonal" in log.read_text()):
        time.sleep(0.5)
    assert log.exists(), "training job never started"
    time.sleep(2.0)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    train_dir = workdir / "results/sparse/train"
    assert not (workdir / target).exists()
    assert not list(train_dir.glob("*.npz"))


def test_lint_is_clean():
    proc = subprocess.run(
        [sys.executable, "-m", "snakemake", "--lint", "-s", str(ROOT / "Snakefile")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Lints for" not in proc.stdout + proc.stderr


def test_tables_write_K_in_its_one_spelling(smoke_run):
    """K is an integer or "inf" in every table, never "1.0"."""
    workdir, _ = smoke_run
    for path in (workdir / "results").glob("*/summary.csv"):
        raw = pd.read_csv(path, dtype=str)["K"]
        assert raw.str.fullmatch(r"\d+|inf").all(), (path, sorted(set(raw)))


def _copy_of_the_workflow(tmp_path):
    """Snakefile, workflow, config and the package itself, copied: edits there leave the checkout alone.
    Jobs run with PYTHONPATH at the copy, so code versions are computed from the copied package."""
    import shutil

    copy = tmp_path / "checkout"
    copy.mkdir()
    for name in ("Snakefile", "workflow", "config", "config.yaml", "environment.yml", "src"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, symlinks=True)
        else:
            shutil.copy(source, copy / name)
    return copy, dict(os.environ, PYTHONPATH=str(copy / "src"))


def test_editing_a_figure_module_reruns_exactly_that_figures_jobs(smoke_run, tmp_path):
    workdir, _ = smoke_run
    copy, env = _copy_of_the_workflow(tmp_path)

    def planned():
        out = snakemake(workdir, "--dry-run", snakefile=copy / "Snakefile", env=env).stdout
        jobs = {} if "Nothing to be done" in out else jobs_planned(workdir, out)
        return {k: v for k, v in jobs.items() if k != "all"}, figures_planned(out)

    assert planned() == ({}, set())  # the copied package is the same code: nothing to rerun
    module = copy / "src/regimes/figures/matrix.py"
    module.write_text(module.read_text() + "\n# an edit\n")
    # and the page that shows them
    assert planned() == ({"figure": 2, "report_page": 1}, {"width", "matrix_factorisation"})
    style = copy / "src/regimes/figures/style.py"
    style.write_text(style.read_text() + "\n# an edit\n")
    assert planned()[1] == set(FIGURES)


def test_an_experiment_of_an_existing_family_under_a_new_name_runs_with_no_code_change(tmp_path):
    """A second diagonal experiment is a config section and nothing else: it is planned, trained,
    summarised and checked against its claims (no figure draws it)."""
    config = {
        "sparse_small_noise": {
            "model": "diagonal",
            "data": {"n": 12, "d": 30, "sparsity": 2, "noise": 0.01, "n_test": 50},
            "grid": {"alpha": [1.0e-2, 1.0], "depth": [2, 3], "width": [1], "K": [1]},
            "seeds": [0, 1, 2, 3, 4],
            "train": {"integrator": "mirror"},
        }
    }
    path = tmp_path / "extra.yaml"
    path.write_text(yaml.safe_dump(config))
    workdir = tmp_path / "run"
    snakemake(workdir, configfile=path)
    summary = read_table(workdir / "results/sparse_small_noise/summary.csv")
    assert len(summary) == 2 * 2 * 5 and set(summary["experiment"]) == {"sparse_small_noise"}
    assert summary["converged"].all() and summary["oracle_gap"].max() < 1e-3
    claims = pd.read_csv(workdir / "results/claims.csv")
    mine = claims[claims["experiment"] == "sparse_small_noise"]
    assert len(mine) >= 6 and set(mine["passed"]) <= {"pass", "FAIL"}
    assert not (workdir / "figures").exists()


def test_rules_are_formatted_and_hold_no_lambda():
    proc = subprocess.run(
        [sys.executable, "-m", "snakefmt", "--check", "Snakefile", "workflow/rules"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for path in [ROOT / "Snakefile", *sorted((ROOT / "workflow" / "rules").glob("*.smk"))]:
        assert "lambda" not in path.read_text(), path


def test_every_result_carries_its_provenance(smoke_run):
    import json

    from PIL import Image

    from regimes.pipeline.io import load_provenance

    workdir, _ = smoke_run
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    record = json.loads(Image.open(workdir / "figures/width.png").text["Provenance"])
    assert (
        record["git_commit"].startswith(head)
        and record["created"]
        and record["config"] == {"figure": "width"}
    )
    dataset = sorted((workdir / "results/sparse/data").glob("*.npz"))[0]
    assert load_provenance(dataset)["git_commit"].startswith(head)
    summary = pd.read_csv(workdir / "results/sparse/summary.csv")
    assert summary["git_commit"].str.startswith(head).all() and (summary["trained_at"] != "unknown").all()
    claims = pd.read_csv(workdir / "results/claims.csv")
    assert claims["git_commit"].str.startswith(head).all() and claims["created"].notna().all()


def test_a_diverging_configuration_leaves_no_number_and_no_passing_claim(tmp_path):
    cfg = yaml.safe_load(SMOKE.read_text())
    linearised = cfg["linearised"]
    linearised["train"].pop("step_scale", None)  # a fixed learning rate instead
    linearised["train"].update(optimiser="sgd", loss="mse", lr=1.0e4)  # every run diverges
    path = tmp_path / "diverging.yaml"
    path.write_text(yaml.safe_dump({"linearised": linearised}))
    workdir = tmp_path / "run"
    snakemake(workdir, configfile=path)
    summary = read_table(workdir / "results/linearised/summary.csv")
    assert summary["diverged"].all() and not summary["converged"].any()
    assert summary[["test_acc", "test_error", "train_loss", "kernel_distance"]].isna().all(axis=None)
    claims = pd.read_csv(workdir / "results/claims.csv")
    mine = claims[claims["experiment"] == "linearised"]
    assert len(mine) and "pass" not in set(mine["passed"])
    assert mine["measured"].isna().all() and mine["note"].str.contains("failed: no number").all()
    for name in ("accuracy_vs_K", "kernel_change", "training_curves"):
        assert (workdir / f"figures/{name}.png").stat().st_size > 10_000


def _pdf_page_and_fonts(path):
    """A matplotlib PDF's page width (points) and the sizes (points) of every text it sets (``Tf``)."""
    import re
    import zlib

    raw = path.read_bytes()
    width = float(re.search(rb"/MediaBox \[\s*[\d.]+\s+[\d.]+\s+([\d.]+)", raw).group(1))
    sizes = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", raw, re.S):
        try:
            text = zlib.decompress(stream)
        except zlib.error:
            text = stream
        sizes += [float(s) for s in re.findall(rb"/F\w+\s+([\d.]+)\s+Tf", text)]
    return width, sizes


def _text_sizes(sizes):
    """The sizes of text proper: a size that is 70% (or 49%) of another is a math super- or subscript
    (of a script), set small as print sets it, and is left out."""
    distinct = sorted(set(round(s, 3) for s in sizes))
    scripts = {s for s in distinct if any(abs(s - f * b) < 0.01 for b in distinct for f in (0.7, 0.49))}
    return [s for s in distinct if s not in scripts]


@pytest.mark.parametrize("name", FIGURES)
def test_figures_fit_a_printed_page_with_no_text_below_7_pt(smoke_run, name):
    workdir, _ = smoke_run
    width, sizes = _pdf_page_and_fonts(workdir / "figures" / f"{name}.pdf")
    assert width <= 7 * 72, f"{name}: {width / 72:.2f} inches wide"
    text = _text_sizes(sizes)
    assert text and min(text) >= 7.0, f"{name}: text at {min(text)} pt"
    # no text runs into another (regimes.figures.style.overlapping_text, logged by save)
    log = (workdir / "logs" / "figures" / f"{name}.log").read_text()
    assert "text runs together" not in log, log
    # no legend over a curve or a marker of its panel (regimes.figures.style.legend_over_data)
    assert "a legend lies over data" not in log, log


def test_a_registered_toy_data_set_and_architecture_are_planned_and_run(tmp_path):
    """examples/toy_extension.yaml: a data set and an architecture of one file of the user's, through
    the whole chain (the extension's path is relative to the config file, wherever the run goes)."""
    workdir = tmp_path / "run"
    snakemake(workdir, configfile=ROOT / "examples" / "toy_extension.yaml")
    summary = read_table(workdir / "results/moons_K/summary.csv")
    assert set(summary["dataset"]) == {"moons"} and set(summary["architecture"]) == {"tanh_mlp", "mlp"}
    assert len(summary) == 2 * 3 * 2 and summary["test_acc"].notna().all()
    claims = pd.read_csv(workdir / "results/claims.csv")
    assert (claims["experiment"] == "moons_K").sum() >= 3
    # the user's experiment gets its family's figure, named after it, in the report's last section
    assert (workdir / "figures" / "moons_K.pdf").exists() and (workdir / "figures" / "moons_K.png").exists()
    page = (workdir / "results" / "report.html").read_text()
    assert "<figure id='moons_K'>" in page and "Your experiment" in page
    assert "text runs together" not in (workdir / "logs" / "figures" / "moons_K.log").read_text()


def test_the_report_page_opens_on_the_claims_then_figures_in_paper_order_then_tables(smoke_run):
    from regimes.figures import CATALOGUE

    workdir, _ = smoke_run
    page = (workdir / "results/report.html").read_text()
    claims = pd.read_csv(workdir / "results/claims.csv")
    assert page.index("id='claims'") < page.index("id='figures'") < page.index("id='tables'")
    assert page.count("<tr class='FAIL'>") == int((claims["passed"] == "FAIL").sum())
    # The page names the run's config, and a claim the smoke run's seeds cannot test is not a FAIL.
    assert "<h1>Kernel and rich regimes: smoke.yaml</h1>" in page
    papers = claims[claims["kind"] != "check"]  # checks of the code are counted apart
    few = int(papers["passed"].str.startswith("too few seeds").sum())
    assert few and f"{few} not checked: too few seeds" in page
    assert "whose claim" in page and "Woodworth et al. 2020" in page
    positions = [page.index(f"<figure id='{name}'>") for name in CATALOGUE]
    assert positions == sorted(positions)
    assert page.count("data:text/csv;base64,") == len(list((workdir / "results").glob("*/summary.csv")))
    assert "src='http" not in page and "href='http" not in page


def test_each_config_writes_under_its_own_outdir_and_overrides_merge(tmp_path):
    """Run from a folder without --directory: outputs go under the config's outdir, not into results/;
    a --config override is read as YAML and merged into its experiment."""
    cfg = {"outdir": "runs/tiny", "sparse": yaml.safe_load(SMOKE.read_text())["sparse"]}
    cfg["sparse"]["grid"]["alpha"] = [0.1]
    cfg["sparse"].pop("sample_complexity")
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(cfg))
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(ROOT / "Snakefile"),
        "--cores",
        "2",
        "results/sparse/summary.csv",
        f"--configfile={path}",
        "--config",
        "sparse={seeds: [3]}",
    ]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-3000:]
    summary = read_table(tmp_path / "runs/tiny/results/sparse/summary.csv")
    assert set(summary["seed"]) == {3} and not (tmp_path / "results").exists()


def test_editing_one_module_plans_exactly_its_family(smoke_run, tmp_path):
    """Would catch: shared plumbing that imports a family's module (every job's code version then covers
    it), so that editing a network module retrains the diagonal model, or the reverse."""
    workdir, _ = smoke_run
    copy, env = _copy_of_the_workflow(tmp_path)

    def planned():
        return jobs_planned(
            workdir, snakemake(workdir, "--dry-run", snakefile=copy / "Snakefile", env=env).stdout
        )

    assert planned() == {}
    edited = copy / "src/regimes/networks/ensemble.py"
    edited.write_text(edited.read_text() + "\n# an edit\n")
    jobs = planned()
    assert jobs.get("train_network") and not {r for r in jobs if "diagonal" in r or "matrix" in r}, jobs
    assert not {"train_teacher", "train_univariate"} & set(jobs), jobs
    edited.write_text(edited.read_text().removesuffix("\n# an edit\n"))
    edited = copy / "src/regimes/diagonal/gd.py"
    edited.write_text(edited.read_text() + "\n# an edit\n")
    jobs = planned()
    assert jobs.get("train_diagonal"), jobs
    assert not {r for r in jobs if "network" in r or "teacher" in r or "univariate" in r}, jobs


def test_the_results_page_is_written_from_the_run(smoke_run, tmp_path):
    """``tools/write_results.py`` on the smoke run: the run's commit and wall time, every claim with the
    numbers of ``claims.csv``, every figure copied and linked.  Would catch: a page that states numbers
    the run's tables do not hold, or a figure linked and not copied."""
    workdir, _ = smoke_run
    out = tmp_path / "docs" / "results.md"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "write_results.py"), str(workdir), "--out", str(out)],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    page = out.read_text()
    claims = pd.read_csv(workdir / "results/claims.csv")
    assert f"| commit | {claims['git_commit'].iloc[0]} |" in page and "| wall time | " in page
    assert f"## Claims: {verdict_line(claims)}" in page
    for row in claims[claims["measured"].notna()].itertuples():
        assert f"| {row.claim} | {row.source} | {row.measured:.4g}" in page, row.claim
    for name in FIGURES:
        assert f"![{name}](figures/{name}.png)" in page and (out.parent / "figures" / f"{name}.png").exists()
    assert "| sparse | 2 |" in page  # the training time of its two jobs
    profile = page.split("## Job time by experiment and stage", 1)[1].split("##", 1)[0]
    assert "| figures | " in profile and "| sparse | " in profile and "| linearised | " in profile
