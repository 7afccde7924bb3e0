# Helpers shared by the rule files (the experiments of each model family, the named input and param
# functions, and the code version of each step).
from pathlib import Path

from regimes.figures import (
    FIGURES,
    GENERIC,
    drawable,
    experiment_figures,
    figure_inputs,
    report_category,
    report_subcategory,
)
from regimes.grid import batch_cells, batches, part_folder, parts
from regimes.networks.registry import ARCHITECTURES, DATASETS
from regimes.pipeline.code import code_version
from regimes.pipeline.config import experiments

# Conda environments (snakemake --use-conda): training rules need torch, the others do not.
ENV = "../envs/analysis.yaml"
TRAIN_ENV = "../envs/train.yaml"
SCRIPTS = Path(workflow.basedir) / "workflow" / "scripts"


def code(script):
    """Hash of the library modules ``script`` runs: editing one reruns exactly the jobs that use it."""
    return code_version(SCRIPTS / script)


def family(*families):
    """Wildcard constraint: the names of the config's experiments of these families (none: matches nothing)."""
    return "|".join(experiments(config, *families)) or "(?!)"


# Grid and batches.


def experiment_batches(experiment):
    """The experiment's training jobs: batches of alphas, and of K values for networks (regimes.grid.batches)."""
    cfg = config[experiment]
    Ks = cfg.get("Ks_per_job") if cfg["model"] == "network" else 1
    return batches(cfg["grid"], cfg.get("alphas_per_job"), Ks)


def get_cells(wildcards):
    """The cells a training job holds: its params, so that a job reruns when its own cells change."""
    return [
        c.id for c in batch_cells(wildcards.batch, config[wildcards.experiment]["grid"])
    ]


# Settings of one experiment, as params.


def get_settings(wildcards):
    return config[wildcards.experiment]


def get_data(wildcards):
    return config[wildcards.experiment]["data"]


def get_network_data(wildcards):
    return config[wildcards.experiment]["data"][wildcards.dataset]


def get_train(wildcards):
    return config[wildcards.experiment]["train"]


def get_T(wildcards):
    return config[wildcards.experiment]["train"]["steps"]


def get_until_interpolation(wildcards):
    return config[wildcards.experiment]["train"]["until_interpolation"]


def get_seeds(wildcards):
    return config[wildcards.experiment]["seeds"]


def get_centre(wildcards):
    return config[wildcards.experiment].get("centre_output", False)


def get_balance(wildcards):
    return config[wildcards.experiment]["balance"]


def get_device(wildcards):
    return config[wildcards.experiment].get("device", "auto")


def get_init(wildcards):
    return config[wildcards.experiment]["init"]


def get_limit(wildcards):
    return config[wildcards.experiment]["limit"]


def get_sample_complexity(wildcards):
    return config[wildcards.experiment]["sample_complexity"]


# Input files.


def dataset_files(experiment, n=None, seeds=None):
    cfg = config[experiment]
    n = cfg["data"]["n"] if n is None else n
    seeds = cfg["seeds"] if seeds is None else seeds
    return expand(f"results/{experiment}/data/seed~{{seed}}_n~{n}.npz", seed=seeds)


def get_dataset_files(wildcards):
    return dataset_files(wildcards.experiment)


def get_matrix_dataset_files(wildcards):
    return expand(
        f"results/{wildcards.experiment}/data/{wildcards.task}_seed~{{seed}}.npz",
        seed=config[wildcards.experiment]["seeds"],
    )


def get_sample_complexity_files(wildcards):
    settings = config[wildcards.experiment]["sample_complexity"]
    return dataset_files(
        wildcards.experiment, n=max(settings["n"]), seeds=settings["seeds"]
    )


def run_name():
    """The run's config files by name, and its --config overrides: what the report page calls the run.
    Names only (not paths), so that moving the checkout does not change the report's params.
    """
    settings = workflow.config_settings
    names = [Path(f).name for f in settings.configfiles or ["config.yaml"]]
    return " + ".join(names) + "".join(
        f" --config {a}" for a in settings.config_args or ()
    )


