# Stage 4: figures, one rule (and one script) per figure; each reads tables only.


rule figure_sparse_transition:
    input:
        figure_inputs("sparse_transition"),
    output:
        pdf="figures/sparse_transition.pdf",
        png=report(
            "figures/sparse_transition.png",
            caption="../report/sparse_transition.rst",
            category="1. Kernel and rich regimes",
        ),
    log:
        "logs/figures/sparse_transition.log",
    conda:
        ENV
    script:
        "../scripts/figure_sparse_transition.py"


rule figure_implicit_norm:
    input:
        figure_inputs("implicit_norm"),
    output:
        pdf="figures/implicit_norm.pdf",
        png=report(
            "figures/implicit_norm.png",
            caption="../report/implicit_norm.rst",
            category="1. Kernel and rich regimes",
        ),
    log:
        "logs/figures/implicit_norm.log",
    conda:
        ENV
    script:
        "../scripts/figure_implicit_norm.py"


rule figure_q_functions:
    output:
        pdf="figures/q_functions.pdf",
        png=report(
            "figures/q_functions.png",
            caption="../report/q_functions.rst",
            category="1. Kernel and rich regimes",
        ),
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
        png=report(
            "figures/sample_complexity.png",
            caption="../report/sample_complexity.rst",
            category="1. Kernel and rich regimes",
        ),
    log:
        "logs/figures/sample_complexity.log",
    conda:
        ENV
    params:
        threshold=(
            config["sparse"]["sample_complexity"]["threshold"]
            if "sparse" in config
            else None
        ),
    script:
        "../scripts/figure_sample_complexity.py"


rule figure_accuracy_vs_K:
    input:
        summary="results/linearised/summary.csv",
        history="results/linearised/history.csv",
    output:
        pdf="figures/accuracy_vs_K.pdf",
        png=report(
            "figures/accuracy_vs_K.png",
            caption="../report/accuracy_vs_K.rst",
            category="2. Iterative linearisation",
        ),
    log:
        "logs/figures/accuracy_vs_K.log",
    conda:
        ENV
    params:
        steps=config["linearised"]["train"]["steps"] if "linearised" in config else None,
    script:
        "../scripts/figure_accuracy_vs_K.py"


rule figure_kernel_change:
    input:
        summary="results/linearised/summary.csv",
        history="results/linearised/history.csv",
    output:
        pdf="figures/kernel_change.pdf",
        png=report(
            "figures/kernel_change.png",
            caption="../report/kernel_change.rst",
            category="2. Iterative linearisation",
        ),
    log:
        "logs/figures/kernel_change.log",
    conda:
        ENV
    params:
        steps=config["linearised"]["train"]["steps"] if "linearised" in config else None,
    script:
        "../scripts/figure_kernel_change.py"


rule figure_training_curves:
    input:
        summary="results/linearised/summary.csv",
        history="results/linearised/history.csv",
    output:
        pdf="figures/training_curves.pdf",
        png=report(
            "figures/training_curves.png",
            caption="../report/training_curves.rst",
            category="2. Iterative linearisation",
        ),
    log:
        "logs/figures/training_curves.log",
    conda:
        ENV
    params:
        steps=config["linearised"]["train"]["steps"] if "linearised" in config else None,
    script:
        "../scripts/figure_training_curves.py"


rule figure_phase_alpha_K:
    input:
        diagonal="results/sparse_K/summary.csv",
        network="results/linearised_phase/summary.csv",
    output:
        pdf="figures/phase_alpha_K.pdf",
        png=report(
            "figures/phase_alpha_K.png",
            caption="../report/phase_alpha_K.rst",
            category="3. The (alpha, K) plane",
        ),
    log:
        "logs/figures/phase_alpha_K.log",
    conda:
        ENV
    script:
        "../scripts/figure_phase_alpha_K.py"


rule figure_width:
    input:
        figure_inputs("width"),
    output:
        pdf="figures/width.pdf",
        png=report(
            "figures/width.png",
            caption="../report/width.rst",
            category="1. Kernel and rich regimes",
        ),
    log:
        "logs/figures/width.log",
    conda:
        ENV
    script:
        "../scripts/figure_width.py"


rule figure_matrix_factorisation:
    input:
        figure_inputs("matrix_factorisation"),
    output:
        pdf="figures/matrix_factorisation.pdf",
        png=report(
            "figures/matrix_factorisation.png",
            caption="../report/matrix_factorisation.rst",
            category="1. Kernel and rich regimes",
        ),
    log:
        "logs/figures/matrix_factorisation.log",
    conda:
        ENV
    script:
        "../scripts/figure_matrix_factorisation.py"


rule figure_nonlinear_transition:
    input:
        networks="results/nonlinear/summary.csv",
        teacher="results/nonlinear_teacher/summary.csv",
        univariate="results/univariate/summary.csv",
        curves="results/univariate/curves.csv",
    output:
        pdf="figures/nonlinear_transition.pdf",
        png=report(
            "figures/nonlinear_transition.png",
            caption="../report/nonlinear_transition.rst",
            category="1. Kernel and rich regimes",
        ),
    log:
        "logs/figures/nonlinear_transition.log",
    conda:
        ENV
    script:
        "../scripts/figure_nonlinear_transition.py"
