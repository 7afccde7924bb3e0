"""The conda environments parse, pin exactly the versions this project runs with (written from
constraints.txt by tools/conda_envs.py), and are the ones the rules use (the conda route itself needs
conda-forge, which CI cannot reach: see the README)."""

import importlib.metadata
import re

import pytest
import yaml
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from ..conftest import ROOT

# conda-forge names -> the distribution this project imports them as.
DISTRIBUTIONS = {
    "pytorch": "torch",
    "matplotlib-base": "matplotlib",
    "seaborn-base": "seaborn",
    "snakemake-minimal": "snakemake",
    "pyyaml": "PyYAML",
}
ENVS = sorted((ROOT / "workflow" / "envs").glob("*.yaml")) + [ROOT / "environment.yml"]


def _requirements(path):
    env = yaml.safe_load(path.read_text())
    assert env["channels"] == ["conda-forge", "nodefaults"], path
    conda, pip = [], []
    for item in env["dependencies"]:
        if isinstance(item, dict):
            pip += item["pip"]
        else:
            conda.append(item)
    return conda, pip


@pytest.mark.parametrize("path", ENVS, ids=[p.name for p in ENVS])
def test_environment_names_installed_packages_within_its_ranges(path):
    conda, pip = _requirements(path)
    assert conda and "pip" in conda
    for requirement in conda + [p for p in pip if not p.startswith("-")]:
        match = re.fullmatch(r"([A-Za-z0-9_.-]+)\s*(.*)", requirement.strip())
        name, spec = match.group(1), match.group(2).replace(" ", "")
        if name in ("pip",):
            continue
        if name == "python":  # conda's "=3.11": any 3.11.x
            import platform

            assert Version(platform.python_version()) in SpecifierSet(f"=={spec.lstrip('=')}.*"), requirement
            continue
        assert spec.startswith("==") and spec.count("=") == 2, (path.name, requirement)  # exact pins
        version = Version(importlib.metadata.version(DISTRIBUTIONS.get(name, name)).split("+")[0])
        assert version in SpecifierSet(spec), (path.name, requirement, version)


def test_environment_files_are_written_from_constraints():
    """Would catch: a conda file edited by hand, or constraints.txt upgraded without rewriting them
    (``python tools/conda_envs.py``)."""
    import subprocess
    import sys

    check = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "conda_envs.py"), "--check"], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_rules_use_these_environments_and_training_alone_has_torch():
    analysis, _ = _requirements(ROOT / "workflow/envs/analysis.yaml")
    train, _ = _requirements(ROOT / "workflow/envs/train.yaml")
    assert not any(r.startswith("pytorch") for r in analysis) and any(r.startswith("pytorch") for r in train)
    common = (ROOT / "workflow/rules/common.smk").read_text()
    assert 'ENV = "../envs/analysis.yaml"' in common and 'TRAIN_ENV = "../envs/train.yaml"' in common
    for rules in (ROOT / "workflow/rules").glob("*.smk"):
        for block in re.split(r"\n(?=rule )", rules.read_text())[1:]:
            name = block.split(":", 1)[0].removeprefix("rule ")
            wanted = "TRAIN_ENV" if name.startswith("train_") else "ENV"
            assert re.search(rf"conda:\n\s+{wanted}\n", block), name


def test_the_package_states_ranges_and_make_installs_the_tested_versions():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert not [d for d in project["dependencies"] if "==" in d]  # a library imposes no exact version
    constraints = (ROOT / "constraints.txt").read_text().splitlines()
    assert "torch==2.13.0" in constraints
    assert "-c constraints.txt" in (ROOT / "Makefile").read_text()
    for line in constraints:
        if line and not line.startswith("#"):
            name, version = line.split("==")
            assert importlib.metadata.version(name).split("+")[0] == version, line
