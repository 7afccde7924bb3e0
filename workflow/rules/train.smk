# Stage 2: training, one job per cell (alpha, depth, width, K) running every seed of the cell at once.


rule train_sparse:
    input:
        dataset_files("sparse"),
    output:
        "results/sparse/train/{cell}.npz",
    log:
        "logs/sparse/train/{cell}.log",
    benchmark:
        "benchmarks/jobs/sparse/train/{cell}.tsv"
    conda:
        ENV
    threads: 1
    resources:
        runtime=30,
        mem_mb=2000,
    params:
        train=config["sparse"]["train"],
        code=code_version("flow", "diagonal"),
    script:
        "../scripts/train_sparse.py"
