# The teacher family (Woodworth et al. 2020, sec. 7, fig. 6): ReLU students of a ReLU teacher on the
# circle, trained to interpolation.


rule teacher_dataset:
    output:
        "results/{experiment}/data/seed~{seed}_n~{n}.npz",
    log:
        "logs/{experiment}/data/seed~{seed}_n~{n}.log",
    wildcard_constraints:
        experiment=family("teacher"),
    localrule: True
    conda:
        ENV
    params:
        data=get_data,
        code=code("teacher/dataset.py"),
    script:
        "../scripts/teacher/dataset.py"


rule train_teacher:
    input:
        get_dataset_files,
    output:
        "results/{experiment}/train/{batch}.npz",
    log:
        "logs/{experiment}/train/{batch}.log",
    benchmark:
        "benchmarks/jobs/{experiment}/train/{batch}.tsv"
    wildcard_constraints:
        experiment=family("teacher"),
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
        centre=get_centre,
        code=code("teacher/train.py"),
    script:
        "../scripts/teacher/train.py"


rule analyse_teacher:
    input:
        trained="results/{experiment}/train/{batch}.npz",
        data=get_dataset_files,
    output:
        "results/{experiment}/analysis/{batch}.csv",
    log:
        "logs/{experiment}/analysis/{batch}.log",
    wildcard_constraints:
        experiment=family("teacher"),
    conda:
        ENV
    params:
        train=get_train,
        code=code("teacher/analyse.py"),
    script:
        "../scripts/teacher/analyse.py"
