# regimes: kernel and rich regimes of trained networks (Woodworth et al. 2020; Goldwaser & Ge 2023).
# Pipeline: dataset -> training per batch of cells -> analysis -> summaries and claims -> figures.
# Every experiment of the config names its model family; the rule files follow the families.
import sys

# The workflow runs its own package, src/regimes, here and in every job (installed or not, and in the
# rules' conda environments alike).
sys.path.insert(0, f"{workflow.basedir}/src")
from regimes.pipeline.job import use_package_for_jobs

use_package_for_jobs(f"{workflow.basedir}/src")

from regimes.pipeline.config import resolve_config, validate

# The config in force: config.yaml, or the --configfile files instead of it (several are merged in
# order), then each --config key=value with its value read as YAML and merged into its experiment.
# Validated before any job starts.
settings = workflow.config_settings
config.clear()
config.update(
    validate(
        resolve_config(
            settings.configfiles or [f"{workflow.basedir}/config.yaml"],
            settings.config_args,
        )
    )
)


# Jobs that run on this machine: a GPU asked for by name must be here (a cluster's jobs get theirs).
if workflow.local_exec and not (workflow.remote_exec or workflow.subprocess_exec):
    from regimes.pipeline.config import check_devices

    check_devices(config)


# Each config writes under its own folder (config/smoke.yaml: runs/smoke); --directory wins.  Jobs that
# Snakemake starts as processes of their own (a cluster's job steps) already run in that folder.
if not (workflow.remote_exec or workflow.subprocess_exec):

    workdir: config["outdir"]


# Results made with other settings of an experiment are not replaced without overwrite: true; stacked
# files that move outdir are said to plan everything again there.
if not (workflow.remote_exec or workflow.subprocess_exec):
    from regimes.pipeline.config import check_overwrite, stacking_notice

    check_overwrite(config)
    notice = stacking_notice(settings.configfiles, config)
    if notice:
        print(notice, file=sys.stderr)


report: "workflow/report/workflow.rst"


# At the end of a run, the experiments whose runs diverged and the key that sets their step.
onsuccess:
    from regimes.report import divergence_report

    diverged = divergence_report(config)
    if diverged:
        print("Runs that diverged:\n  " + "\n  ".join(diverged), file=sys.stderr)


wildcard_constraints:
    seed=r"\d+",
    n=r"\d+",
    batch=r"alpha~[0-9.]+(-[0-9.]+)?_depth~\d+_width~\d+_K~(\d+|inf)(-(\d+|inf))?",
    name=r"[a-z_]+",
    task=r"sensing|completion|commuting",


include: "workflow/rules/common.smk"
include: "workflow/rules/diagonal.smk"
include: "workflow/rules/networks.smk"
include: "workflow/rules/matrix.smk"
include: "workflow/rules/teacher.smk"
include: "workflow/rules/univariate.smk"
include: "workflow/rules/summaries.smk"
include: "workflow/rules/figures.smk"


rule all:
    default_target: True
    input:
        all_figures(),
        all_summaries(),
        "results/claims.csv",
        "results/report.html",
    localrule: True
