"""The paper tier (config/paper.yaml) without the papers' data: synthetic MNIST and CIFAR-10 copies in the
exact formats stand in for the local copies.  What these catch: a paper-tier experiment the workflow
cannot plan (a data set, an architecture or a figure input it does not know), a loader that the
dataset job does not call with its path, the CIFAR-10 rows missing from the figures that draw them."""

import os
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from regimes.networks.local import write_cifar10_copy, write_mnist_copy
from regimes.pipeline.io import read_table

from ..conftest import ROOT

pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("smoke_run"),
]  # one worker runs the shared smoke run and every test that reads it

FIGURES = (
    "sparse_transition",
    "implicit_norm",
    "q_functions",
    "sample_complexity",
    "width",
    "matrix_factorisation",
    "nonlinear_transition",
    "univariate_balance",
    "accuracy_vs_K",
    "kernel_change",
    "training_curves",
    "gauss_newton",
    "phase_alpha_K",
)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    write_mnist_copy(folder / "mnist", n_train=100, n_test=50)
    write_cifar10_copy(folder, per_batch=12, n_test=40)
    return folder


def _snakemake(workdir, data, configfiles, *args, check=True):
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(ROOT / "Snakefile"),
        "--directory",
        str(workdir),
        "--cores",
        "2",
        *args,
        "--configfile",
        *map(str, configfiles),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, REGIMES_DATA=str(data)))
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
        )
    return proc


def _planned(out: str) -> dict[str, int]:
    table = out.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    return {
        p[0]: int(p[1])
        for p in (line.split() for line in table.splitlines())
        if len(p) == 2 and p[1].isdigit() and p[0] != "total"
    }


# The stand-in copies' sizes (the config check refuses n_train / n_test beyond what a copy holds).
HELD = {"mnist": (100, 50), "cifar10": (60, 40)}


def _fit_to_copies(configfile) -> list[str]:
    """``--config`` overrides setting each local data set's sizes to what the stand-in copies hold (the
    plan, one job per cell, does not depend on them)."""
    import yaml

    overrides = []
    for name, experiment in yaml.safe_load(configfile.read_text()).items():
        data = experiment.get("data", {}) if isinstance(experiment, dict) else {}
        for dataset in set(data) & set(HELD):
            n_train, n_test = HELD[dataset]
            overrides.append(f"{name}={{data: {{{dataset}: {{n_train: {n_train}, n_test: {n_test}}}}}}}")
    return overrides


def test_the_paper_config_plans_every_figure_of_both_papers(tmp_path, data):
    paper = ROOT / "config" / "paper.yaml"
    proc = _snakemake(tmp_path, data, [paper], "--dry-run", "--config", *_fit_to_copies(paper))
    jobs = _planned(proc.stdout)
    planned = set(re.findall(r"wildcards: figure=(\w+)", proc.stdout))
    assert set(FIGURES) == planned and jobs["figure"] == len(FIGURES), sorted(set(FIGURES) - planned)
    # 11 alphas x (mlp, rf) on MNIST; 6 alphas x (vgg11, vgg11_rf); 7 K of LeNet-5: one job each; the K
    # axes on mnist1d and digits: the SGD MLP 4 jobs each (Ks_per_job 2), the SGD ConvNet 7 (1), the Adam
    # MLP 1, the Adam ConvNet 3 (4); the GD MLP on digits 3 (Ks_per_job 2); the (alpha, K) plane 1.
    assert jobs["train_network"] == 75
    assert jobs["network_dataset"] == 14  # the Adam variants' two K axes on mnist1d and digits: 4 more


def test_the_paper_config_without_its_data_is_refused_before_any_job(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "REGIMES_DATA"}
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(ROOT / "Snakefile"),
        "--directory",
        str(tmp_path),
        "--cores",
        "1",
        "--dry-run",
        "--configfile",
        str(ROOT / "config" / "paper.yaml"),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert proc.returncode != 0
    assert (
        "linearised_cifar.data.cifar10.path" in proc.stdout + proc.stderr
        and "environment variable that is not set" in proc.stdout + proc.stderr
    )
    assert not (tmp_path / "results").exists()


def test_the_paper_tier_in_miniature_runs_end_to_end_on_the_cpu(tmp_path, data, smoke_run):
    """Over a copy of the smoke run: the paper tier's additions run, and what they leave alone (every
    experiment but ``nonlinear``, which gains MNIST) is not trained again."""

    run = tmp_path / "run"  # --directory wins over the config's outdir
    shutil.copytree(smoke_run[0], run, symlinks=True, ignore=shutil.ignore_patterns("locks", "incomplete"))
    proc = _snakemake(
        run, data, [ROOT / "config" / "smoke.yaml", ROOT / "config" / "paper_smoke.yaml"], "--dry-run"
    )
    planned = _planned(proc.stdout)
    assert not {"train_diagonal", "train_matrix", "train_teacher", "train_univariate"} & set(planned), planned
    _snakemake(run, data, [ROOT / "config" / "smoke.yaml", ROOT / "config" / "paper_smoke.yaml"])
    nonlinear = read_table(run / "results/nonlinear/summary.csv")
    assert {"digits", "mnist"} <= set(nonlinear["dataset"])
    cifar = read_table(run / "results/nonlinear_cifar/summary.csv")
    assert set(cifar["architecture"]) == {"vgg11", "vgg11_rf"} and len(cifar) == 2 * 2
    lenet = read_table(run / "results/linearised_cifar/summary.csv")
    assert set(lenet["K"]) == {"1", "10", "inf"}
    assert (
        lenet["test_acc"].notna() | lenet["diverged"].astype(bool)
    ).all()  # a number unless the run diverged
    for name in FIGURES:
        assert (run / "figures" / f"{name}.pdf").stat().st_size > 0
    claims = pd.read_csv(run / "results/claims.csv")
    assert {"nonlinear_cifar", "linearised_cifar"} <= set(claims["experiment"])
