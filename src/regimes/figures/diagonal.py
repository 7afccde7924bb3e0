"""Figures of the diagonal model on sparse regression (Woodworth et al. 2020, secs. 3-4; docs/science.md
secs. 1.2-1.5)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ..diagonal.analyse import alpha_max, recovery_n
from ..diagonal.distance import l2_rate_eps, r
from ..diagonal.potential import Q, q
from .style import (
    cell_stats,
    depth_palette,
    failed_handle,
    log_axis_alpha,
    mark_failed,
    panels,
    plain_log_ticks,
    plt,
    safe_log,
    save,
    setup,
)

__all__ = ["sparse_transition", "implicit_norm", "q_functions", "sample_complexity"]


def _depth_lines(ax, summary: pd.DataFrame, column: str, palette: dict, *, exact: str | None = None) -> bool:
    """Median over seeds per depth with a min-max band; a cell where a run failed is a gap marked at the
    foot of the axes (``style.mark_failed``); ``exact`` draws the exact limit.  Returns whether a run
    failed."""
    any_failed = False
    for depth, group in summary.groupby("depth"):
        stats = cell_stats(group, "alpha", column)
        colour = palette[int(depth)]
        if exact is not None:
            ex = group.groupby("alpha")[exact].median()
            # On top of the trained line, which it matches: black crosses stay visible where they coincide.
            ax.scatter(ex.index, ex.to_numpy(), color="black", marker="+", s=55, linewidths=1.2, zorder=5)
        ax.plot(stats["alpha"], stats["median"], color=colour, marker="o", markersize=5, label=f"D = {depth}")
        ax.fill_between(stats["alpha"], stats["min"], stats["max"], color=colour, alpha=0.2, linewidth=0)
        mark_failed(ax, stats.loc[stats["failed"], "alpha"], colour)
        any_failed |= bool(stats["failed"].any())
    return any_failed


def _legend_extras(exact: bool, any_failed: bool) -> list:
    """Legend entries for what the panel draws besides the depth lines, and nothing it does not."""
    handles = []
    if exact:
        handles.append(
            Line2D(
                [],
                [],
                color="black",
                marker="+",
                linestyle="",
                markersize=8,
                label="exact limit (dual oracle)",
            )
        )
    if any_failed:
        handles.append(failed_handle())
    return handles


def sparse_transition(summary: pd.DataFrame, path) -> None:
    """Population error ``||beta - beta*||^2`` against alpha per depth, with the min-l1 / min-l2 errors."""
    setup()
    palette = depth_palette(summary["depth"])
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    any_failed = _depth_lines(ax, summary, "test_error", palette, exact="oracle_error")
    per_seed = summary.drop_duplicates("seed")
    ax.axhline(
        per_seed["min_l1_error"].mean(),
        color="black",
        linestyle="--",
        linewidth=1.5,
        label=r"min-$\ell_1$ (rich end)",
    )
    ax.axhline(
        per_seed["min_l2_error"].mean(),
        color="black",
        linestyle="-.",
        linewidth=1.5,
        label=r"min-$\ell_2$ (kernel end)",
    )
    log_axis_alpha(ax)
    safe_log(ax)
    ax.set_ylabel(r"population error $\|\hat\beta - \beta^*\|_2^2$")
    n, d = int(summary["n"].iloc[0]), int(summary["d"].iloc[0])
    ax.set_title(f"Kernel to rich transition, sparse regression (n = {n}, d = {d})")
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(
        handles=handles + _legend_extras(True, any_failed), fontsize=8, loc="lower right", framealpha=0.95
    )
    save(fig, path)


def implicit_norm(summary: pd.DataFrame, path) -> None:
    """Distance of the trained solution to the exact minimiser of Q_alpha^D; l1 and l2 ratios."""
    setup()
    palette = depth_palette(summary["depth"])
    fig, axes = panels(1, 3, 8.0, stack=True)
    axes = axes[0]
    any_failed = _depth_lines(axes[0], summary, "oracle_gap", palette)
    safe_log(axes[0])
    axes[0].set_ylabel(r"$\|\beta - \beta_\alpha^D\|_2 / \|\beta_\alpha^D\|_2$")
    axes[0].set_title(r"(a) trained vs argmin $Q_\alpha^D$ s.t. $X\beta = y$")
    any_failed |= _depth_lines(axes[1], summary, "l1_ratio", palette, exact=None)
    axes[1].axhline(1.0, color="black", linestyle="--", linewidth=1.2)
    axes[1].set_ylabel(r"$\|\beta\|_1 / \|\beta_{\ell_1}\|_1$")
    axes[1].set_title(r"(b) $\ell_1$ norm relative to min-$\ell_1$")
    any_failed |= _depth_lines(axes[2], summary, "l2_ratio", palette, exact=None)
    axes[2].axhline(1.0, color="black", linestyle="--", linewidth=1.2)
    # Theorem 2 (D = 2): the l2 norm is within a factor 1 + eps of the minimum once
    # alpha >= sqrt(2 (1 + eps) (1 + 2 / eps) ||beta_l2||_2): the guarantee at each alpha, drawn as a bound.
    l2_norm = float((summary["l2"] / summary["l2_ratio"]).median())
    alphas = np.logspace(np.log10(summary["alpha"].min()), np.log10(summary["alpha"].max()), 200)
    axes[2].plot(
        alphas,
        1.0 + l2_rate_eps(alphas, l2_norm),
        color="black",
        linestyle=":",
        linewidth=1.4,
        label=r"thm. 2 ($D$ = 2): bound $1 + \epsilon(\alpha)$",
    )
    axes[2].legend(fontsize=8)
    axes[2].set_ylabel(r"$\|\beta\|_2 / \|\beta_{\ell_2}\|_2$")
    axes[2].set_title(r"(c) $\ell_2$ norm relative to min-$\ell_2$")
    for ax in axes:
        log_axis_alpha(ax)
    handles, _ = axes[0].get_legend_handles_labels()
    axes[0].legend(handles=handles + _legend_extras(False, any_failed), fontsize=8)
    fig.tight_layout()
    save(fig, path)


def q_functions(path, depths=(2, 3, 5, 10, 100), alphas=(0.02, 0.1, 0.3, 1.0), d_ratio: int = 100) -> None:
    """(a) q_D on log-log axes (quadratic near 0; far out |z| log |z| for D = 2, |z| for D >= 3); (b) how
    l1-like Q is:
    ``Q(e_1) / Q(1/sqrt(d) 1)`` against ``ln alpha^D`` (paper fig. 3b); (c) unit balls of Q_alpha^2;
    (d) q against r, the smallest parameter distance (paper fig. 2)."""
    setup()
    fig, axes = panels(1, 4, 12.0, stack=True)
    axes = axes[0]
    z = np.logspace(-3, 5, 400)
    palette = dict(zip(depths, plt.get_cmap("viridis")(np.linspace(0, 0.9, len(depths)))))
    for D in depths:
        axes[0].loglog(z, q(z, D) / q(1.0, D), color=palette[D], label=f"D = {D}")
    axes[0].loglog(z, z**2, color="black", linestyle=":", linewidth=1.2, label=r"$\propto z^2$ ($\ell_2^2$)")
    axes[0].loglog(z, z, color="black", linestyle="--", linewidth=1.2, label=r"$\propto |z|$ ($\ell_1$)")
    axes[0].set_ylim(1e-6, 1e6)
    plain_log_ticks(axes[0].xaxis)
    plain_log_ticks(axes[0].yaxis)
    axes[0].set_xlabel("z")
    axes[0].set_ylabel(r"$q_D(z) / q_D(1)$")
    axes[0].set_title(
        r"(a) $q_D$: quadratic near 0; far out $|z| \log |z|$ ($D$ = 2), $|z|$ ($D \geq 3$)", fontsize=9
    )
    axes[0].legend(fontsize=8)

    e1 = np.zeros(d_ratio)
    e1[0] = 1.0
    flat = np.full(d_ratio, 1.0 / np.sqrt(d_ratio))
    log_alpha_D = np.linspace(-20, 8, 120)
    for D in depths[:4]:
        alphas_D = np.exp(log_alpha_D / D)
        ratio = [Q(e1, a, D) / Q(flat, a, D) for a in alphas_D]
        axes[1].plot(log_alpha_D, ratio, color=palette[D], label=f"D = {D}")
    axes[1].axhline(
        1.0 / np.sqrt(d_ratio), color="black", linestyle="--", linewidth=1.2, label=r"$\ell_1$ value"
    )
    axes[1].axhline(1.0, color="black", linestyle=":", linewidth=1.2, label=r"$\ell_2$ value")
    axes[1].set_xlabel(r"$\ln \alpha^D$")
    axes[1].set_ylabel(r"$Q(e_1)\,/\,Q(u)$, $u$: flat unit vector")
    axes[1].set_title(f"(b) how $\\ell_1$-like $Q_\\alpha^D$ is (d = {d_ratio})")
    axes[1].legend(fontsize=8)

    grid = np.linspace(-1.6, 1.6, 321)
    b1, b2 = np.meshgrid(grid, grid)
    betas = np.stack([b1, b2], axis=-1)
    colours = plt.get_cmap("plasma")(np.linspace(0, 0.85, len(alphas)))
    ax = axes[2]
    for a, colour in zip(alphas, colours):
        level = Q(np.array([1.0, 0.0]), a, 2)
        ax.contour(b1, b2, Q(betas, a, 2) / level, levels=[1.0], colors=[colour], linewidths=2)
        ax.plot([], [], color=colour, label=rf"$\alpha = {a:g}$")
    t = np.linspace(0, 2 * np.pi, 200)
    ax.plot(np.cos(t), np.sin(t), color="black", linestyle=":", linewidth=1.2, label=r"$\ell_2$ ball")
    ax.plot(
        [1, 0, -1, 0, 1],
        [0, 1, 0, -1, 0],
        color="black",
        linestyle="--",
        linewidth=1.2,
        label=r"$\ell_1$ ball",
    )
    ax.set_aspect("equal")
    ax.set_xlabel(r"$\beta_1$")
    ax.set_ylabel(r"$\beta_2$")
    ax.set_title(r"(c) unit balls of $Q_\alpha^{D=2}$")
    ax.legend(fontsize=8, loc="upper right")

    # Fig. 2: the implicit norm against the kernel-regime picture (the smallest parameter distance).
    ax = axes[3]
    zs = np.logspace(-2, 4, 120)
    ax.loglog(zs, q(zs, 2) / q(1.0, 2), color=palette[2], label=r"$q(z)$, the implicit norm ($D$ = 2)")
    ax.loglog(
        zs, r(zs) / r(1.0), color="C3", linestyle="--", label=r"$r(z)$, smallest parameter distance$^2$"
    )
    ax.loglog(zs, zs**2, color="black", linestyle=":", linewidth=1.0, label=r"$\propto z^2$")
    ax.loglog(zs, zs, color="black", linestyle="-.", linewidth=1.0, label=r"$\propto |z|$")
    ax.set_ylim(1e-4, 1e5)
    plain_log_ticks(ax.xaxis)
    plain_log_ticks(ax.yaxis)
    ax.set_xlabel("z")
    ax.set_ylabel("value / value at z = 1")
    ax.set_title(
        r"(d) fig. 2: $q$ against $r$ (both quadratic near 0; $r$ linear far out, $q$ as $|z| \log |z|$)",
        fontsize=9,
    )
    ax.legend(fontsize=8)
    fig.tight_layout()
    save(fig, path)


def _never(values: pd.Series) -> int:
    """Seeds whose error exceeds the threshold even at the smallest alpha of the grid (``alpha_max`` NaN)."""
    return int(values.isna().sum())


def _median_below_grid(values: pd.Series) -> float:
    """Median over seeds with a seed that never reaches the threshold counted as below the grid (0);
    NaN when that is where the median falls."""
    median = float(np.median(values.fillna(0.0).to_numpy()))
    return median if median > 0 else float("nan")


def sample_complexity(table: pd.DataFrame, path) -> None:
    """Largest alpha (and alpha^D) whose exact-limit error stays <= threshold, against n (paper figs. 1c, 3c);
    the threshold is the table's ``threshold`` column."""
    setup()
    threshold = float(table["threshold"].iloc[0])
    nets = table[table["depth"] > 0]
    rows = []
    for (seed, n, depth), g in nets.groupby(["seed", "n", "depth"]):
        rows.append(
            {"seed": seed, "n": n, "depth": depth, "alpha_max": alpha_max(g["error"], g["alpha"], threshold)}
        )
    amax = pd.DataFrame(rows)
    amax["alpha_max_D"] = amax["alpha_max"] ** amax["depth"]
    l1 = table[table["depth"] == 0]
    l1_ok = pd.Series(
        {seed: recovery_n(g.set_index("n")["error"] <= threshold) for seed, g in l1.groupby("seed")}
    ).dropna()
    palette = depth_palette(amax["depth"])
    fig, axes = panels(1, 2, 4.2)
    axes = axes[0]
    never_any = False
    for ax, column, label in (
        (axes[0], "alpha_max", r"largest $\alpha$"),
        (axes[1], "alpha_max_D", r"largest $\alpha^D$"),
    ):
        for depth, g in amax.groupby("depth"):
            stats = g.groupby("n")[column].agg([_median_below_grid, "min", "max", _never]).reset_index()
            colour = palette[int(depth)]
            ax.plot(stats["n"], stats["_median_below_grid"], marker="o", color=colour, label=f"D = {depth}")
            ax.fill_between(stats["n"], stats["min"], stats["max"], color=colour, alpha=0.2, linewidth=0)
            # A seed that never reaches the threshold on the grid counts as below its smallest alpha (not
            # dropped): hollow markers where some seeds never do, a triangle at the foot where most never do.
            some = stats[(stats["_never"] > 0) & stats["_median_below_grid"].notna()]
            ax.scatter(
                some["n"], some["_median_below_grid"], facecolors="white", edgecolors=colour, s=36, zorder=4
            )
            most = stats[stats["_median_below_grid"].isna()]
            ax.scatter(
                most["n"],
                [0.04] * len(most),
                transform=ax.get_xaxis_transform(),
                marker="v",
                color=colour,
                s=40,
                clip_on=False,
                zorder=4,
            )
            never_any |= bool((stats["_never"] > 0).any())
        if len(l1_ok):
            ax.axvline(
                l1_ok.median(), color="black", linestyle="--", linewidth=1.2, label=r"min-$\ell_1$ succeeds"
            )
        safe_log(ax)
        safe_log(ax, "x")  # the grid is dense near min-l1's threshold and sparse above it
        ax.set_xlabel("number of samples n")
        ax.set_ylabel(f"{label} with error $\\leq$ {threshold:g}")
    handles, _ = axes[0].get_legend_handles_labels()  # one legend for both panels, below them
    if never_any:
        handles += [
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="white",
                markeredgecolor="grey",
                label="some seeds never reach it (counted below the grid)",
            ),
            Line2D([], [], marker="v", linestyle="", color="grey", label="most seeds never reach it"),
        ]
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False)
    axes[0].set_title(r"(a) sample complexity against $\alpha$")
    axes[1].set_title(r"(b) the same against $\alpha^D$")
    fig.suptitle("Exact gradient-flow limit (dual oracle), median over seeds", fontsize=11)
    fig.tight_layout(rect=(0, 0.16 if never_any else 0.12, 1, 1))
    save(fig, path)
