# The diagonal family (Woodworth et al. 2020, secs. 3-4): sparse regression -> training by batch of
# alphas -> norms and distances to the exact limit -> sample complexity from the exact limit.


rule diagonal_dataset:
    output:
        "results/{experiment}/data/seed~{seed}_n~{n}.npz",
    log:
        "logs/{experiment}/data/seed~{seed}_n~{n}.log",
    wildcard_constraints:
        experiment=family("diagonal"),
    localrule: True
    conda:
        ENV
    params:
        data=get_data,
        code=code("diagonal/dataset.py"),
    script:
        "../scripts/diagonal/dataset.py"


rule diagonal_references:
    input:
        get_dataset_files,
    output:
        "results/{experiment}/references.csv",
    log:
        "logs/{experiment}/references.log",
    wildcard_constraints:
        experiment=family("diagonal"),
    localrule: True
    conda:
        ENV
    params:
        code=code("diagonal/references.py"),
    script:
        "../scripts/diagonal/references.py"


rule train_diagonal:
    input:
        get_dataset_files,
    output:
        "results/{experiment}/train/{batch}.npz",
    log:
        "logs/{experiment}/train/{batch}.log",
    benchmark:
        "benchmarks/jobs/{experiment}/train/{batch}.tsv"
    wildcard_constraints:
        experiment=family("diagonal"),
    priority: 10  # long jobs first, so that none is left running alone at the end
    conda:
        TRAIN_ENV
    threads: 1
    resources:
        runtime=30,
        mem_mb=2000,
    params:
        cells=get_cells,
        train=get_train,
        code=code("diagonal/train.py"),
    script:
        "../scripts/diagonal/train.py"


rule analyse_diagonal:
    input:
        trained="results/{experiment}/train/{batch}.npz",
        data=get_dataset_files,
        references="results/{experiment}/references.csv",
    output:
        "results/{experiment}/analysis/{batch}.csv",
    log:
        "logs/{experiment}/analysis/{batch}.log",
    wildcard_constraints:
        experiment=family("diagonal"),
    conda:
        ENV
    params:
        code=code("diagonal/analyse.py"),
    script:
        "../scripts/diagonal/analyse.py"


rule sample_complexity:
    input:
        get_sample_complexity_files,
    output:
        "results/{experiment}/sample_complexity.csv",
    log:
        "logs/{experiment}/sample_complexity.log",
    wildcard_constraints:
        experiment="|".join(sample_complexity_experiments()) or "(?!)",
    priority: 50  # long jobs first, so that none is left running alone at the end
    conda:
        ENV
    params:
        settings=get_sample_complexity,
        code=code("diagonal/sample_complexity.py"),
    script:
        "../scripts/diagonal/sample_complexity.py"
