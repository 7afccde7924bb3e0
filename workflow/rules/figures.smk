# Stage 4: figures, one rule (and one script) per figure; each reads tables only.


rule figure_sparse_transition:
    input:
        "results/sparse/summary.csv",
    output:
        pdf="figures/sparse_transition.pdf",
        png="figures/sparse_transition.png",
    log:
        "logs/figures/sparse_transition.log",
    conda:
        ENV
    script:
        "../scripts/figure_sparse_transition.py"


rule figure_implicit_norm:
    input:
        "results/sparse/summary.csv",
    output:
        pdf="figures/implicit_norm.pdf",
        png="figures/implicit_norm.png",
    log:
        "logs/figures/implicit_norm.log",
    conda:
        ENV
    script:
        "../scripts/figure_implicit_norm.py"


rule figure_q_functions:
    output:
        pdf="figures/q_functions.pdf",
        png="figures/q_functions.png",
    log:
        "logs/figures/q_functions.log",
    conda:
        ENV
    script:
        "../scripts/figure_q_functions.py"


rule figure_sample_complexity:
    input:
        "results/sparse/sample_complexity.csv",
    output:
        pdf="figures/sample_complexity.pdf",
        png="figures/sample_complexity.png",
    log:
        "logs/figures/sample_complexity.log",
    conda:
        ENV
    params:
        threshold=config["sparse"]["sample_complexity"]["threshold"],
    script:
        "../scripts/figure_sample_complexity.py"
