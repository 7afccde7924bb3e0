"""Figure of non-linear networks between the regimes: the circle teacher, networks on data with the
last-layer baseline, the univariate splines (Woodworth et al. 2020, sec. 7, figs. 6-7; docs/science.md
sec. 1.7)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..networks.registry import last_layer_only
from .style import (
    PAGE,
    depth_palette,
    failed_handle,
    log_axis_alpha,
    median_band,
    panels,
    plt,
    safe_log,
    save,
    setup,
    sns,
)

__all__ = ["nonlinear_transition_figure", "univariate_balance_figure"]


def _counted(rows: pd.DataFrame, x: str, y: str) -> pd.DataFrame:
    """Per ``x``: the median of ``y`` over the runs that counted (NaN: stopped short) and how many did."""
    return rows.groupby(x)[y].agg(median="median", counted="count", runs="size").reset_index()


def _teacher_panels(
    ax_rmse, ax_jac, teacher: pd.DataFrame, centred: pd.DataFrame | None, palette: dict
) -> None:
    """Fig. 6a/b: test RMSE and Jacobian cosine distance against alpha^D, a line per depth through the
    medians of the runs on their plateau; runs that stopped short as open circles at their last value;
    the zero predictor's RMSE, and the kernel-regime limit from the same initialisation (dotted)."""
    for depth, colour in palette.items():
        rows = teacher[teacher["depth"] == depth]
        if not len(rows):
            continue
        for ax, y, last in (
            (ax_rmse, "test_rmse", "rmse_at_stop"),
            (ax_jac, "jacobian_distance", "jacobian_distance_at_stop"),
        ):
            stats = _counted(rows, "alpha_D", y)
            ax.plot(stats["alpha_D"], stats["median"], marker="o", color=colour, label=f"D = {depth}")
            short = rows[~rows["converged"].astype(bool)]
            ax.scatter(
                short["alpha_D"], short[last], facecolors="none", edgecolors=colour, s=22, linewidths=1.0
            )
        kernel = rows.groupby("alpha_D")["kernel_rmse"].median()
        ax_rmse.plot(kernel.index, kernel.to_numpy(), color=colour, linestyle=":", linewidth=1.2)
        if centred is not None and len(centred[centred["depth"] == depth]):
            stats = _counted(centred[centred["depth"] == depth], "alpha_D", "test_rmse")
            ax_rmse.plot(
                stats["alpha_D"],
                stats["median"],
                marker="s",
                markersize=4,
                color=colour,
                linestyle="--",
                linewidth=1.0,
            )
    ax_rmse.axhline(
        teacher["zero_rmse"].median(), color="black", linestyle="-.", linewidth=1.2, label="zero predictor"
    )
    ax_rmse.plot([], [], color="grey", linestyle=":", label="kernel limit (with the initial function)")
    if centred is not None:
        ax_rmse.plot([], [], color="grey", marker="s", markersize=4, linestyle="--", label="centred students")
    for ax in (ax_rmse, ax_jac):
        ax.scatter(
            [], [], facecolors="none", edgecolors="grey", s=22, label="run short of its plateau (last value)"
        )
        log_axis_alpha(ax, r"$\alpha^D$")
    safe_log(ax_rmse)
    ax_rmse.set_ylabel("test RMSE")
    ax_rmse.set_title("(a) teacher on the circle: test RMSE (fig. 6a)")
    ax_jac.set_ylabel("Jacobian cosine distance, init to end")
    ax_jac.set_title("(b) movement of the gradient features (fig. 6b)")


