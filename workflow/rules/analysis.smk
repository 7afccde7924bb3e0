# Stage 3: analysis: norms, distances to exact limits and kernels, references, summary tables.


rule diagonal_references:
    input:
        lambda wc: dataset_files(wc.experiment),
    output:
        "results/{experiment}/references.csv",
    wildcard_constraints:
        experiment="|".join(DIAGONAL),
    params:
        code=code_version("analysis", "oracle"),
    log:
        "logs/{experiment}/references.log",
    conda:
        ENV
    script:
        "../scripts/diagonal_references.py"


rule analyse_diagonal:
    input:
        trained="results/{experiment}/train/{cell}.npz",
        data=lambda wc: dataset_files(wc.experiment),
        references="results/{experiment}/references.csv",
    output:
        "results/{experiment}/analysis/{cell}.csv",
    wildcard_constraints:
        experiment="|".join(DIAGONAL),
    params:
        code=code_version("analysis", "oracle", "norms"),
    log:
        "logs/{experiment}/analysis/{cell}.log",
    conda:
        ENV
    script:
        "../scripts/analyse_diagonal.py"


rule analyse_network:
    input:
        "results/{experiment}/train/{model}/{cell}.npz",
    output:
        final="results/{experiment}/analysis/{model}/{cell}.csv",
        history="results/{experiment}/history/{model}/{cell}.csv",
    wildcard_constraints:
        experiment="|".join(NETWORKS),
    params:
        code=code_version("analysis"),
    log:
        "logs/{experiment}/analysis/{model}/{cell}.log",
    conda:
        ENV
    script:
        "../scripts/analyse_network.py"


rule summarise:
    input:
        lambda wc: analysis_files(wc.experiment),
    output:
        summary="results/{experiment}/summary.csv",
        provenance="results/{experiment}/provenance.json",
    params:
        config=lambda wc: config[wc.experiment],
    log:
        "logs/{experiment}/summary.log",
    conda:
        ENV
    script:
        "../scripts/summarise.py"


rule history:
    input:
        lambda wc: analysis_files(wc.experiment, "history"),
    output:
        "results/{experiment}/history.csv",
    wildcard_constraints:
        experiment="|".join(NETWORKS),
    log:
        "logs/{experiment}/history.log",
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
    params:
        settings=config["sparse"]["sample_complexity"] if "sparse" in config else {},
        code=code_version("analysis", "oracle"),
    log:
        "logs/sparse/sample_complexity.log",
    conda:
        ENV
    script:
        "../scripts/sample_complexity.py"
