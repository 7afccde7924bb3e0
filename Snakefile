# regimes: kernel and rich regimes of trained networks (Woodworth et al. 2020; Goldwaser & Ge 2023).
# Pipeline: dataset -> training per batch of cells -> analysis -> summaries and claims -> figures.
# Every experiment of the config names its model family; the rule files follow the families.
from regimes.pipeline.config import validate

# The default grid, unless --configfile names another (which then stands alone, not merged into it).
if not workflow.overwrite_configfiles:

    configfile: f"{workflow.basedir}/config.yaml"


validate(config)


report: "workflow/report/workflow.rst"


wildcard_constraints:
    seed=r"\d+",
    n=r"\d+",
    batch=r"alpha~[0-9.]+(-[0-9.]+)?_depth~\d+_width~\d+_K~(\d+|inf)",
    name=r"[a-z_]+",
    task=r"sensing|completion",


include: "workflow/rules/common.smk"
include: "workflow/rules/diagonal.smk"
include: "workflow/rules/networks.smk"
include: "workflow/rules/matrix.smk"
include: "workflow/rules/interpolation.smk"
include: "workflow/rules/summaries.smk"
include: "workflow/rules/figures.smk"


rule all:
    default_target: True
    input:
        all_figures(),
        all_summaries(),
        "results/claims.csv",
    localrule: True
