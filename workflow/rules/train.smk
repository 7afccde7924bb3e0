# Stage 2: training.  One job per batch: consecutive alphas of one (depth, width, K) (all of them unless
# the experiment sets alphas_per_job), every seed; a batch of one alpha is its cell, so
# `snakemake results/<experiment>/train/<cell id>.npz` trains one cell alone.


rule train_diagonal:
    input:
        lambda wc: dataset_files(wc.experiment),
    output:
        "results/{experiment}/train/{batch}.npz",
    log:
        "logs/{experiment}/train/{batch}.log",
    benchmark:
        "benchmarks/jobs/{experiment}/train/{batch}.tsv"
    wildcard_constraints:
        experiment="|".join(DIAGONAL),
    conda:
        ENV
    threads: 1
    resources:
        runtime=30,
        mem_mb=2000,
    params:
        cells=batch_cell_ids,
        train=lambda wc: config[wc.experiment]["train"],
        code=code_version("flow", "mirror", "diagonal", "train_cells"),
    script:
        "../scripts/train_diagonal.py"


rule train_network:
    input:
        "results/{experiment}/data/{dataset}.npz",
    output:
        "results/{experiment}/train/{dataset}-{architecture}/{batch}.npz",
    log:
        "logs/{experiment}/train/{dataset}-{architecture}/{batch}.log",
    benchmark:
        "benchmarks/jobs/{experiment}/train/{dataset}-{architecture}/{batch}.tsv"
    wildcard_constraints:
        experiment="|".join(NETWORKS),
        architecture="mlp|cnn|rf",
    conda:
        ENV
    threads: 1
    resources:
        runtime=60,
        mem_mb=4000,
        gpu=0,
    params:
        cells=batch_cell_ids,
        train=lambda wc: config[wc.experiment]["train"],
        seeds=lambda wc: config[wc.experiment]["seeds"],
        centre=lambda wc: config[wc.experiment]["centre_output"],
        code=code_version("linearise", "ntk", "networks", "train_cells"),
    script:
        "../scripts/train_network.py"


rule train_matrix:
    input:
        lambda wc: matrix_dataset_files(wc.experiment, wc.task),
    output:
        "results/{experiment}/train/{task}/{batch}.npz",
    log:
        "logs/{experiment}/train/{task}/{batch}.log",
    benchmark:
        "benchmarks/jobs/{experiment}/train/{task}/{batch}.tsv"
    wildcard_constraints:
        experiment="|".join(MATRIX),
        task="sensing|completion",
    conda:
        ENV
    threads: 1
    resources:
        runtime=30,
        mem_mb=2000,
    params:
        cells=batch_cell_ids,
        train=lambda wc: config[wc.experiment]["train"],
        init=lambda wc: config[wc.experiment]["init"],
        code=code_version("matrix", "matrix_problems", "train_cells"),
    script:
        "../scripts/train_matrix.py"


rule train_teacher:
    input:
        lambda wc: dataset_files(wc.experiment),
    output:
        "results/{experiment}/train/{batch}.npz",
    log:
        "logs/{experiment}/train/{batch}.log",
    benchmark:
        "benchmarks/jobs/{experiment}/train/{batch}.tsv"
    wildcard_constraints:
        experiment="nonlinear_teacher",
    conda:
        ENV
    threads: 1
    resources:
        runtime=30,
        mem_mb=2000,
    params:
        cells=batch_cell_ids,
        train=lambda wc: config[wc.experiment]["train"],
        centre=lambda wc: config[wc.experiment]["centre_output"],
        code=code_version("nonlinear", "networks", "ntk", "train_cells"),
    script:
        "../scripts/train_teacher.py"


rule train_univariate:
    input:
        lambda wc: dataset_files(wc.experiment),
    output:
        "results/{experiment}/train/{batch}.npz",
    log:
        "logs/{experiment}/train/{batch}.log",
    benchmark:
        "benchmarks/jobs/{experiment}/train/{batch}.tsv"
    wildcard_constraints:
        experiment="univariate",
    conda:
        ENV
    threads: 1
    resources:
        runtime=30,
        mem_mb=4000,
    params:
        cells=batch_cell_ids,
        train=lambda wc: config[wc.experiment]["train"],
        code=code_version("nonlinear", "networks", "ntk", "train_cells"),
    script:
        "../scripts/train_univariate.py"
