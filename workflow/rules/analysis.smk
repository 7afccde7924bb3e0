# Stage 3: analysis: norms, distances to exact limits and kernels, references, summary tables.


rule diagonal_references:
    input:
        lambda wc: dataset_files(wc.experiment),
    output:
        "results/{experiment}/references.csv",
    log:
        "logs/{experiment}/references.log",
    wildcard_constraints:
        experiment="|".join(DIAGONAL),
    conda:
        ENV
    params:
        code=code_version("analysis", "oracle"),
    script:
        "../scripts/diagonal_references.py"


rule analyse_diagonal:
    input:
        trained="results/{experiment}/train/{batch}.npz",
        data=lambda wc: dataset_files(wc.experiment),
        references="results/{experiment}/references.csv",
    output:
        "results/{experiment}/analysis/{batch}.csv",
    log:
        "logs/{experiment}/analysis/{batch}.log",
    wildcard_constraints:
        experiment="|".join(DIAGONAL),
    conda:
        ENV
    params:
        code=code_version("analysis", "oracle", "norms"),
    script:
        "../scripts/analyse_diagonal.py"


rule analyse_network:
    input:
        "results/{experiment}/train/{model}/{batch}.npz",
    output:
        final="results/{experiment}/analysis/{model}/{batch}.csv",
        history="results/{experiment}/history/{model}/{batch}.csv",
    log:
        "logs/{experiment}/analysis/{model}/{batch}.log",
    wildcard_constraints:
        experiment="|".join(NETWORKS),
    conda:
        ENV
    params:
        code=code_version("analysis"),
    script:
        "../scripts/analyse_network.py"


rule matrix_references:
    input:
        lambda wc: matrix_dataset_files(wc.experiment, wc.task),
    output:
        "results/{experiment}/references/{task}.csv",
    log:
        "logs/{experiment}/references/{task}.log",
    wildcard_constraints:
        experiment="|".join(MATRIX),
    conda:
        ENV
    params:
        code=code_version("analysis_beyond", "matrix_problems"),
    script:
        "../scripts/matrix_references.py"


rule analyse_matrix:
    input:
        trained="results/{experiment}/train/{task}/{batch}.npz",
        data=lambda wc: matrix_dataset_files(wc.experiment, wc.task),
        references="results/{experiment}/references/{task}.csv",
    output:
        "results/{experiment}/analysis/{task}/{batch}.csv",
    log:
        "logs/{experiment}/analysis/{task}/{batch}.log",
    wildcard_constraints:
        experiment="|".join(MATRIX),
    conda:
        ENV
    params:
        code=code_version("analysis_beyond", "matrix_problems"),
    script:
        "../scripts/analyse_matrix.py"


rule analyse_teacher:
    input:
        trained="results/{experiment}/train/{batch}.npz",
        data=lambda wc: dataset_files(wc.experiment),
    output:
        "results/{experiment}/analysis/{batch}.csv",
    log:
        "logs/{experiment}/analysis/{batch}.log",
    wildcard_constraints:
        experiment="nonlinear_teacher",
    conda:
        ENV
    params:
        code=code_version("analysis_beyond"),
    script:
        "../scripts/analyse_teacher.py"


rule analyse_univariate:
    input:
        trained="results/{experiment}/train/{batch}.npz",
        data=lambda wc: dataset_files(wc.experiment),
    output:
        final="results/{experiment}/analysis/{batch}.csv",
        curves="results/{experiment}/curves/{batch}.csv",
    log:
        "logs/{experiment}/analysis/{batch}.log",
    wildcard_constraints:
        experiment="univariate",
    conda:
        ENV
    params:
        code=code_version("analysis_beyond"),
    script:
        "../scripts/analyse_univariate.py"


rule univariate_curves:
    input:
        lambda wc: analysis_files("univariate", "curves"),
    output:
        "results/univariate/curves.csv",
    log:
        "logs/univariate/curves.log",
    conda:
        ENV
    script:
        "../scripts/concatenate.py"


rule summarise:
    input:
        lambda wc: analysis_files(wc.experiment),
    output:
        summary="results/{experiment}/summary.csv",
        provenance="results/{experiment}/provenance.json",
    log:
        "logs/{experiment}/summary.log",
    conda:
        ENV
    params:
        config=lambda wc: config[wc.experiment],
    script:
        "../scripts/summarise.py"


rule history:
    input:
        lambda wc: analysis_files(wc.experiment, "history"),
    output:
        "results/{experiment}/history.csv",
    log:
        "logs/{experiment}/history.log",
    wildcard_constraints:
        experiment="|".join(NETWORKS),
    conda:
        ENV
    script:
        "../scripts/concatenate.py"


rule sample_complexity:
    input:
        dataset_files(
            "sparse",
            n=max(config["sparse"]["sample_complexity"]["n"]),
            seeds=config["sparse"]["sample_complexity"]["seeds"],
        )
        if "sparse" in config
        else [],
    output:
        "results/sparse/sample_complexity.csv",
    log:
        "logs/sparse/sample_complexity.log",
    conda:
        ENV
    params:
        settings=config["sparse"]["sample_complexity"] if "sparse" in config else {},
        code=code_version("analysis", "oracle"),
    script:
        "../scripts/sample_complexity.py"


rule claims:
    input:
        summaries=all_summaries(),
        sample_complexity=(
            "results/sparse/sample_complexity.csv" if "sparse" in config else []
        ),
    output:
        csv="results/claims.csv",
        md="results/claims.md",
        html=report(
            "results/claims.html",
            caption="../report/claims.rst",
            category="0. Claims",
        ),
    log:
        "logs/claims.log",
    conda:
        ENV
    params:
        experiments=experiments(),
        threshold=(
            config["sparse"]["sample_complexity"]["threshold"]
            if "sparse" in config
            else None
        ),
        steps=config["linearised"]["train"]["steps"] if "linearised" in config else None,
        code=code_version("claims"),
    script:
        "../scripts/claims.py"
