# Stage 1: data sets (.npz), generated from seeds: nothing is downloaded.


rule diagonal_dataset:
    output:
        "results/{experiment}/data/seed~{seed}_n~{n}.npz",
    wildcard_constraints:
        experiment="|".join(DIAGONAL),
    params:
        data=lambda wc: config[wc.experiment]["data"],
        code=code_version("data"),
    log:
        "logs/{experiment}/data/seed~{seed}_n~{n}.log",
    conda:
        ENV
    script:
        "../scripts/diagonal_dataset.py"


rule network_dataset:
    output:
        "results/{experiment}/data/{dataset}.npz",
    wildcard_constraints:
        experiment="|".join(NETWORKS),
        dataset="mnist1d|digits",
    params:
        data=lambda wc: config[wc.experiment]["data"][wc.dataset],
        code=code_version("datasets"),
    log:
        "logs/{experiment}/data/{dataset}.log",
    conda:
        ENV
    script:
        "../scripts/network_dataset.py"
