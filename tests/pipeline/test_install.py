"""An ordinary (non-editable) install of the package carries its config schema."""

import os
import subprocess
import sys

import pytest

from ..conftest import ROOT

pytestmark = pytest.mark.slow


def test_non_editable_install_loads_the_schema(tmp_path):
    target = tmp_path / "site"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-compile",
            "--target",
            str(target),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    assert (
        not list(target.glob("__editable__*"))
        and (target / "regimes" / "pipeline" / "config.schema.yaml").exists()
    )
    check = (
        "import regimes, yaml; from pathlib import Path; from regimes.pipeline.config import load_config, "
        "load_schema;"
        f"assert Path(regimes.__file__).is_relative_to({str(target)!r}), regimes.__file__;"
        f"load_config({str(ROOT / 'config.yaml')!r}); print(sorted(load_schema()['$defs']))"
    )
    env = dict(os.environ, PYTHONPATH=str(target))
    proc = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "'diagonal'" in proc.stdout and "'network'" in proc.stdout
