"""Figures of iterative linearisation (Goldwaser & Ge 2023; docs/science.md sec. 2.3) and the (alpha, K)
plane.  Tables come with K as text (``"1"``, ``"inf"``: ``regimes.pipeline.io.read_table``); the total
number of steps T is the summary's ``T`` column."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..grid import K_order
from ..networks.regime import describe
from ..results import failed
from .style import cell_stats, failed_handle, mark_failed, safe_log, save, setup, sns
from .style import panels as grid

SHORT_LABEL = "a run short of its plateau"

__all__ = [
    "accuracy_vs_K",
    "kernel_change",
    "training_curves",
    "gauss_newton",
    "phase_alpha_K",
    "K_positions",
]


def K_positions(values) -> tuple[dict, list, list]:
    """Map K values to x positions on a log axis, K = inf placed one decade past the largest finite K."""
    finite = sorted({int(k) for k in map(str, values) if k != "inf"})
    top = (finite[-1] if finite else 1) * 10.0
    pos = {str(k): float(k) for k in finite}
    pos["inf"] = top
    ticks = [float(k) for k in finite] + [top]
    labels = [compact(k) for k in finite] + [r"$\infty$"]
    return pos, ticks, labels


def compact(count: int) -> str:
    """A step count as a tick reads it: 840, 8.4k, 28k, 1.2M (three significant digits at most)."""
    for size, suffix in ((10**6, "M"), (10**3, "k")):
        if count >= size:
            return f"{count / size:.3g}{suffix}"
    return str(count)


def _panels(summary):
    """One panel per K axis: (experiment, data set, architecture) in table order (experiments need not
    share data sets: the paper tier's CIFAR-10 LeNet-5 has no mnist1d row), each ``(key, title)``, the
    title naming the regime (``regimes.networks.regime``: a variant outside the paper's says so) and T."""
    frame = summary.assign(experiment=summary["experiment"] if "experiment" in summary else "")
    out = []
    for key, rows in frame.groupby(["experiment", "dataset", "architecture"], sort=False):
        T = int(rows["T"].max())
        name = f" ({key[0]})" if key[0] else ""
        out.append((key, f"{key[1]}, {key[2]}: {describe(rows)}\nT = {T}{name}"))
    return out


def _part(table, key):
    """The rows of one panel's K axis."""
    experiment, dataset, arch = key
    rows = (table["dataset"] == dataset) & (table["architecture"] == arch)
    if "experiment" in table and experiment:
        rows &= table["experiment"] == experiment
    return table[rows]


K_AXIS = "K axis"  # the group id of the axes _K_axis draws (the ones _uncluttered tidies)


def _uncluttered(fig, pad: float = 2.0) -> None:
    """Keep the K axes' tick labels apart on the page, measured on the drawn figure (after its layout):
    from the left, a label that would run into a kept neighbour moves one line further from the axis
    (every other crowded label, as a staggered axis reads), or is blanked where that line is taken too
    (or, on the top axis, at once); the last (K = inf) always stays.  Lays the figure out again when a
    label moved; call it just before saving."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    moved = False
    for axis in [a for ax in fig.axes for a in (ax, *ax.child_axes)]:
        if axis.get_gid() != K_AXIS:
            continue
        texts = axis.get_xticklabels()
        boxes = [t.get_window_extent(renderer) for t in texts]
        lines = {len(texts) - 1: 0}  # kept labels: their line (0: the axis's own, 1: one further out)

        def free(i, line):
            return all(
                lines[j] != line or boxes[i].x1 + pad <= boxes[j].x0 or boxes[j].x1 + pad <= boxes[i].x0
                for j in lines
            )

        for i in range(len(texts) - 1):
            for line in (0, 1):
                if free(i, line):
                    lines[i] = line
                    break
        labels = [t.get_text() for t in texts]
        if any(lines.values()) and axis.xaxis.get_label_position() == "top":
            lines = {i: line for i, line in lines.items() if not line}  # no line above a top axis's: blank
        moved |= any(lines.values())
        axis.set_xticklabels([label if i in lines else "" for i, label in enumerate(labels)], fontsize=8)
        for i, tick in enumerate(axis.xaxis.get_major_ticks()):
            if lines.get(i):
                tick.set_pad(tick.get_pad() + 1.2 * texts[i].get_fontsize())  # one line further out
    if moved:
        fig.tight_layout()


def _K_axis(ax, ticks, labels, steps=None):
    """A log axis of K (``K_positions``), with T / K on top when ``steps`` (T) is given; crowded labels
    are moved apart, or blanked, once the figure is laid out (``_uncluttered``)."""
    ax.set_xscale("log")
    ax.set_xticks(ticks)
    ax.set_xticklabels(labels, fontsize=8)
    ax.minorticks_off()
    ax.set_xlabel("K (steps between feature updates)")
    ax.set_gid(K_AXIS)
    if steps:
        top = ax.secondary_xaxis("top")
        top.set_xticks(ticks)
        top.set_xticklabels([compact(steps // round(k)) for k in ticks[:-1]] + ["0"], fontsize=8)
        top.minorticks_off()
        top.set_xlabel("T / K (feature updates)", fontsize=9)
        top.set_gid(K_AXIS)


def accuracy_vs_K(summary: pd.DataFrame, history: pd.DataFrame, path) -> None:
    """Test accuracy (top) and final train loss (bottom) against K at fixed T, per data set and
    architecture."""
    setup()
    panels = _panels(summary)
    fig, axes = grid(2, len(panels), 0.6 + 2.7 * len(panels), stack=True)
    any_failed = any_short = False
    for col, (key, title) in enumerate(panels):
        part = _part(summary, key).copy()
        steps = int(part["T"].max())
        pos, ticks, labels = K_positions(part["K"])
        part["x"] = part["K"].map(pos)
        for row, (metric, label) in enumerate(
            (("test_acc", "test accuracy"), ("train_loss", "final train loss"))
        ):
            ax = axes[row, col]
            stats = cell_stats(part, "x", metric)
            ax.plot(stats["x"], stats["median"], marker="o", color="C0")
            ax.fill_between(stats["x"], stats["min"], stats["max"], color="C0", alpha=0.2, linewidth=0)
            mark_failed(ax, stats.loc[stats["failed"], "x"], "C0")
            any_failed |= bool(stats["failed"].any())
            if "plateau" in part:
                short = part.groupby("x")["plateau"].agg(lambda v: not v.astype(bool).all())
                xs = [x for x in stats["x"] if short.get(x, False)]
                if xs:
                    ax.scatter(
                        xs,
                        stats.set_index("x").loc[xs, "median"],
                        s=90,
                        facecolors="none",
                        edgecolors="C1",
                        linewidths=1.5,
                        zorder=5,
                        label=SHORT_LABEL if row == 0 else None,
                    )
                    any_short = True
            for k, style, name in (
                ("1", "--", "K = 1 (gradient descent)"),
                ("inf", ":", r"K = $\infty$ (fixed kernel)"),
            ):
                ref = part[part["K"] == k][metric]
                if len(ref) and ref.notna().all():
                    ax.axhline(ref.median(), color="black", linestyle=style, linewidth=1.2, label=name)
            _K_axis(ax, ticks, labels, steps if row == 0 else None)
            ax.set_ylabel(label)
            if row == 1:
                safe_log(ax)
            if row == 0:
                ax.set_title(title, pad=28, fontsize=8)
    handles, _ = axes[0, 0].get_legend_handles_labels()
    if any_short and SHORT_LABEL not in [h.get_label() for h in handles]:
        handles.append(
            plt.Line2D(
                [],
                [],
                marker="o",
                linestyle="none",
                markerfacecolor="none",
                markeredgecolor="C1",
                markersize=9,
                label=SHORT_LABEL,
            )
        )
    axes[0, 0].legend(handles=handles + ([failed_handle()] if any_failed else []), fontsize=8)
    fig.suptitle(
        "Iterative linearisation: every K trained for the same T steps (median, min-max over seeds)",
        fontsize=9,
        y=1.0,
    )
    fig.tight_layout()
    _uncluttered(fig)
    save(fig, path)


def _selected_K(values, count=4):
    pos, _, _ = K_positions(values)
    ordered = sorted(set(values), key=K_order)
    if len(ordered) <= count:
        return ordered
    picks = np.unique(np.linspace(0, len(ordered) - 1, count).round().astype(int))
    return [ordered[i] for i in picks]


def _succeeded(history, summary):
    """The history of the runs that neither diverged nor stopped short (a failed run draws no curve)."""
    keys = ["experiment", "dataset", "architecture", "alpha", "K", "seed"]
    keys = [k for k in keys if k in summary and k in history]
    ok = set(map(tuple, summary.loc[~failed(summary), keys].astype(str).to_numpy()))
    return history[[tuple(row) in ok for row in history[keys].astype(str).to_numpy()]]


def _curves(axes_row, history, metric, label, panels, chosen, log_y=False):
    """``chosen``: per panel key, the K values drawn (from the summary: a K whose every run failed is
    named in the legend)."""
    for ax, (key, title) in zip(axes_row, panels):
        part = _part(history, key)
        here = chosen[key]
        palette = dict(zip(here, sns.color_palette("viridis", len(here))))
        part = part[part["K"].isin(here)]
        for k in here:
            g = part[part["K"] == k].groupby("step")[metric].agg(["median", "min", "max"]).reset_index()
            name = r"$\infty$" if k == "inf" else k
            if g.empty:
                ax.plot([], [], color=palette[k], label=f"K = {name}: every run failed")
                continue
            ax.plot(g["step"], g["median"], color=palette[k], label=f"K = {name}")
            ax.fill_between(g["step"], g["min"], g["max"], color=palette[k], alpha=0.15, linewidth=0)
        ax.set_xlabel("step")
        ax.set_ylabel(label)
        ax.set_title(title, fontsize=8)
        ax.legend(fontsize=7)
        if log_y:
            safe_log(ax)


def kernel_change(summary: pd.DataFrame, history: pd.DataFrame, path) -> None:
    """Kernel distance from the initial NTK over training for several K (top); final distance against K
    (bottom)."""
    setup()
    panels = _panels(summary)
    fig, axes = grid(2, len(panels), 0.6 + 2.5 * len(panels), stack=True)
    chosen = {key: _selected_K(_part(summary, key)["K"], 5) for key, _ in panels}
    _curves(
        axes[0], _succeeded(history, summary), "kernel_distance", "kernel distance from init", panels, chosen
    )
    for ax, (key, _) in zip(axes[1], panels):
        part = _part(summary, key).copy()
        pos, ticks, labels = K_positions(part["K"])
        part["x"] = part["K"].map(pos)
        stats = cell_stats(part, "x", "kernel_distance")
        ax.plot(stats["x"], stats["median"], marker="o", color="C3")
        ax.fill_between(stats["x"], stats["min"], stats["max"], color="C3", alpha=0.2, linewidth=0)
        mark_failed(ax, stats.loc[stats["failed"], "x"], "C3")
        _K_axis(ax, ticks, labels)
        ax.set_ylabel("final kernel distance")
    fig.suptitle(
        r"Empirical NTK change: $1 - \langle\Theta_0, \Theta_t\rangle_F / (\|\Theta_0\|_F \|\Theta_t\|_F)$",
        fontsize=9,
    )
    fig.tight_layout()
    _uncluttered(fig)
    save(fig, path)


def training_curves(summary: pd.DataFrame, history: pd.DataFrame, path) -> None:
    """Train loss (top) and test accuracy (bottom) against step for several K."""
    setup()
    panels = _panels(summary)
    fig, axes = grid(2, len(panels), 0.6 + 2.5 * len(panels), stack=True)
    history = _succeeded(history, summary)
    chosen = {key: _selected_K(_part(summary, key)["K"], 5) for key, _ in panels}
    _curves(axes[0], history, "train_loss", "train loss", panels, chosen, log_y=True)
    _curves(axes[1], history, "test_acc", "test accuracy", panels, chosen)
    fig.suptitle("Training curves for several K (median, min-max over seeds)", fontsize=9)
    fig.tight_layout()
    save(fig, path)


def _heatmap(ax, table, value, title, fmt, cmap):
    """Median over seeds at each (alpha, K); a cell where a run failed has no number (hatched)."""
    pivot = table.groupby(["K", "alpha"])[value].agg(lambda v: v.median(skipna=False)).reset_index()
    pos, _, _ = K_positions(pivot["K"])
    pivot["order"] = pivot["K"].map(pos)
    grid = pivot.pivot_table(index="order", columns="alpha", values=value).sort_index(ascending=False)
    names = {v: (r"$\infty$" if k == "inf" else k) for k, v in pos.items()}
    grid.index = [names[i] for i in grid.index]
    grid.columns = [f"{a:g}" for a in grid.columns]
    ax.patch.set(hatch="xx", edgecolor="0.7")  # shows through the cells left empty: failed runs
    sns.heatmap(grid, ax=ax, annot=True, fmt=fmt, cmap=cmap, cbar=True, annot_kws={"fontsize": 7})
    ax.set_yticklabels(ax.get_yticklabels(), rotation=0)
    ax.set_xlabel(r"initialisation scale $\alpha$")
    ax.set_ylabel("K")
    ax.set_title(title)


def phase_alpha_K(diagonal: pd.DataFrame, network: pd.DataFrame, path) -> None:
    """Heatmaps over (alpha, K): test error and final kernel distance, diagonal model and a network."""
    setup()
    fig, axes = grid(2, 2, 6.6)
    depth = int(diagonal["depth"].min())
    diag = diagonal[diagonal["depth"] == depth]
    _heatmap(
        axes[0, 0],
        diag,
        "test_error",
        rf"diagonal model (D = {depth}): $\|\beta - \beta^*\|^2$",
        ".2f",
        "rocket_r",
    )
    _heatmap(axes[0, 1], diag, "kernel_distance", "diagonal model: final kernel distance", ".2f", "mako_r")
    label = f"{network['dataset'].iloc[0]}, {network['architecture'].iloc[0]}"
    _heatmap(axes[1, 0], network, "test_error", f"{label}: test error", ".2f", "rocket_r")
    _heatmap(axes[1, 1], network, "kernel_distance", f"{label}: final kernel distance", ".2f", "mako_r")
    fig.suptitle(
        r"The ($\alpha$, K) plane: rich (small $\alpha$, small K) to kernel (large $\alpha$ or K = $\infty$)",
        fontsize=9,
    )
    fig.tight_layout()
    save(fig, path)


def gauss_newton(summary: pd.DataFrame, rounds: pd.DataFrame, path) -> None:
    """(a) Test accuracy after the last round against the damping mu = 1/(eta K): iterative
    linearisation at K and damped Gauss-Newton at mu (K = inf: mu = 0, the pseudo-inverse, drawn at the
    left edge); (b) the cosine between the two methods' steps at the same anchor, round by round."""
    setup()
    fig, axes = grid(1, 2, 6.6)
    ax = axes[0, 0]
    mu = summary.groupby("K")["mu"].transform("median")  # eta, so mu, is each seed's own: one x per K
    edge = float(mu[mu > 0].min()) / 10 if (mu > 0).any() else 1.0
    part = summary.assign(x=mu.where(mu > 0, edge))
    any_failed = False
    for column, label, color, marker in (
        ("il_test_acc", "iterative linearisation at K", "C0", "o"),
        ("gn_test_acc", r"damped Gauss-Newton at $\mu = 1/(\eta K)$", "C3", "s"),
    ):
        stats = cell_stats(part, "x", column)
        ax.plot(stats["x"], stats["median"], marker=marker, color=color, label=label)
        ax.fill_between(stats["x"], stats["min"], stats["max"], color=color, alpha=0.15, linewidth=0)
        mark_failed(ax, stats.loc[stats["failed"], "x"], color)
        any_failed |= bool(stats["failed"].any())
    ax.set_xscale("log")
    ticks = sorted(part["x"].unique())
    ax.set_xticks(ticks)
    ax.set_xticklabels(["0" if t == edge else f"{t:.2g}" for t in ticks], fontsize=8)
    ax.minorticks_off()
    ax.set_xlabel(r"damping $\mu = 1/(\eta K)$ (median over seeds)")
    ax.set_ylabel(f"test accuracy after {int(summary['rounds'].max())} rounds")
    top = ax.secondary_xaxis("top")
    top.set_xticks(ticks)
    labels = {float(m): k for m, k in zip(part["x"], part["K"])}
    top.set_xticklabels([r"$\infty$" if labels[t] == "inf" else labels[t] for t in ticks], fontsize=8)
    top.minorticks_off()
    top.set_xlabel("K", fontsize=9)
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(handles=handles + ([failed_handle()] if any_failed else []), fontsize=8)
    ax.set_title("(a) accuracy against the damping", pad=24)
    ax = axes[0, 1]
    ordered = sorted(rounds["K"].unique(), key=K_order)
    palette = dict(zip(ordered, sns.color_palette("viridis", len(ordered))))
    steps = rounds[rounds["round"] > 0]
    for k in ordered:
        g = steps[steps["K"] == k].groupby("round")["cosine"].agg(["median", "min", "max"]).reset_index()
        ax.plot(
            g["round"],
            g["median"],
            color=palette[k],
            marker=".",
            label=r"K = $\infty$" if k == "inf" else f"K = {k}",
        )
        ax.fill_between(g["round"], g["min"], g["max"], color=palette[k], alpha=0.15, linewidth=0)
    ax.set_xlabel("round")
    ax.set_ylabel("cosine of the two steps")
    ax.set_title("(b) same anchor, same direction?")
    ax.legend(fontsize=8)
    fig.suptitle(
        f"Iterative linearisation as damped Gauss-Newton ({', '.join(sorted(summary['dataset'].unique()))}; "
        "median, min-max over seeds)",
        fontsize=9,
    )
    fig.tight_layout()
    save(fig, path)
