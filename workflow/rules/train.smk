# Stage 2: training, one job per cell (alpha, depth, width, K) running every seed of the cell.


rule train_diagonal:
    input:
        lambda wc: dataset_files(wc.experiment),
    output:
        "results/{experiment}/train/{cell}.npz",
    log:
        "logs/{experiment}/train/{cell}.log",
    benchmark:
        "benchmarks/jobs/{experiment}/train/{cell}.tsv"
    wildcard_constraints:
        experiment="|".join(DIAGONAL),
    conda:
        ENV
    threads: 1
    resources:
        runtime=30,
        mem_mb=2000,
    params:
        train=lambda wc: config[wc.experiment]["train"],
        code=code_version("flow", "diagonal", "train_cells"),
    script:
        "../scripts/train_diagonal.py"


rule train_network:
    input:
        "results/{experiment}/data/{dataset}.npz",
    output:
        "results/{experiment}/train/{dataset}-{architecture}/{cell}.npz",
    log:
        "logs/{experiment}/train/{dataset}-{architecture}/{cell}.log",
    benchmark:
        "benchmarks/jobs/{experiment}/train/{dataset}-{architecture}/{cell}.tsv"
    wildcard_constraints:
        experiment="|".join(NETWORKS),
        architecture="mlp|cnn",
    conda:
        ENV
    threads: 1
    resources:
        runtime=60,
        mem_mb=4000,
        gpu=0,
    params:
        train=lambda wc: config[wc.experiment]["train"],
        seeds=lambda wc: config[wc.experiment]["seeds"],
        code=code_version("linearise", "ntk", "networks", "train_cells"),
    script:
        "../scripts/train_network.py"
