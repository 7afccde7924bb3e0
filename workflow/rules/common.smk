# Helpers shared by every stage (grid expansion, path formatting, code versions).
import hashlib
from pathlib import Path

from regimes.grid import batch_cells, batches

SRC = Path(workflow.basedir) / "src" / "regimes"
ENV = "../../environment.yml"

# Experiments by kind: the diagonal model on sparse regression, networks on classification data,
# factorised matrices (sensing / completion), and small networks trained to interpolation.
DIAGONAL = ("sparse", "sparse_K")
NETWORKS = ("linearised", "linearised_phase", "nonlinear")
MATRIX = ("width", "matrix_factorisation")
INTERPOLATION = ("nonlinear_teacher", "univariate")

# Each figure and the experiments it draws from.
FIGURES = {
    "sparse_transition": ["sparse"],
    "implicit_norm": ["sparse"],
    "q_functions": [],
    "sample_complexity": ["sparse"],
    "accuracy_vs_K": ["linearised"],
    "kernel_change": ["linearised"],
    "training_curves": ["linearised"],
    "phase_alpha_K": ["sparse_K", "linearised_phase"],
    "width": ["width"],
    "matrix_factorisation": ["matrix_factorisation"],
    "nonlinear_transition": ["nonlinear", "nonlinear_teacher", "univariate"],
}


def code_version(*modules):
    """Hash of the library modules behind a step, so that editing them reruns its jobs (a params change)."""
    digest = hashlib.sha1()
    for module in modules:
        path = SRC / module
        files = sorted(path.rglob("*.py")) if path.is_dir() else [SRC / f"{module}.py"]
        for file in files:
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def experiments():
    return [e for e in DIAGONAL + NETWORKS + MATRIX + INTERPOLATION if e in config]


def experiment_batches(experiment):
    """The experiment's training jobs: batches of alphas (regimes.grid.batches)."""
    cfg = config[experiment]
    return batches(cfg["grid"], cfg.get("alphas_per_job"))


def batch_cell_ids(wildcards):
    """The cells a training job holds: its params, so that a job reruns when its own cells change."""
    return [c.id for c in batch_cells(wildcards.batch, config[wildcards.experiment]["grid"])]


def network_models(experiment):
    """``<dataset>-<architecture>`` for every pair of the experiment."""
    cfg = config[experiment]
    return [f"{d}-{a}" for d in cfg["data"] for a in cfg["architectures"]]


def matrix_tasks(experiment):
    return config[experiment]["data"]["tasks"]


def matrix_dataset_files(experiment, task):
    return expand(
        f"results/{experiment}/data/{task}_seed~{{seed}}.npz",
        seed=config[experiment]["seeds"],
    )


def analysis_files(experiment, stage="analysis"):
    if experiment in MATRIX:
        return expand(
            f"results/{experiment}/{stage}/{{task}}/{{batch}}.csv",
            task=matrix_tasks(experiment),
            batch=experiment_batches(experiment),
        )
    if experiment in DIAGONAL + INTERPOLATION:
        return expand(
            f"results/{experiment}/{stage}/{{batch}}.csv",
            batch=experiment_batches(experiment),
        )
    return expand(
        f"results/{experiment}/{stage}/{{model}}/{{batch}}.csv",
        model=network_models(experiment),
        batch=experiment_batches(experiment),
    )


def dataset_files(experiment, n=None, seeds=None):
    n = config[experiment]["data"]["n"] if n is None else n
    seeds = config[experiment]["seeds"] if seeds is None else seeds
    return expand(
        f"results/{experiment}/data/seed~{{seed}}_n~{n}.npz",
        seed=seeds,
    )


def figure_inputs(name):
    return expand("results/{experiment}/summary.csv", experiment=FIGURES[name])


def all_figures():
    names = [
        name
        for name, needs in FIGURES.items()
        if all(e in config for e in needs) and (needs or "sparse" in config)
    ]
    return expand("figures/{name}.{ext}", name=names, ext=["pdf", "png"])


def all_summaries():
    return expand("results/{experiment}/summary.csv", experiment=experiments())
