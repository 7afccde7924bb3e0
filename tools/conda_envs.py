"""Write the conda environment files from constraints.txt: exact pins of the versions `make` installs
and the tests run with, conda-forge only (``nodefaults``).

    python tools/conda_envs.py          # rewrite environment.yml and workflow/envs/*.yaml
    python tools/conda_envs.py --check  # exit 1 if a file differs from what it would write

``ENVIRONMENTS`` says which packages each file needs (conda-forge names, pip-only packages apart);
constraints.txt says which version.  tests/workflow/test_envs.py runs ``--check``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = "3.11"  # the interpreter the tests run on (CI and make)

# conda-forge name -> the name in constraints.txt (pip's), where they differ.
PIP_NAMES = {
    "pytorch": "torch",
    "matplotlib-base": "matplotlib",
    "seaborn-base": "seaborn",
    "snakemake-minimal": "snakemake",
    "pyyaml": "PyYAML",
}

ANALYSIS = [
    "numpy",
    "scipy",
    "pandas",
    "matplotlib-base",
    "seaborn-base",
    "pyyaml",
    "jsonschema",
    "scikit-learn",
]

ENVIRONMENTS = {
    "workflow/envs/analysis.yaml": {
        "comment": "Conda environment of the rules that generate data, analyse, summarise and draw (no\n"
        "torch).  The workflow puts its own src/ on the path of every job, so the package itself needs no\n"
        "install here.",
        "conda": ANALYSIS,
        "pip": ["mnist1d"],
    },
    "workflow/envs/train.yaml": {
        "comment": "Conda environment of the training rules: the analysis packages they use, and torch\n"
        "(CPU or CUDA, as conda-forge resolves it for the machine).",
        "conda": ["numpy", "scipy", "pandas", "matplotlib-base", "pyyaml", "pytorch"],
        "pip": [],
    },
    "environment.yml": {
        "comment": "A conda environment to run the workflow and the tests from (conda env create -f\n"
        "environment.yml, from this folder).  The rules' own environments, for `snakemake --use-conda`, are\n"
        "workflow/envs/*.yaml.",
        "name": "regimes",
        "conda": ["pytorch", *ANALYSIS, "snakemake-minimal", "pytest", "hypothesis"],
        "pip": ["mnist1d", "-e ."],
    },
}

HEADER = "Written by tools/conda_envs.py from constraints.txt (the versions make installs): do not edit."


def pins(path=ROOT / "constraints.txt") -> dict[str, str]:
    """``name -> version`` of every ``name==version`` line, names compared case-insensitively."""
    out = {}
    for line in Path(path).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            out[name.strip().lower()] = version.strip()
    return out


def _pinned(name: str, versions: dict[str, str], separator: str) -> str:
    """``name ==version`` (conda) or ``name==version`` (pip): the exact version, nothing else."""
    if name.startswith("-"):
        return name
    key = PIP_NAMES.get(name, name).lower()
    if key not in versions:
        raise KeyError(f"{name}: no version in constraints.txt (add it there, or to PIP_NAMES)")
    return f"{name}{separator}=={versions[key]}"


def render(spec: dict, versions: dict[str, str]) -> str:
    lines = [f"# {line}" for line in spec["comment"].splitlines()] + [f"# {HEADER}"]
    if "name" in spec:
        lines.append(f"name: {spec['name']}")
    lines += ["channels:", "  - conda-forge", "  - nodefaults", "dependencies:", f"  - python ={PYTHON}"]
    lines += [f"  - {_pinned(name, versions, ' ')}" for name in spec["conda"]]
    lines.append("  - pip")
    if spec["pip"]:
        lines.append("  - pip:")
        lines += [f"      - {_pinned(name, versions, '')}" for name in spec["pip"]]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    versions, stale = pins(), []
    for relative, spec in ENVIRONMENTS.items():
        path, text = ROOT / relative, render(spec, versions)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(relative)
        else:
            path.write_text(text)
    for relative in stale:
        print(f"{relative} is not what tools/conda_envs.py writes from constraints.txt: run it")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
