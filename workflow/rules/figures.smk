# Figures, one rule (and one script) each; each reads tables only (regimes.figures: the catalogue).


rule figure_sparse_transition:
    input:
        "results/sparse/summary.csv",
    output:
        pdf="figures/sparse_transition.pdf",
        png=report(
            "figures/sparse_transition.png",
            caption="../report/sparse_transition.rst",
            subcategory="01. sparse_transition",
            category="1. Kernel and rich regimes",
        ),
    log:
        "logs/figures/sparse_transition.log",
    localrule: True
    conda:
        ENV
    params:
        code=code("figures/sparse_transition.py"),
    script:
        "../scripts/figures/sparse_transition.py"


rule figure_implicit_norm:
    input:
        "results/sparse/summary.csv",
    output:
        pdf="figures/implicit_norm.pdf",
        png=report(
            "figures/implicit_norm.png",
            caption="../report/implicit_norm.rst",
            subcategory="02. implicit_norm",
            category="1. Kernel and rich regimes",
        ),
    log:
        "logs/figures/implicit_norm.log",
    localrule: True
    conda:
        ENV
    params:
        code=code("figures/implicit_norm.py"),
    script:
        "../scripts/figures/implicit_norm.py"


rule figure_q_functions:
    output:
        pdf="figures/q_functions.pdf",
        png=report(
            "figures/q_functions.png",
            caption="../report/q_functions.rst",
            subcategory="03. q_functions",
            category="1. Kernel and rich regimes",
        ),
    log:
        "logs/figures/q_functions.log",
    localrule: True
    conda:
        ENV
    params:
        code=code("figures/q_functions.py"),
    script:
        "../scripts/figures/q_functions.py"


rule figure_sample_complexity:
    input:
        "results/sparse/sample_complexity.csv",
    output:
        pdf="figures/sample_complexity.pdf",
        png=report(
            "figures/sample_complexity.png",
            caption="../report/sample_complexity.rst",
            subcategory="04. sample_complexity",
            category="1. Kernel and rich regimes",
        ),
    log:
        "logs/figures/sample_complexity.log",
    localrule: True
    conda:
        ENV
    params:
        code=code("figures/sample_complexity.py"),
    script:
        "../scripts/figures/sample_complexity.py"


rule figure_width:
    input:
        width="results/width/summary.csv",
        commuting=also_tables("width", "summary"),
    output:
        pdf="figures/width.pdf",
        png=report(
            "figures/width.png",
            caption="../report/width.rst",
            subcategory="05. width",
            category="1. Kernel and rich regimes",
        ),
    log:
        "logs/figures/width.log",
    localrule: True
    conda:
        ENV
    params:
        code=code("figures/width.py"),
    script:
        "../scripts/figures/width.py"


rule figure_matrix_factorisation:
    input:
        "results/matrix_factorisation/summary.csv",
    output:
        pdf="figures/matrix_factorisation.pdf",
        png=report(
            "figures/matrix_factorisation.png",
            caption="../report/matrix_factorisation.rst",
            subcategory="06. matrix_factorisation",
            category="1. Kernel and rich regimes",
        ),
    log:
        "logs/figures/matrix_factorisation.log",
    localrule: True
    conda:
        ENV
    params:
        code=code("figures/matrix_factorisation.py"),
    script:
        "../scripts/figures/matrix_factorisation.py"


rule figure_nonlinear_transition:
    input:
        networks=[
            "results/nonlinear/summary.csv",
            *also_tables("nonlinear_transition", "summary", "network"),
        ],
        teacher="results/nonlinear_teacher/summary.csv",
        centred=also_tables("nonlinear_transition", "summary", "teacher"),
        univariate="results/univariate/summary.csv",
        curves="results/univariate/curves.csv",
    output:
        pdf="figures/nonlinear_transition.pdf",
        png=report(
            "figures/nonlinear_transition.png",
            caption="../report/nonlinear_transition.rst",
            subcategory="07. nonlinear_transition",
            category="1. Kernel and rich regimes",
        ),
    log:
        "logs/figures/nonlinear_transition.log",
    localrule: True
    conda:
        ENV
    params:
        code=code("figures/nonlinear_transition.py"),
    script:
        "../scripts/figures/nonlinear_transition.py"


