import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def small_problem(seed=0, n=20, d=60, sparsity=2, noise=0.1):
    from regimes.diagonal.data import sparse_regression

    return sparse_regression(seed, n, d, sparsity, noise, n_test=50)


@pytest.fixture
def problem():
    return small_problem()


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


SMOKE = ROOT / "config" / "smoke.yaml"


def snakemake(workdir, *args, configfile=SMOKE, check=True, cores="2", snakefile=ROOT / "Snakefile", **kw):
    """Run the workflow from ``workdir`` (``--configfile=`` form: the option takes several values)."""
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(snakefile),
        "--directory",
        str(workdir),
        "--cores",
        cores,
        f"--configfile={configfile}",
        *args,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"snakemake failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}"
        )
    return proc


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory):
    """The smoke config run once, locally, from a clean directory; returns (directory, seconds)."""
    import time

    workdir = tmp_path_factory.mktemp("smoke")
    start = time.perf_counter()
    snakemake(workdir)
    return workdir, time.perf_counter() - start
