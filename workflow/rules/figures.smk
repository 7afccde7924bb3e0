# Figures: one rule for every figure of the catalogue (regimes.figures.FIGURES: the tables each draws,
# its section of the report), one script each; each reads tables only.


rule figure:
    input:
        unpack(get_figure_inputs),
    output:
        pdf="figures/{figure}.pdf",
        png=report(
            "figures/{figure}.png",
            caption="../report/figure.rst",
            category=get_figure_category,
            subcategory=get_figure_subcategory,
        ),
    log:
        "logs/figures/{figure}.log",
    wildcard_constraints:
        figure="|".join(FIGURES),
    localrule: True
    conda:
        ENV
    params:
        caption=get_figure_caption,
        code=get_figure_code,
    script:
        "../scripts/figures/{wildcards.figure}.py"


# A user's experiment of a family with a generic figure (regimes.figures.GENERIC), drawn by no figure of
# the catalogue: figures/<experiment>.pdf from its own tables, in the report's last section.
rule experiment_figure:
    input:
        summary="results/{experiment}/summary.csv",
        history="results/{experiment}/history.csv",
    output:
        pdf="figures/{experiment}.pdf",
        png=report(
            "figures/{experiment}.png",
            caption="../report/figure.rst",
            category=get_figure_category,
            subcategory=get_figure_subcategory,
        ),
    log:
        "logs/figures/{experiment}.log",
    wildcard_constraints:
        experiment="|".join(own_figures()) or "(?!x)x",
    localrule: True
    conda:
        ENV
    params:
        caption=get_experiment_figure_caption,
        draw=get_generic_drawing,
        code=code("figures/experiment_figure.py"),
    script:
        "../scripts/figures/experiment_figure.py"
