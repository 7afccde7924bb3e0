# regimes: kernel and rich regimes of trained networks (Woodworth et al. 2020; Goldwaser & Ge 2023).
# Pipeline: dataset -> training per cell -> analysis -> figures.  The science lives in config.yaml.
from regimes.config import validate

# The default grid, unless --configfile names another (which then stands alone, not merged into it).
if not workflow.overwrite_configfiles:

    configfile: f"{workflow.basedir}/config.yaml"


validate(config)


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"


wildcard_constraints:
    seed=r"\d+",
    n=r"\d+",
    batch=r"alpha~[0-9.]+(-[0-9.]+)?_depth~\d+_width~\d+_K~(\d+|inf)",
    name=r"[a-z_]+",
    task=r"sensing|completion",


# Cheap bookkeeping runs where snakemake runs, never as a cluster job.
localrules:
    all,
    diagonal_dataset,
    network_dataset,
    matrix_dataset,
    interpolation_dataset,
    diagonal_references,
    matrix_references,
    univariate_curves,
    summarise,
    history,
    claims,
    figure_sparse_transition,
    figure_implicit_norm,
    figure_q_functions,
    figure_accuracy_vs_K,
    figure_kernel_change,
    figure_training_curves,
    figure_phase_alpha_K,
    figure_width,
    figure_matrix_factorisation,
    figure_nonlinear_transition,


include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/figures.smk"


rule all:
    default_target: True
    input:
        all_figures(),
        all_summaries(),
        "results/claims.csv",
