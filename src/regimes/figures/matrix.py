"""Figures of factorised matrices: the (alpha^2, k) plane of width and the depth extension (Woodworth et
al. 2020, sec. 6, fig. 5; docs/science.md sec. 1.6)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .style import (
    depth_palette,
    log_axis_alpha,
    median_band,
    panels,
    reference_line,
    safe_log,
    save,
    setup,
    sns,
)

__all__ = ["width_figure", "matrix_factorisation_figure"]


def _heatmap(ax, table, value, label, cmap, line="k"):
    """Rows alpha^2 (largest on top, as in the paper), columns width k; the median over seeds."""
    table = table.assign(alpha2=table["alpha"] ** 2)
    grid = (
        table.groupby(["alpha2", "width"])[value]
        .agg(lambda v: v.median(skipna=False))
        .unstack("width")
        .sort_index(ascending=False)
    )
    ax.patch.set(hatch="xx", edgecolor="0.7")  # shows through the cells left empty: failed runs
    sns.heatmap(
        grid,
        ax=ax,
        annot=True,
        fmt=".2f",
        cmap=cmap,
        cbar_kws={"label": label},
        annot_kws={"fontsize": 8},
        yticklabels=[_tick(a) for a in grid.index],
    )
    ax.set_xlabel("width k")
    ax.set_ylabel(r"$\alpha^2$")
    # The paper's transition alpha^2 k = 1 as a staircase along the cell borders: the cells to its right
    # have alpha^2 k >= 1 (the kernel side).  The axes are categorical, so a straight line would mean nothing.
    widths, alphas2 = grid.columns.to_numpy(float), grid.index.to_numpy(float)
    first = [
        int(np.searchsorted(widths * a2 >= 1.0, True)) for a2 in alphas2
    ]  # first kernel-side column per row
    xs, ys = [], []
    for row, col in enumerate(first):
        if col >= len(widths):  # no cell of this row reaches alpha^2 k = 1: nothing to mark
            xs.append(np.nan)
            ys.append(np.nan)
            continue
        xs += [col, col]
        ys += [row, row + 1]
    ax.plot(xs, ys, color=line, linestyle="--", linewidth=1.8)


def _tick(value: float) -> str:
    """alpha^2 as written in the paper: 0.01, 0.0025, 1e-04 (two significant digits, never rounded to one)."""
    return f"{value:.2g}" if value >= 1e-3 else f"{value:.2g}".replace("e-0", "e-")


def _commuting_panel(ax, table: pd.DataFrame) -> None:
    """Theorem 4: the distance of the limit to the exact Q_mu minimiser against width k, a line per alpha."""
    alphas = sorted(table["alpha"].unique())
    colours = sns.color_palette("crest", len(alphas))
    for colour, alpha in zip(colours, alphas):
        rows = table[table["alpha"] == alpha]
        widest = rows[rows["width"] == rows["width"].max()]
        median_band(
            ax,
            rows,
            "width",
            "q_mu_error",
            colour,
            rf"$\alpha^2$ = {_tick(alpha**2)} ($\mu^2$ = {widest['mu2'].iloc[0]:.2g} at the widest)",
        )
    k = np.array(sorted(table["width"].unique()), float)
    top = table.groupby("width")["q_mu_error"].median().max()
    ax.plot(k, top * np.sqrt(k[0] / k), color="grey", linestyle=":", label=r"$\propto k^{-1/2}$")
    ax.axhline(0.01, color="k", linestyle="--", linewidth=1.2, label="claim: 1e-2")
    ax.set_xscale("log")
    safe_log(ax)
    ax.set_xlabel("width k")
    ax.set_ylabel(r"$\|M - \arg\min Q_\mu\|_F / \|\arg\min Q_\mu\|_F$")
    ax.set_title(
        r"(d) thm. 4, commuting measurements: limit vs argmin $Q_\mu$, $\mu^2 = \alpha^2 k / 2$", fontsize=9
    )
    ax.legend(fontsize=7)


def width_figure(summary: pd.DataFrame, path, commuting: pd.DataFrame | None = None) -> None:
    """(a) recovery error against alpha for several widths, with the min-nuclear and min-Frobenius
    errors; (b) excess nuclear norm and (c) movement of the unobserved entries over (alpha^2, k);
    (d) with ``commuting`` (theorem 4), the distance to the exact Q_mu minimiser against k."""
    setup()
    table = summary[summary["task"] == "completion"] if "completion" in set(summary["task"]) else summary
    extra = commuting is not None and len(commuting)
    fig, axes = panels(1, 4 if extra else 3, 12.5 if extra else 9.5, stack=True)
    axes = axes[0]
    if extra:
        _commuting_panel(axes[3], commuting)
    ax = axes[0]
    widths = sorted(table["width"].unique())
    colours = sns.color_palette("viridis", len(widths))
    for colour, k in zip(colours, widths):
        median_band(ax, table[table["width"] == k], "alpha", "test_error", colour, f"k = {k}")
    reference_line(
        ax,
        table["min_nuclear_error"].median(),
        table["test_error"],
        "min nuclear norm",
        color="k",
        linestyle="--",
    )
    ax.axhline(table["min_frobenius_error"].median(), color="grey", linestyle=":", label="min Frobenius norm")
    log_axis_alpha(ax)
    safe_log(ax)
    ax.set_ylabel(r"recovery error $\|M - M^*\|_F / \|M^*\|_F$")
    ax.set_title("(a) matrix completion, U V$^T$ from N(0, $\\alpha^2$)")
    ax.legend(fontsize=8, ncol=2)
    _heatmap(axes[1], table, "excess_nuclear", r"$\|M\|_* / \min \|\cdot\|_* - 1$", "rocket_r")
    axes[1].set_title(
        r"(b) excess nuclear norm; dashed: $\alpha^2 k = 1$, $\alpha^2 k \geq 1$ to its right", fontsize=9
    )
    _heatmap(axes[2], table, "unobserved_change", "moved / needed", "mako", line="w")
    axes[2].set_title(r"(c) movement of unobserved entries; dashed: $\alpha^2 k = 1$", fontsize=9)
    fig.tight_layout()
    save(fig, path)


def matrix_factorisation_figure(summary: pd.DataFrame, path) -> None:
    """Per task: recovery error and nuclear norm (relative to the convex minimum) against alpha, one
    line per depth, with the min-nuclear and min-Frobenius references."""
    setup()
    tasks = list(dict.fromkeys(summary["task"]))
    fig, axes = panels(2, len(tasks), 5.8)
    palette = depth_palette(summary["depth"])
    for col, task in enumerate(tasks):
        part = summary[summary["task"] == task].assign(
            nuclear_ratio=lambda t: t["nuclear_norm"] / t["min_nuclear_norm"]
        )
        frob_ratio = (part["min_frobenius_nuclear_norm"] / part["min_nuclear_norm"]).median()
        for depth, colour in palette.items():
            rows = part[part["depth"] == depth]
            if len(rows):
                median_band(axes[0, col], rows, "alpha", "test_error", colour, f"D = {depth}")
                median_band(axes[1, col], rows, "alpha", "nuclear_ratio", colour, f"D = {depth}")
        reference_line(
            axes[0, col],
            part["min_nuclear_error"].median(),
            part["test_error"],
            "min nuclear norm",
            color="k",
            linestyle="--",
        )
        axes[0, col].axhline(
            part["min_frobenius_error"].median(), color="grey", linestyle=":", label="min Frobenius norm"
        )
        axes[1, col].axhline(1.0, color="k", linestyle="--", label="min nuclear norm")
        axes[1, col].axhline(frob_ratio, color="grey", linestyle=":", label="min Frobenius norm")
        safe_log(axes[0, col])
        axes[0, col].set_ylabel(r"recovery error $\|M - M^*\|_F / \|M^*\|_F$")
        axes[1, col].set_ylabel(r"$\|M\|_* / \min \|\cdot\|_*$")
        axes[0, col].set_title(f"matrix {task}")
        for ax in axes[:, col]:
            log_axis_alpha(ax)
        axes[0, col].legend(fontsize=8)
    fig.tight_layout()
    save(fig, path)
