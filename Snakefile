# regimes: kernel and rich regimes of trained networks (Woodworth et al. 2020; Goldwaser & Ge 2023).
# Pipeline: dataset -> training per cell -> analysis -> figures.  The science lives in config.yaml.
from regimes.config import validate


configfile: f"{workflow.basedir}/config.yaml"


validate(config)


include: "workflow/rules/common.smk"
include: "workflow/rules/data.smk"
include: "workflow/rules/train.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/figures.smk"


rule all:
    input:
        all_figures(),
        all_summaries(),
    default_target: True
