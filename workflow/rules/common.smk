# Helpers shared by every stage (grid expansion, path formatting, code versions).
import hashlib
from pathlib import Path

from regimes.grid import cell_id, cells, format_value

SRC = Path(workflow.basedir) / "src" / "regimes"
ENV = "../../environment.yml"

FIGURES = {
    "sparse": [
        "sparse_transition",
        "implicit_norm",
        "q_functions",
        "sample_complexity",
    ],
}


def code_version(*modules):
    """Hash of the library modules behind a step, so that editing them reruns its jobs (a params change)."""
    digest = hashlib.sha1()
    for module in modules:
        for path in (
            sorted((SRC / module).rglob("*.py"))
            if (SRC / module).is_dir()
            else [SRC / f"{module}.py"]
        ):
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def experiment_cells(experiment):
    return [c.id for c in cells(config[experiment]["grid"])]


def cell_files(experiment, stage, ext):
    return expand(
        f"results/{experiment}/{stage}/{{cell}}.{ext}",
        cell=experiment_cells(experiment),
    )


def dataset_files(experiment, n=None):
    n = config[experiment]["data"]["n"] if n is None else n
    return expand(
        f"results/{experiment}/data/seed~{{seed}}_n~{n}.npz",
        seed=config[experiment]["seeds"],
    )


def all_figures():
    names = [
        name
        for experiment, figs in FIGURES.items()
        if experiment in config
        for name in figs
    ]
    return expand("figures/{name}.{ext}", name=names, ext=["pdf", "png"])


def all_summaries():
    return expand(
        "results/{experiment}/summary.csv",
        experiment=[e for e in FIGURES if e in config],
    )
