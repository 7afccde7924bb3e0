# The network family (Goldwaser & Ge 2023; Woodworth et al. 2020, sec. 7): classification data ->
# training re-linearised every K steps, a batch of cells as one ensemble -> final metrics, training
# histories and learning-rate searches.


rule network_dataset:
    output:
        "results/{experiment}/data/{dataset}.npz",
    log:
        "logs/{experiment}/data/{dataset}.log",
    wildcard_constraints:
        experiment=family("network", "gauss_newton"),
        dataset="|".join(DATASETS),
    localrule: True
    conda:
        ENV
    params:
        data=get_network_data,
        code=code("networks/dataset.py"),
    script:
        "../scripts/networks/dataset.py"


# Training, one rule for both network families (one job per batch of cells, every seed, K and learning
# rate): the ensemble re-linearised every K steps (network), and iterative linearisation beside damped
# Gauss-Newton round by round (gauss_newton, Goldwaser & Ge 2023, sec. 2.4); each its own script.
# The script is named through params: a directive that runs at job time (script) would read the loop's
# last value, and the loop's names must not shadow Snakemake's own (`script` is one).
for trained, trainer, priority in (
    ("network", "networks/train.py", 20),
    ("gauss_newton", "networks/train_gauss_newton.py", 10),
):

    rule:
        name:
            f"train_{trained}"
        input:
            "results/{experiment}/data/{dataset}.npz",
        output:
            "results/{experiment}/train/{dataset}-{architecture}/{batch}.npz",
        log:
            "logs/{experiment}/train/{dataset}-{architecture}/{batch}.log",
        benchmark:
            "benchmarks/jobs/{experiment}/train/{dataset}-{architecture}/{batch}.tsv"
        wildcard_constraints:
            experiment=family(trained),
            architecture="|".join(ARCHITECTURES),
        priority: priority  # long jobs first, so that none is left running alone at the end
        conda:
            TRAIN_ENV
        threads: 1
        resources:
            runtime=60,
            mem_mb=4000,
            gpu=0,
        params:
            cells=get_cells,
            train=get_train,
            seeds=get_seeds,
            centre=get_centre,
            device=get_device,
            code=code(trainer),
            trainer=trainer,
        script:
            "../scripts/{params.trainer}"


rule analyse_network:
    input:
        "results/{experiment}/train/{model}/{batch}.npz",
    output:
        final="results/{experiment}/analysis/{model}/{batch}.csv",
        history="results/{experiment}/history/{model}/{batch}.csv",
        search="results/{experiment}/lr_search/{model}/{batch}.csv",
    log:
        "logs/{experiment}/analysis/{model}/{batch}.log",
    wildcard_constraints:
        experiment=family("network"),
    conda:
        ENV
    params:
        T=get_T,
        until_interpolation=get_until_interpolation,
        train=get_train,
        code=code("networks/analyse.py"),
    script:
        "../scripts/networks/analyse.py"


rule history:
    input:
        get_history_files,
    output:
        "results/{experiment}/history.csv",
    log:
        "logs/{experiment}/history.log",
    wildcard_constraints:
        experiment=family("network", "gauss_newton"),
    localrule: True
    conda:
        ENV
    params:
        code=code("summaries/concatenate.py"),
    script:
        "../scripts/summaries/concatenate.py"


# Iterative linearisation beside damped Gauss-Newton: final metrics and the rounds.


rule analyse_gauss_newton:
    input:
        "results/{experiment}/train/{model}/{batch}.npz",
    output:
        final="results/{experiment}/analysis/{model}/{batch}.csv",
        history="results/{experiment}/history/{model}/{batch}.csv",
    log:
        "logs/{experiment}/analysis/{model}/{batch}.log",
    wildcard_constraints:
        experiment=family("gauss_newton"),
    conda:
        ENV
    params:
        code=code("networks/analyse_gauss_newton.py"),
    script:
        "../scripts/networks/analyse_gauss_newton.py"
