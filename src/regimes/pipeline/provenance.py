"""Provenance carried by every result file: the config that made it, package versions, the git commit of
the workflow and the time it was computed.

The commit is read from the workflow's own checkout (``REGIMES_WORKFLOW_DIR``, set by every job from its
script's folder), not from wherever the package happens to be installed."""

from __future__ import annotations

import datetime
import functools
import importlib.metadata
import json
import os
import platform
import subprocess
from pathlib import Path

__all__ = ["git_commit", "package_versions", "provenance", "provenance_json"]

PACKAGES = ("regimes", "numpy", "scipy", "torch", "pandas", "snakemake", "mnist1d", "scikit-learn")


@functools.cache
def git_commit(where: str | None = None) -> str:
    """HEAD of the workflow's repository (``where``, else ``REGIMES_WORKFLOW_DIR``, else the package's
    folder), with ``+dirty`` when its tracked files have changes; ``unknown`` outside a git checkout."""
    cwd = Path(where or os.environ.get("REGIMES_WORKFLOW_DIR") or Path(__file__).resolve().parent)
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
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


def now() -> str:
    """The time a result is computed, UTC, to the second."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def provenance(config: dict | None) -> dict:
    """The record stored beside a result: what produced it, and when."""
    return {
        "config": config,
        "versions": package_versions(),
        "git_commit": git_commit(),
        "platform": platform.platform(),
        "created": now(),
    }


def provenance_json(config: dict) -> str:
    return json.dumps(provenance(config), sort_keys=True, default=str)
