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
