# The matrix family (Woodworth et al. 2020, sec. 6): sensing and completion problems -> training of the
# factorised model by batch -> recovery and norms against the convex references.


rule matrix_dataset:
    output:
        "results/{experiment}/data/{task}_seed~{seed}.npz",
    log:
        "logs/{experiment}/data/{task}_seed~{seed}.log",
    wildcard_constraints:
        experiment=family("matrix"),
    localrule: True
    conda:
        ENV
    params:
        data=get_data,
        code=code("matrix/dataset.py"),
    script:
        "../scripts/matrix/dataset.py"


rule matrix_references:
    input:
        get_matrix_dataset_files,
    output:
        "results/{experiment}/references/{task}.csv",
    log:
        "logs/{experiment}/references/{task}.log",
    wildcard_constraints:
        experiment=family("matrix"),
    localrule: True
    conda:
        ENV
    params:
        code=code("matrix/references.py"),
    script:
        "../scripts/matrix/references.py"


rule train_matrix:
    input:
        get_matrix_dataset_files,
    output:
        "results/{experiment}/train/{task}/{batch}.npz",
    log:
        "logs/{experiment}/train/{task}/{batch}.log",
    benchmark:
        "benchmarks/jobs/{experiment}/train/{task}/{batch}.tsv"
    wildcard_constraints:
        experiment=family("matrix"),
    priority: 20  # long jobs first, so that none is left running alone at the end
    conda:
        TRAIN_ENV
    threads: 1
    resources:
        runtime=30,
        mem_mb=2000,
    params:
        cells=get_cells,
        train=get_train,
        init=get_init,
        limit=get_limit,
        code=code("matrix/train.py"),
    script:
        "../scripts/matrix/train.py"


rule analyse_matrix:
    input:
        trained="results/{experiment}/train/{task}/{batch}.npz",
        data=get_matrix_dataset_files,
        references="results/{experiment}/references/{task}.csv",
    output:
        "results/{experiment}/analysis/{task}/{batch}.csv",
    log:
        "logs/{experiment}/analysis/{task}/{batch}.log",
    wildcard_constraints:
        experiment=family("matrix"),
    conda:
        ENV
    params:
        code=code("matrix/analyse.py"),
    script:
        "../scripts/matrix/analyse.py"
