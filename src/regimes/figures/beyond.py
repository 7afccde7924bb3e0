"""Figures beyond the diagonal model: width, matrix factorisation, non-linear networks
(Woodworth et al. 2020, secs. 6-7, figs. 5-7; SPEC 1.6-1.7 and 4)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .style import depth_palette, log_axis_alpha, plt, save, setup, sns

__all__ = ["width_figure", "matrix_factorisation_figure", "nonlinear_transition_figure"]


def _band(ax, table, x, y, color, label, marker="o", linestyle="-"):
    stats = table.groupby(x)[y].agg(["median", "min", "max"]).reset_index()
    ax.plot(stats[x], stats["median"], marker=marker, color=color, label=label, linestyle=linestyle)
    ax.fill_between(stats[x], stats["min"], stats["max"], color=color, alpha=0.2, linewidth=0)


def _heatmap(ax, table, value, label, cmap):
    """Rows alpha^2 (largest on top, as in the paper), columns width k; the median over seeds."""
    table = table.assign(alpha2=table["alpha"] ** 2)
    grid = table.groupby(["alpha2", "width"])[value].median().unstack("width").sort_index(ascending=False)
    sns.heatmap(
        grid,
        ax=ax,
        annot=True,
        fmt=".2f",
        cmap=cmap,
        cbar_kws={"label": label},
        annot_kws={"fontsize": 8},
        yticklabels=[f"{a:.0e}" for a in grid.index],
    )
    ax.set_xlabel("width k")
    ax.set_ylabel(r"$\alpha^2$")
    # The paper's transition line alpha^2 k = 1, in cell coordinates.
    widths, alphas2 = grid.columns.to_numpy(float), grid.index.to_numpy(float)
    if len(widths) > 1 and len(alphas2) > 1:
        cols = np.interp(np.log(1.0 / alphas2), np.log(widths), np.arange(len(widths)), left=np.nan, right=np.nan) + 0.5
        ax.plot(cols, np.arange(len(alphas2)) + 0.5, color="k", linestyle="--", linewidth=1.5, label=r"$\alpha^2 k = 1$")
        ax.legend(loc="lower left", fontsize=8, framealpha=0.8)


def width_figure(summary: pd.DataFrame, path) -> None:
    """(a) recovery error against alpha for several widths, with the min-nuclear and min-Frobenius
    errors; (b) excess nuclear norm and (c) movement of the unobserved entries over (alpha^2, k)."""
    setup()
    table = summary[summary["task"] == "completion"] if "completion" in set(summary["task"]) else summary
    fig, axes = plt.subplots(1, 3, figsize=(17, 4.8), gridspec_kw={"width_ratios": [1.1, 1, 1]})
    ax = axes[0]
    widths = sorted(table["width"].unique())
    colours = sns.color_palette("viridis", len(widths))
    for colour, k in zip(colours, widths):
        _band(ax, table[table["width"] == k], "alpha", "test_error", colour, f"k = {k}")
    ax.axhline(table["min_nuclear_error"].median(), color="k", linestyle="--", label="min nuclear norm")
    ax.axhline(table["min_frobenius_error"].median(), color="grey", linestyle=":", label="min Frobenius norm")
    log_axis_alpha(ax)
    ax.set_yscale("log")
    ax.set_ylabel(r"recovery error $\|M - M^*\|_F / \|M^*\|_F$")
    ax.set_title("(a) matrix completion, U V$^T$ from N(0, $\\alpha^2$)")
    ax.legend(fontsize=8, ncol=2)
    _heatmap(axes[1], table, "excess_nuclear", r"$\|M\|_* / \min \|\cdot\|_* - 1$", "rocket_r")
    axes[1].set_title("(b) excess nuclear norm")
    _heatmap(axes[2], table, "unobserved_change", "moved / needed", "mako")
    axes[2].set_title("(c) movement of unobserved entries")
    fig.tight_layout()
    save(fig, path)


def matrix_factorisation_figure(summary: pd.DataFrame, path) -> None:
    """Per task: recovery error and nuclear norm (relative to the convex minimum) against alpha, one
    line per depth, with the min-nuclear and min-Frobenius references."""
    setup()
    tasks = list(dict.fromkeys(summary["task"]))
    fig, axes = plt.subplots(2, len(tasks), figsize=(6 * len(tasks), 8), squeeze=False)
    palette = depth_palette(summary["depth"])
    for col, task in enumerate(tasks):
        part = summary[summary["task"] == task].assign(nuclear_ratio=lambda t: t["nuclear_norm"] / t["min_nuclear_norm"])
        frob_ratio = (part["min_frobenius_nuclear_norm"] / part["min_nuclear_norm"]).median()
        for depth, colour in palette.items():
            rows = part[part["depth"] == depth]
            if len(rows):
                _band(axes[0, col], rows, "alpha", "test_error", colour, f"D = {depth}")
                _band(axes[1, col], rows, "alpha", "nuclear_ratio", colour, f"D = {depth}")
        axes[0, col].axhline(part["min_nuclear_error"].median(), color="k", linestyle="--", label="min nuclear norm")
        axes[0, col].axhline(part["min_frobenius_error"].median(), color="grey", linestyle=":", label="min Frobenius norm")
        axes[1, col].axhline(1.0, color="k", linestyle="--", label="min nuclear norm")
        axes[1, col].axhline(frob_ratio, color="grey", linestyle=":", label="min Frobenius norm")
        axes[0, col].set_yscale("log")
        axes[0, col].set_ylabel(r"recovery error $\|M - M^*\|_F / \|M^*\|_F$")
        axes[1, col].set_ylabel(r"$\|M\|_* / \min \|\cdot\|_*$")
        axes[0, col].set_title(f"matrix {task}")
        for ax in axes[:, col]:
            log_axis_alpha(ax)
        axes[0, col].legend(fontsize=8)
    fig.tight_layout()
    save(fig, path)


def nonlinear_transition_figure(networks: pd.DataFrame, teacher: pd.DataFrame, univariate: pd.DataFrame, curves: pd.DataFrame, path) -> None:
    """Row 1: ReLU students of a teacher on the circle, test loss and tangent-kernel change against
    alpha^D per depth.  Row 2: test error against alpha on each data set (trained networks by depth; the
    last-layer-only baseline dashed), and the univariate functions at the smallest and largest alpha
    with the linear and cubic splines."""
    setup()
    sets = list(dict.fromkeys(networks["dataset"]))
    columns = max(3, len(sets) + 1)
    fig, axes = plt.subplots(2, columns, figsize=(5.2 * columns, 9), squeeze=False)
    palette = depth_palette(pd.concat([teacher["depth"], networks["depth"]]))
    for depth, colour in palette.items():
        rows = teacher[teacher["depth"] == depth]
        if len(rows):
            _band(axes[0, 0], rows, "alpha_D", "test_loss", colour, f"D = {depth}")
            _band(axes[0, 1], rows, "alpha_D", "kernel_distance", colour, f"D = {depth}")
    for ax, label, title in (
        (axes[0, 0], "test loss", "(a) teacher on the circle: test loss"),
        (axes[0, 1], "tangent kernel distance, init to end", "(b) change of the tangent kernel"),
    ):
        log_axis_alpha(ax, r"$\alpha^D$")
        ax.set_ylabel(label)
        ax.set_title(title)
        ax.legend(fontsize=8)
    axes[0, 0].set_yscale("log")
    # Univariate distances to the two splines against alpha.
    ax = axes[0, 2]
    _band(ax, univariate, "alpha", "to_linear_spline", "C0", "trained, to linear spline")
    _band(ax, univariate, "alpha", "to_cubic_spline", "C1", "trained, to cubic spline")
    _band(ax, univariate, "alpha", "kernel_to_cubic_spline", "C1", "kernel limit, to cubic spline", marker="s", linestyle=":")
    log_axis_alpha(ax)
    ax.set_ylabel("rms distance / rms(y)")
    ax.set_title("(c) univariate: which spline?")
    ax.legend(fontsize=8)
    for col, dataset in enumerate(sets):
        ax = axes[1, col]
        part = networks[networks["dataset"] == dataset]
        for depth, colour in palette.items():
            trained = part[(part["depth"] == depth) & (part["architecture"] != "rf")]
            baseline = part[(part["depth"] == depth) & (part["architecture"] == "rf")]
            if len(trained):
                _band(ax, trained, "alpha", "test_error", colour, f"D = {depth}")
            if len(baseline):
                _band(ax, baseline, "alpha", "test_error", colour, f"D = {depth}, last layer only", marker="x", linestyle="--")
        log_axis_alpha(ax)
        ax.set_ylabel("test error")
        ax.set_title(f"({chr(ord('d') + col)}) {dataset}: ReLU MLP, output centred")
        ax.legend(fontsize=8)
    ax = axes[1, len(sets)]
    seed = curves["seed"].min()
    part = curves[curves["seed"] == seed]
    alphas = sorted(part["alpha"].unique())
    grid = part[~part["is_data"].astype(bool)]
    first = grid[grid["alpha"] == alphas[0]]
    ax.plot(first["x"], first["linear_spline"], color="grey", linestyle="--", linewidth=1.2, label="linear spline")
    ax.plot(first["x"], first["cubic_spline"], color="grey", linestyle=":", linewidth=1.2, label="natural cubic spline")
    for alpha, colour in ((alphas[0], "C0"), (alphas[-1], "C1")):
        rows = grid[grid["alpha"] == alpha]
        ax.plot(rows["x"], rows["trained"], color=colour, label=rf"trained, $\alpha$ = {alpha:g}")
    last = grid[grid["alpha"] == alphas[-1]]
    ax.plot(last["x"], last["kernel_limit"], color="C1", linestyle="-.", linewidth=1.2, label=rf"kernel limit, $\alpha$ = {alphas[-1]:g}")
    data = part[part["is_data"].astype(bool) & (part["alpha"] == alphas[0])]
    ax.scatter(data["x"], data["trained"], color="k", zorder=5, label="data")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title(f"({chr(ord('d') + len(sets))}) univariate ReLU net, width {int(part['width'].iloc[0])}")
    ax.legend(fontsize=7)
    for ax in axes[1, len(sets) + 1 :]:
        ax.axis("off")
    fig.tight_layout()
    save(fig, path)
