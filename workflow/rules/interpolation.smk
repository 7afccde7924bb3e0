# The small networks trained to interpolation (Woodworth et al. 2020, sec. 7): the teacher family
# (students of a ReLU teacher on the circle, fig. 6) and the univariate family (splines, fig. 7).


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
        code=code("interpolation/teacher_dataset.py"),
    script:
        "../scripts/interpolation/teacher_dataset.py"


rule univariate_dataset:
    output:
        "results/{experiment}/data/seed~{seed}_n~{n}.npz",
    log:
        "logs/{experiment}/data/seed~{seed}_n~{n}.log",
    wildcard_constraints:
        experiment=family("univariate"),
    localrule: True
    conda:
        ENV
    params:
        data=get_data,
        code=code("interpolation/univariate_dataset.py"),
    script:
        "../scripts/interpolation/univariate_dataset.py"


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
        code=code("interpolation/train_teacher.py"),
    script:
        "../scripts/interpolation/train_teacher.py"


rule train_univariate:
    input:
        get_dataset_files,
    output:
        "results/{experiment}/train/{batch}.npz",
    log:
        "logs/{experiment}/train/{batch}.log",
    benchmark:
        "benchmarks/jobs/{experiment}/train/{batch}.tsv"
    wildcard_constraints:
        experiment=family("univariate"),
    priority: 30  # long jobs first, so that none is left running alone at the end
    conda:
        TRAIN_ENV
    threads: 1
    resources:
        runtime=30,
        mem_mb=4000,
    params:
        cells=get_cells,
        train=get_train,
        balance=get_balance,
        code=code("interpolation/train_univariate.py"),
    script:
        "../scripts/interpolation/train_univariate.py"


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
        code=code("interpolation/analyse_teacher.py"),
    script:
        "../scripts/interpolation/analyse_teacher.py"


rule analyse_univariate:
    input:
        trained="results/{experiment}/train/{batch}.npz",
        data=get_dataset_files,
    output:
        final="results/{experiment}/analysis/{batch}.csv",
        curves="results/{experiment}/curves/{batch}.csv",
    log:
        "logs/{experiment}/analysis/{batch}.log",
    wildcard_constraints:
        experiment=family("univariate"),
    conda:
        ENV
    params:
        train=get_train,
        code=code("interpolation/analyse_univariate.py"),
    script:
        "../scripts/interpolation/analyse_univariate.py"


rule univariate_curves:
    input:
        get_curves_files,
    output:
        "results/{experiment}/curves.csv",
    log:
        "logs/{experiment}/curves.log",
    wildcard_constraints:
        experiment=family("univariate"),
    localrule: True
    conda:
        ENV
    params:
        code=code("summaries/concatenate.py"),
    script:
        "../scripts/summaries/concatenate.py"