def nonlinear_transition_figure(
    networks: pd.DataFrame,
    teacher: pd.DataFrame,
    univariate: pd.DataFrame,
    curves: pd.DataFrame,
    path,
    centred: pd.DataFrame | None = None,
) -> None:
    """Panels in reading order, two a row: (a), (b) ReLU students of a teacher on the circle, test RMSE
    and Jacobian movement against alpha^D per depth (``centred``: the centred students beside them);
    (c) the univariate net's distances to the two splines; then test error against alpha on each data set
    (trained networks by depth; the last-layer-only baseline dashed), and the univariate functions at the
    smallest and largest alpha with the linear and cubic splines.  A spare slot holds (a) and (b)'s
    legend."""
    setup()
    sets = list(dict.fromkeys(networks["dataset"]))
    count = 3 + len(sets) + 1  # (a) (b) (c), a panel per data set, the univariate functions
    rows = -(-count // 2)
    fig, grid = panels(rows, 2, 3.1 * rows)
    flat = list(grid.ravel())  # panels in reading order: (a) (b) on the first row, ...
    palette = depth_palette(pd.concat([teacher["depth"], networks["depth"]]))
    _teacher_panels(flat[0], flat[1], teacher, centred, palette)
    if count < len(flat):  # the spare slot holds the legend of (a) and (b), off their data
        spare = flat[count]
        spare.axis("off")
        handles = dict(zip(*reversed(flat[0].get_legend_handles_labels())))
        handles.update(dict(zip(*reversed(flat[1].get_legend_handles_labels()))))
        spare.legend(
            list(handles.values()),
            list(handles),
            loc="center",
            fontsize=8,
            title="(a), (b)",
            title_fontsize=8,
        )
    else:
        for ax in flat[:2]:
            ax.legend(fontsize=7)
    # Univariate distances to the two splines against alpha.
    ax = flat[2]
    median_band(ax, univariate, "alpha", "to_linear_spline", "C0", "trained, to linear spline")
    median_band(ax, univariate, "alpha", "to_cubic_spline", "C1", "trained, to cubic spline")
    median_band(
        ax,
        univariate,
        "alpha",
        "kernel_to_cubic_spline",
        "C1",
        "kernel limit, to cubic spline",
        marker="s",
        linestyle=":",
    )
    log_axis_alpha(ax)
    ax.set_ylabel("rms distance / rms(y)")
    ax.set_title("(c) univariate: which spline?")
    ax.legend(fontsize=8)
    for col, dataset in enumerate(sets):
        ax = flat[3 + col]
        part = networks[networks["dataset"] == dataset]
        for depth, colour in palette.items():
            alone = part["architecture"].map(last_layer_only).astype(bool)
            trained = part[(part["depth"] == depth) & ~alone]
            baseline = part[(part["depth"] == depth) & alone]
            if len(trained):
                median_band(ax, trained, "alpha", "test_error", colour, f"D = {depth}")
            if len(baseline):
                # The paper's baseline is one line: the last layer alone at the standard scale (alpha
                # nearest 1); the same model at the other alphas as crosses (the claims compare there).
                at = min(baseline["alpha"].unique(), key=lambda a: abs(np.log(a)))
                ax.axhline(
                    baseline.loc[baseline["alpha"] == at, "test_error"].median(),
                    color=colour,
                    linestyle="--",
                    linewidth=1.2,
                    label=rf"D = {depth}, last layer only ($\alpha$ = {at:g})",
                )
                others = baseline.groupby("alpha")["test_error"].median()
                ax.scatter(
                    others.index,
                    others.to_numpy(),
                    color=colour,
                    marker="x",
                    s=30,
                    zorder=3,
                    label=f"D = {depth}, last layer only, same alpha",
                )
        if part["test_error"].notna().any():
            log_axis_alpha(ax)
        else:  # every run short of its stopping rule: no number to draw, and no log axis without data
            alphas = part["alpha"].to_numpy(float)
            ax.set_xscale("log")
            ax.set_xlim(alphas.min() / 1.5, alphas.max() * 1.5)
            ax.set_xlabel(r"initialisation scale $\alpha$")
            ax.text(
                0.5,
                0.5,
                "every run stopped short of\n100 % training accuracy: no number",
                transform=ax.transAxes,
                ha="center",
                va="center",
                fontsize=9,
            )
        ax.set_ylabel("test error")
        centred = bool(part["centred"].iloc[0]) if "centred" in part else False
        ax.set_title(f"({chr(ord('d') + col)}) {dataset}: ReLU MLP" + (", output centred" if centred else ""))
        ax.legend(fontsize=8)
    ax = flat[3 + len(sets)]
    seed = curves["seed"].min()
    part = curves[curves["seed"] == seed]
    alphas = sorted(part["alpha"].unique())
    grid = part[~part["is_data"].astype(bool)]
    first = grid[grid["alpha"] == alphas[0]]
    ax.plot(
        first["x"], first["linear_spline"], color="grey", linestyle="--", linewidth=1.2, label="linear spline"
    )
    ax.plot(
        first["x"],
        first["cubic_spline"],
        color="grey",
        linestyle=":",
        linewidth=1.2,
        label="natural cubic spline",
    )
    for alpha, colour in ((alphas[0], "C0"), (alphas[-1], "C1")):
        rows = grid[grid["alpha"] == alpha]
        ax.plot(rows["x"], rows["trained"], color=colour, label=rf"trained, $\alpha$ = {alpha:g}")
    last = grid[grid["alpha"] == alphas[-1]]
    ax.plot(
        last["x"],
        last["kernel_limit"],
        color="C1",
        linestyle="-.",
        linewidth=1.2,
        label=rf"kernel limit, $\alpha$ = {alphas[-1]:g}",
    )
    data = part[part["is_data"].astype(bool) & (part["alpha"] == alphas[0])]
    ax.scatter(data["x"], data["trained"], color="k", zorder=5, label="data")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title(f"({chr(ord('d') + len(sets))}) univariate ReLU net, width {int(part['width'].iloc[0])}")
    ax.legend(fontsize=7)
    fig.tight_layout()
    save(fig, path)


def univariate_balance_figure(
    summaries: list[pd.DataFrame], curves: list[pd.DataFrame], names: list[str], path
) -> None:
    """Fig. 7: one panel per experiment (a layer balance p, or other points): the trained function of
    the first seed at every alpha (light to dark with alpha; dashed where the run stopped short of its
    rule), the kernel-regime limit at the largest alpha (dotted), the linear spline and the data.  Last
    panel, for the experiments on the paper's plateau: rms distance to the linear spline against alpha
    (median, min-max band over seeds; open circles: runs short of their rule, at their last value), with
    each balance's kernel limit (dotted)."""
    setup()
    count = len(names) + 1
    rows = -(-count // 2)
    fig, axes = plt.subplots(rows, 2, figsize=(PAGE, 2.9 * rows), squeeze=False)
    axes = axes.ravel()
    balance = {
        name: (float(summary["balance"].iloc[0]) if "balance" in summary else 0.0)
        for name, summary in zip(names, summaries)
    }
    every = sorted({a for table in curves for a in table["alpha"].unique()})
    shade = dict(zip(every, plt.get_cmap("viridis")(np.linspace(0.85, 0.0, len(every)))))
    for k, (name, table) in enumerate(zip(names, curves)):
        ax = axes[k]
        part = table[table["seed"] == table["seed"].min()]
        grid = part[~part["is_data"].astype(bool)]
        alphas = sorted(grid["alpha"].unique())
        first = grid[grid["alpha"] == alphas[0]]
        ax.plot(
            first["x"], first["linear_spline"], color="grey", linewidth=3, alpha=0.4, label="linear spline"
        )
        for alpha in alphas:
            rows_ = grid[grid["alpha"] == alpha]
            short = not bool(rows_["converged"].astype(bool).all())
            ax.plot(
                rows_["x"],
                rows_["trained"],
                color=shade[alpha],
                linewidth=1.2,
                linestyle="--" if short else "-",
                label=rf"$\alpha$ = {alpha:g}" + (" (short)" if short else ""),
            )
        last = grid[grid["alpha"] == alphas[-1]]
        ax.plot(
            last["x"],
            last["kernel_limit"],
            color="black",
            linestyle=":",
            linewidth=1.4,
            label=rf"kernel limit, $\alpha$ = {alphas[-1]:g}",
        )
        data = part[part["is_data"].astype(bool) & (part["alpha"] == alphas[0])]
        ax.scatter(data["x"], data["trained"], color="k", zorder=5, s=16, label="data")
        ax.set_title(f"({chr(ord('a') + k)}) {name}: p = {balance[name]:g}", fontsize=9)
        ax.set_xlabel("x")
        ax.set_ylabel("f(x)")
        ax.legend(fontsize=7, framealpha=0.85)  # placed off the curves when saved (style.place_legends)
    ax = axes[len(names)]
    palette = dict(zip(names, sns.color_palette("colorblind", len(names))))
    any_failed = False
    for name, summary in zip(names, summaries):
        if "points" in summary and not (summary["points"] == "plateau").all():
            continue  # other data: its distance to the linear spline is not the paper's quantity
        colour = palette[name]
        any_failed |= median_band(
            ax, summary, "alpha", "to_linear_spline", colour, f"p = {balance[name]:g} ({name})"
        )
        short = summary[~summary["converged"].astype(bool)]
        ax.scatter(
            short["alpha"],
            short["to_linear_at_stop"],
            facecolors="none",
            edgecolors=colour,
            s=22,
            linewidths=1.0,
        )
        ax.axhline(summary["kernel_to_linear_spline"].median(), color=colour, linestyle=":", linewidth=1.2)
    ax.plot([], [], color="grey", linestyle=":", label="kernel limit (any alpha)")
    ax.scatter([], [], facecolors="none", edgecolors="grey", s=22, label="run short of its rule (last value)")
    if any_failed:
        ax.add_line(failed_handle())
    log_axis_alpha(ax)
    ax.set_ylabel("to the linear spline / rms(y)")
    ax.set_title(f"({chr(ord('a') + len(names))}) the paper's plateau: which spline", fontsize=9)
    for spare in axes[count:]:
        spare.axis("off")
    if len(axes) > count:  # the legend in the empty panel beside it
        axes[count].legend(
            *ax.get_legend_handles_labels(),
            fontsize=7,
            loc="center left",
            title=f"({chr(ord('a') + len(names))})",
            title_fontsize=8,
        )
    else:
        ax.legend(fontsize=7, framealpha=0.85)
    fig.tight_layout()
    save(fig, path)
