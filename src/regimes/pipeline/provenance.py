"""Provenance carried by every result file: the cell's config, package versions and the git commit."""

from __future__ import annotations

import functools
import importlib.metadata
import json
import platform
import subprocess
from pathlib import Path

__all__ = ["git_commit", "package_versions", "provenance", "provenance_json"]

PACKAGES = ("regimes", "numpy", "scipy", "torch", "pandas", "snakemake", "mnist1d", "scikit-learn")


@functools.cache
def git_commit(where: str | None = None) -> str:
    """HEAD of the repository holding this package (``+dirty`` when the tree has changes), or ``unknown``."""
    cwd = Path(where) if where else Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


@functools.cache
def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def provenance(config: dict) -> dict:
    """The record stored beside a result: what produced it."""
    return {"config": config, "versions": package_versions(), "git_commit": git_commit(), "platform": platform.platform()}


def provenance_json(config: dict) -> str:
    return json.dumps(provenance(config), sort_keys=True, default=str)