rule figure_univariate_balance:
    input:
        summaries=figure_tables("univariate_balance", "summary"),
        curves=figure_tables("univariate_balance", "curves"),
    output:
        pdf="figures/univariate_balance.pdf",
        png=report(
            "figures/univariate_balance.png",
            caption="../report/univariate_balance.rst",
            subcategory="08. univariate_balance",
            category="1. Kernel and rich regimes",
        ),
    log:
        "logs/figures/univariate_balance.log",
    localrule: True
    conda:
        ENV
    params:
        code=code("figures/univariate_balance.py"),
    script:
        "../scripts/figures/univariate_balance.py"


rule figure_accuracy_vs_K:
    input:
        summary=figure_tables("accuracy_vs_K", "summary"),
        history=figure_tables("accuracy_vs_K", "history"),
    output:
        pdf="figures/accuracy_vs_K.pdf",
        png=report(
            "figures/accuracy_vs_K.png",
            caption="../report/accuracy_vs_K.rst",
            subcategory="09. accuracy_vs_K",
            category="2. Iterative linearisation",
        ),
    log:
        "logs/figures/accuracy_vs_K.log",
    localrule: True
    conda:
        ENV
    params:
        code=code("figures/accuracy_vs_K.py"),
    script:
        "../scripts/figures/accuracy_vs_K.py"


rule figure_kernel_change:
    input:
        summary=figure_tables("kernel_change", "summary"),
        history=figure_tables("kernel_change", "history"),
    output:
        pdf="figures/kernel_change.pdf",
        png=report(
            "figures/kernel_change.png",
            caption="../report/kernel_change.rst",
            subcategory="10. kernel_change",
            category="2. Iterative linearisation",
        ),
    log:
        "logs/figures/kernel_change.log",
    localrule: True
    conda:
        ENV
    params:
        code=code("figures/kernel_change.py"),
    script:
        "../scripts/figures/kernel_change.py"


rule figure_training_curves:
    input:
        summary=figure_tables("training_curves", "summary"),
        history=figure_tables("training_curves", "history"),
    output:
        pdf="figures/training_curves.pdf",
        png=report(
            "figures/training_curves.png",
            caption="../report/training_curves.rst",
            subcategory="11. training_curves",
            category="2. Iterative linearisation",
        ),
    log:
        "logs/figures/training_curves.log",
    localrule: True
    conda:
        ENV
    params:
        code=code("figures/training_curves.py"),
    script:
        "../scripts/figures/training_curves.py"


rule figure_gauss_newton:
    input:
        summary="results/gauss_newton/summary.csv",
        rounds="results/gauss_newton/history.csv",
    output:
        pdf="figures/gauss_newton.pdf",
        png=report(
            "figures/gauss_newton.png",
            caption="../report/gauss_newton.rst",
            subcategory="12. gauss_newton",
            category="2. Iterative linearisation",
        ),
    log:
        "logs/figures/gauss_newton.log",
    localrule: True
    conda:
        ENV
    params:
        code=code("figures/gauss_newton.py"),
    script:
        "../scripts/figures/gauss_newton.py"


rule figure_phase_alpha_K:
    input:
        diagonal="results/sparse_K/summary.csv",
        network="results/linearised_phase/summary.csv",
    output:
        pdf="figures/phase_alpha_K.pdf",
        png=report(
            "figures/phase_alpha_K.png",
            caption="../report/phase_alpha_K.rst",
            subcategory="13. phase_alpha_K",
            category="3. The (alpha, K) plane",
        ),
    log:
        "logs/figures/phase_alpha_K.log",
    localrule: True
    conda:
        ENV
    params:
        code=code("figures/phase_alpha_K.py"),
    script:
        "../scripts/figures/phase_alpha_K.py"
