# Stage 1: data sets, one .npz per (experiment, seed, n).


rule sparse_dataset:
    output:
        "results/sparse/data/seed~{seed}_n~{n}.npz",
    log:
        "logs/sparse/data/seed~{seed}_n~{n}.log",
    conda:
        ENV
    params:
        data=lambda wc: config["sparse"]["data"],
        code=code_version("data"),
    script:
        "../scripts/sparse_dataset.py"
