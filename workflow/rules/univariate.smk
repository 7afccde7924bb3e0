# The univariate family (Woodworth et al. 2020, sec. 7, fig. 7): a wide one-hidden-layer ReLU network on
# points of a line, trained to interpolation, against the linear and cubic splines.


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
        code=code("univariate/dataset.py"),
    script:
        "../scripts/univariate/dataset.py"


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
        code=code("univariate/train.py"),
    script:
        "../scripts/univariate/train.py"


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
        code=code("univariate/analyse.py"),
    script:
        "../scripts/univariate/analyse.py"


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