def analysis_files(experiment, stage="analysis"):
    """Per-batch tables of an experiment, one folder per part (regimes.grid.parts: a task, a data set
    and architecture, or none)."""
    return [
        str(Path("results", experiment, stage, part_folder(p), f"{batch}.csv"))
        for p in parts(config[experiment])
        for batch in experiment_batches(experiment)
    ]


def get_analysis_files(wildcards):
    return analysis_files(wildcards.experiment)


def get_history_files(wildcards):
    return analysis_files(wildcards.experiment, "history")


def get_curves_files(wildcards):
    return analysis_files(wildcards.experiment, "curves")


# Summaries, claims and figures.


def sample_complexity_experiments():
    return [
        e for e in experiments(config, "diagonal") if "sample_complexity" in config[e]
    ]


def all_summaries():
    return expand("results/{experiment}/summary.csv", experiment=experiments(config))


def all_sample_complexity():
    return expand(
        "results/{experiment}/sample_complexity.csv",
        experiment=sample_complexity_experiments(),
    )


def rebalance_curves():
    """``results/<experiment>/curves.csv`` of the univariate experiments that repeat another at a
    different balance, and of those they repeat (the balance claims compare their functions).
    """
    names = []
    for name in experiments(config, "univariate"):
        other = config[name].get("rebalances")
        if other:
            names += [n for n in (name, other) if n not in names]
    return expand("results/{experiment}/curves.csv", experiment=names)


def get_claims_plan(wildcards):
    """What the claims step checks: each experiment's family, claim sets, whether it has sample complexity
    which experiment it repeats at half the step (``halves``) or at another balance (``rebalances``).
    """
    return {
        name: {
            "model": config[name]["model"],
            "claims": config[name]["claims"],
            "sample_complexity": name in sample_complexity_experiments(),
            "halves": config[name].get("halves"),
            "integrator": config[name].get("train", {}).get("integrator"),
            "rebalances": config[name].get("rebalances"),
        }
        for name in experiments(config)
    }


def own_figures():
    """The experiments drawn by their family's generic figure, each named after it
    (regimes.figures.experiment_figures: a user's experiment no catalogue figure draws).
    """
    return experiment_figures(
        {name: config[name]["model"] for name in experiments(config)}
    )


def drawn_figures():
    """The figures this config draws, in the papers' order (the catalogue's), then the experiments' own."""
    return [name for name in FIGURES if drawable(name, config)] + own_figures()


def all_figures():
    return expand("figures/{name}.{ext}", name=drawn_figures(), ext=["pdf", "png"])


def get_figure_inputs(wildcards):
    return figure_inputs(wildcards.figure, config)


def get_figure_code(wildcards):
    return code(f"figures/{wildcards.figure}.py")


def get_figure_caption(wildcards):
    """The figure's caption (workflow/report/<name>.rst), for the report's one figure template."""
    return (
        Path(workflow.basedir) / "workflow" / "report" / f"{wildcards.figure}.rst"
    ).read_text()


def get_figure_category(wildcards):
    return report_category(getattr(wildcards, "figure", None) or wildcards.experiment)


def get_figure_subcategory(wildcards):
    return report_subcategory(
        getattr(wildcards, "figure", None) or wildcards.experiment
    )


def get_generic_drawing(wildcards):
    """The function of regimes.figures.linearisation that draws the experiment's family."""
    return GENERIC[config[wildcards.experiment]["model"]]


def get_experiment_figure_caption(wildcards):
    """The generic figure's caption (workflow/report/experiment_figure.rst) with the experiment named."""
    text = (
        Path(workflow.basedir) / "workflow" / "report" / "experiment_figure.rst"
    ).read_text()
    return text.replace("EXPERIMENT", wildcards.experiment)
