# Stage 1: data sets (.npz), generated from seeds: nothing is downloaded.


rule diagonal_dataset:
    output:
        "results/{experiment}/data/seed~{seed}_n~{n}.npz",
    log:
        "logs/{experiment}/data/seed~{seed}_n~{n}.log",
    wildcard_constraints:
        experiment="|".join(DIAGONAL),
    conda:
        ENV
    params:
        data=lambda wc: config[wc.experiment]["data"],
        code=code_version("data"),
    script:
        "../scripts/diagonal_dataset.py"


rule network_dataset:
    output:
        "results/{experiment}/data/{dataset}.npz",
    log:
        "logs/{experiment}/data/{dataset}.log",
    wildcard_constraints:
        experiment="|".join(NETWORKS),
        dataset="mnist1d|digits",
    conda:
        ENV
    params:
        data=lambda wc: config[wc.experiment]["data"][wc.dataset],
        code=code_version("datasets"),
    script:
        "../scripts/network_dataset.py"


rule matrix_dataset:
    output:
        "results/{experiment}/data/{task}_seed~{seed}.npz",
    log:
        "logs/{experiment}/data/{task}_seed~{seed}.log",
    wildcard_constraints:
        experiment="|".join(MATRIX),
        task="sensing|completion",
    conda:
        ENV
    params:
        data=lambda wc: config[wc.experiment]["data"],
        code=code_version("matrix_problems"),
    script:
        "../scripts/matrix_dataset.py"


rule interpolation_dataset:
    output:
        "results/{experiment}/data/seed~{seed}_n~{n}.npz",
    log:
        "logs/{experiment}/data/seed~{seed}_n~{n}.log",
    wildcard_constraints:
        experiment="|".join(INTERPOLATION),
    conda:
        ENV
    params:
        data=lambda wc: config[wc.experiment]["data"],
        code=code_version("data"),
    script:
        "../scripts/interpolation_dataset.py"
