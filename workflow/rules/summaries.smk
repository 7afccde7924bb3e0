# Summaries of every experiment (one row per cell and seed) and the claims of both papers checked on them.


rule summarise:
    input:
        get_analysis_files,
    output:
        summary=report(
            "results/{experiment}/summary.csv",
            caption="../report/summary.rst",
            category="4. Summary tables",
        ),
        provenance="results/{experiment}/provenance.json",
    log:
        "logs/{experiment}/summary.log",
    localrule: True
    conda:
        ENV
    params:
        config=get_settings,
        code=code("summaries/summarise.py"),
    script:
        "../scripts/summaries/summarise.py"


rule claims:
    input:
        summaries=all_summaries(),
        sample_complexity=all_sample_complexity(),
        curves=rebalance_curves(),
    output:
        csv="results/claims.csv",
        md="results/claims.md",
        html=report(
            "results/claims.html",
            caption="../report/claims.rst",
            category="0. Claims",
        ),
    log:
        "logs/claims.log",
    localrule: True
    conda:
        ENV
    params:
        plan=get_claims_plan,
        code=code("summaries/claims.py"),
    script:
        "../scripts/summaries/claims.py"


rule report_page:
    input:
        claims="results/claims.csv",
        figures=expand("figures/{name}.png", name=drawn_figures()),
        summaries=all_summaries(),
    output:
        "results/report.html",
    log:
        "logs/report.log",
    localrule: True
    conda:
        ENV
    params:
        figures=drawn_figures(),
        experiments=experiments(config),
        run=run_name(),
        code=code("summaries/report.py"),
    script:
        "../scripts/summaries/report.py"
