# Stage 2: training, one job per cell (alpha, depth, width, K) running every seed of the cell.


rule train_diagonal:
    input:
        lambda wc: dataset_files(wc.experiment),
    output:
        "results/{experiment}/train/{cell}.npz",
    wildcard_constraints:
        experiment="|".join(DIAGONAL),
    params:
        train=lambda wc: config[wc.experiment]["train"],
        code=code_version("flow", "diagonal", "train_cells"),
    threads: 1
    resources:
        runtime=30,
        mem_mb=2000,
    log:
        "logs/{experiment}/train/{cell}.log",
    benchmark:
        "benchmarks/jobs/{experiment}/train/{cell}.tsv"
    conda:
        ENV
    script:
        "../scripts/train_diagonal.py"


rule train_network:
    input:
        "results/{experiment}/data/{dataset}.npz",
    output:
        "results/{experiment}/train/{dataset}-{architecture}/{cell}.npz",
    wildcard_constraints:
        experiment="|".join(NETWORKS),
        architecture="mlp|cnn",
    params:
        train=lambda wc: config[wc.experiment]["train"],
        seeds=lambda wc: config[wc.experiment]["seeds"],
        code=code_version("linearise", "ntk", "networks", "train_cells"),
    threads: 1
    resources:
        runtime=60,
        mem_mb=4000,
        gpu=0,
    log:
        "logs/{experiment}/train/{dataset}-{architecture}/{cell}.log",
    benchmark:
        "benchmarks/jobs/{experiment}/train/{dataset}-{architecture}/{cell}.tsv"
    conda:
        ENV
    script:
        "../scripts/train_network.py"
