# Stage 3: analysis: norms, distance to the exact limit, references, the summary table.


rule sparse_references:
    input:
        dataset_files("sparse"),
    output:
        "results/sparse/references.csv",
    log:
        "logs/sparse/references.log",
    conda:
        ENV
    params:
        code=code_version("analysis", "oracle"),
    script:
        "../scripts/sparse_references.py"


rule analyse_sparse:
    input:
        trained="results/sparse/train/{cell}.npz",
        data=dataset_files("sparse"),
        references="results/sparse/references.csv",
    output:
        "results/sparse/analysis/{cell}.csv",
    log:
        "logs/sparse/analysis/{cell}.log",
    conda:
        ENV
    params:
        code=code_version("analysis", "oracle", "norms"),
    script:
        "../scripts/analyse_sparse.py"


rule summarise:
    input:
        lambda wc: cell_files(wc.experiment, "analysis", "csv"),
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


rule sample_complexity:
    input:
        expand(
            "results/sparse/data/seed~{seed}_n~{n}.npz",
            seed=config["sparse"]["sample_complexity"]["seeds"],
            n=max(config["sparse"]["sample_complexity"]["n"]),
        ),
    output:
        "results/sparse/sample_complexity.csv",
    log:
        "logs/sparse/sample_complexity.log",
    conda:
        ENV
    params:
        settings=config["sparse"]["sample_complexity"],
        code=code_version("analysis", "oracle"),
    script:
        "../scripts/sample_complexity.py"
