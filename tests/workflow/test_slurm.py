"""Part of the smoke config through SLURM (Snakemake's slurm executor plugin) on a one-node cluster on
localhost.

Where the machine allows it (root, Debian's apt), the test installs slurmctld, slurmd, slurm-client and
munge, starts the cluster with tests/workflow/slurm/cluster.sh, runs the smoke config's diagonal and
network experiments of the (alpha, K) plane with profiles/slurm (every kind of job: data, training,
analysis, summaries, claims, a figure), checks that every output table equals a local run's of the same
config, and stops the daemons it started.  Elsewhere it is skipped with the reason.
"""

import os
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
import yaml

from ..conftest import ROOT, SMOKE, snakemake

pytestmark = [pytest.mark.slurm, pytest.mark.slow]
PACKAGES = ["slurmctld", "slurmd", "slurm-client", "munge"]


def _ensure_slurm():
    if shutil.which("slurmctld") and shutil.which("sbatch") and shutil.which("munged"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("SLURM is not installed and this machine cannot install it (needs root and apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
    proc = subprocess.run(
        ["apt-get", "install", "-y", "-qq", *PACKAGES], env=env, capture_output=True, text=True, timeout=900
    )
    if proc.returncode != 0:
        pytest.skip(f"apt-get could not install {PACKAGES}: {proc.stderr[-500:]}")


def _plugin_installed():
    try:
        import snakemake_executor_plugin_slurm  # noqa: F401
    except ImportError:
        pytest.skip("snakemake-executor-plugin-slurm is not installed (pip install -e .[test])")


@pytest.fixture
def cluster(tmp_path):
    _plugin_installed()
    if os.geteuid() != 0:
        pytest.skip("starting slurmctld/slurmd needs root")
    _ensure_slurm()
    script = ROOT / "tests" / "workflow" / "slurm" / "cluster.sh"
    state = tmp_path / "cluster"
    proc = subprocess.run([str(script), "start", str(state)], capture_output=True, text=True, timeout=120)
    if proc.returncode == 3:
        pytest.skip(proc.stderr.strip())
    if proc.returncode != 0:
        subprocess.run([str(script), "stop", str(state)], capture_output=True)
        logs = "\n".join(
            (state / f).read_text()[-2000:] for f in ("slurmctld.log", "slurmd.log") if (state / f).exists()
        )
        raise AssertionError(
            f"the one-node SLURM cluster did not start:\n{proc.stdout}\n{proc.stderr}\n{logs}"
        )
    try:
        yield state / "slurm.conf"
    finally:
        subprocess.run([str(script), "stop", str(state)], capture_output=True, timeout=60)


EXPERIMENTS = ("sparse", "sparse_K", "linearised", "linearised_phase")


def test_smoke_config_through_slurm_equals_local_run(cluster, tmp_path):
    smoke = yaml.safe_load(SMOKE.read_text())
    config = tmp_path / "plane.yaml"
    config.write_text(yaml.safe_dump({name: smoke[name] for name in EXPERIMENTS}))
    local = tmp_path / "local-run"
    snakemake(local, configfile=config)
    workdir = tmp_path / "slurm-run"
    env = {**os.environ, "SLURM_CONF": str(cluster)}
    snakemake(
        workdir,
        "--profile",
        str(ROOT / "profiles" / "slurm"),
        "--slurm-no-account",
        "--slurm-status-command",
        "squeue",
        "--slurm-init-seconds-before-status-checks",
        "1",
        "--seconds-between-status-checks",
        "2",
        "--slurm-keep-successful-logs",
        configfile=config,
        env=env,
        timeout=1500,
    )
    logs = list((workdir / ".snakemake" / "slurm_logs").rglob("*.log"))
    assert logs, "no job went through SLURM"
    for experiment in EXPERIMENTS:
        a = pd.read_csv(workdir / f"results/{experiment}/summary.csv")
        b = pd.read_csv(local / f"results/{experiment}/summary.csv")
        assert list(a.columns) == list(b.columns) and len(a) == len(b)
        numeric = [c for c in a.columns if a[c].dtype.kind in "fi" and c != "seconds"]
        # float64 diagonal runs are bit-identical; float32 networks may differ in the last bits with threads.
        np.testing.assert_allclose(
            a[numeric].to_numpy(float), b[numeric].to_numpy(float), rtol=1e-5, atol=1e-6, equal_nan=True
        )
        other = [
            c for c in a.columns if c not in numeric and c not in ("seconds", "git_commit", "trained_at")
        ]  # provenance differs
        assert (a[other].astype(str).to_numpy() == b[other].astype(str).to_numpy()).all()
    assert (workdir / "figures" / "phase_alpha_K.pdf").exists()
