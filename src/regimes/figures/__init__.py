"""One function per figure of the catalogue (docs/science.md sec. 4); each takes tables only and writes
``<name>.pdf`` and ``.png``.  Modules by model family: ``diagonal``, ``linearisation``, ``matrix``,
``nonlinear``; ``style`` is their shared look.

``FIGURES``: each figure, the report section it belongs to, and the tables each of its inputs reads: a
table (``summary``, ``history``, ``curves``, ``sample_complexity``) of the experiments it draws (by name,
with the family each must be) and of those it draws beside them when the config has them (the ConvNet
rows of the K axis; the paper tier's CIFAR-10 rows, config/paper.yaml; the centred students of the
teacher; theorem 4 beside width; the other layer balances and points of fig. 7).  A figure is drawn when
every experiment it needs is in the config; experiments under other names run, are summarised and
checked against their claims.  The workflow's one figure rule reads everything from here
(``figure_inputs``, ``drawable``, ``report_category``); this module imports nothing heavy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "Tables",
    "Figure",
    "SECTIONS",
    "FIGURES",
    "CATALOGUE",
    "ALSO",
    "figure_inputs",
    "drawable",
    "report_category",
    "report_subcategory",
    "GENERIC",
    "experiment_figures",
]

SECTIONS = ("Kernel and rich regimes", "Iterative linearisation", "The (alpha, K) plane")


@dataclass(frozen=True)
class Tables:
    """``results/<experiment>/<table>.csv`` of the experiments ``draws`` (needed) and ``also`` (drawn
    when the config has them), each ``{name: family}``."""

    table: str
    draws: dict = field(default_factory=dict)
    also: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Figure:
    section: int  # index into SECTIONS
    inputs: dict  # input name (the script's snakemake.input.<name>) -> Tables
    needs: dict = field(default_factory=dict)  # experiments drawn beside, whose tables it does not read


_K_AXIS = {"linearised": "network"}
_K_AXIS_ALSO = {
    "linearised_mnist1d": "network",
    "linearised_gd": "network",
    "linearised_cnn": "network",
    "linearised_adam": "network",
    "linearised_cnn_adam": "network",
    "linearised_cifar": "network",
}
# The three figures of the K axis read the same tables.
_K_AXIS_INPUTS = {
    "summary": Tables("summary", _K_AXIS, _K_AXIS_ALSO),
    "history": Tables("history", _K_AXIS, _K_AXIS_ALSO),
}
_BALANCES = {
    "univariate_quarter": "univariate",
    "univariate_half": "univariate",
    "univariate_random": "univariate",
}
_SPARSE = {"sparse": "diagonal"}

# In the papers' order: Woodworth et al. secs. 3-4, 6, 7; then Goldwaser & Ge; then the joint plane.
FIGURES = {
    "sparse_transition": Figure(0, {"summary": Tables("summary", _SPARSE)}),
    "implicit_norm": Figure(0, {"summary": Tables("summary", _SPARSE)}),
    "q_functions": Figure(0, {}, needs=_SPARSE),  # reads no table: drawn with the diagonal section
    "sample_complexity": Figure(0, {"table": Tables("sample_complexity", _SPARSE)}),
    "width": Figure(
        0,
        {
            "width": Tables("summary", {"width": "matrix"}),
            "commuting": Tables("summary", also={"width_commuting": "matrix"}),
        },
    ),
    "matrix_factorisation": Figure(0, {"summary": Tables("summary", {"matrix_factorisation": "matrix"})}),
    "nonlinear_transition": Figure(
        0,
        {
            "networks": Tables("summary", {"nonlinear": "network"}, {"nonlinear_cifar": "network"}),
            "teacher": Tables("summary", {"nonlinear_teacher": "teacher"}),
            "centred": Tables("summary", also={"nonlinear_teacher_centred": "teacher"}),
            "univariate": Tables("summary", {"univariate": "univariate"}),
            "curves": Tables("curves", {"univariate": "univariate"}),
        },
    ),
    "univariate_balance": Figure(
        0,
        {
            "summaries": Tables("summary", {"univariate": "univariate"}, _BALANCES),
            "curves": Tables("curves", {"univariate": "univariate"}, _BALANCES),
        },
    ),
    "accuracy_vs_K": Figure(1, _K_AXIS_INPUTS),
    "kernel_change": Figure(1, _K_AXIS_INPUTS),
    "training_curves": Figure(1, _K_AXIS_INPUTS),
    "gauss_newton": Figure(
        1,
        {
            "summary": Tables("summary", {"gauss_newton": "gauss_newton"}),
            "rounds": Tables("history", {"gauss_newton": "gauss_newton"}),
        },
    ),
    "phase_alpha_K": Figure(
        2,
        {
            "diagonal": Tables("summary", {"sparse_K": "diagonal"}),
            "network": Tables("summary", {"linearised_phase": "network"}),
        },
    ),
}


def _merged(name: str, part: str) -> dict:
    out = dict(FIGURES[name].needs) if part == "draws" else {}
    for tables in FIGURES[name].inputs.values():
        out.update(getattr(tables, part))
    return out


# Each figure and the experiments it needs, with their families; and those it draws beside them.
CATALOGUE = {name: _merged(name, "draws") for name in FIGURES}
ALSO = {name: also for name in FIGURES if (also := _merged(name, "also"))}


def drawable(name: str, config: dict) -> bool:
    """Whether the config has every experiment the figure needs (and, for a sample-complexity table,
    the experiment computes one)."""
    if any(experiment not in config for experiment in FIGURES[name].needs):
        return False
    for tables in FIGURES[name].inputs.values():
        for experiment in tables.draws:
            if experiment not in config:
                return False
            if tables.table == "sample_complexity" and "sample_complexity" not in config[experiment]:
                return False
    return True


def figure_inputs(name: str, config: dict) -> dict[str, list[str]]:
    """The figure's named inputs: ``results/<experiment>/<table>.csv`` of the experiments it needs, then
    of those it draws beside them that the config has."""
    return {
        role: [
            f"results/{experiment}/{tables.table}.csv"
            for experiment in [*tables.draws, *(e for e in tables.also if e in config)]
        ]
        for role, tables in FIGURES[name].inputs.items()
    }


def report_category(name: str) -> str:
    """The figure's section in Snakemake's report, numbered in the papers' order (``0.`` is the claims);
    an experiment's own figure (``experiment_figures``) goes to a last section."""
    if name not in FIGURES:
        return f"{len(SECTIONS) + 1}. {YOURS}"
    section = FIGURES[name].section
    return f"{section + 1}. {SECTIONS[section]}"


def report_subcategory(name: str) -> str:
    """The figure's place in the report, numbered in the catalogue's order (an experiment's own figure:
    its name)."""
    if name not in FIGURES:
        return name
    return f"{list(FIGURES).index(name) + 1:02d}. {name}"


# A family's generic figure: an experiment of that family that no catalogue figure draws (a user's own)
# gets a figure of its own, ``figures/<experiment>.pdf``, drawn by this function of
# ``regimes.figures.linearisation`` from the experiment's summary and history.
GENERIC = {"network": "accuracy_vs_K"}
YOURS = "Your experiments"  # their section in the report, after the papers'


def experiment_figures(families: dict[str, str]) -> list[str]:
    """The experiments (``{name: family}``, in config order) that get their family's generic figure:
    of a family in ``GENERIC``, drawn by no figure of the catalogue (nor beside one), and not named like
    one (their figure is named after them)."""
    drawn = {e for name in FIGURES for e in (*CATALOGUE[name], *ALSO.get(name, {}))}
    return [
        name
        for name, family in families.items()
        if family in GENERIC and name not in drawn and name not in FIGURES
    ]
