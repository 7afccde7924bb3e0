"""Shared look of every figure: readable on paper, colour-blind-safe, PDF and PNG written atomically."""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from ..pipeline.io import atomic_path  # noqa: E402

__all__ = [
    "PAGE",
    "panels",
    "setup",
    "save",
    "depth_palette",
    "plt",
    "sns",
    "log_axis_alpha",
    "median_band",
    "cell_stats",
    "mark_failed",
    "failed_handle",
    "safe_log",
]


PAGE = (
    6.8  # inches: the widest a figure is (with its margins under 7), so no text shrinks below 7 pt in print
)


def setup() -> None:
    """Seaborn's paper context scaled so that its smallest text (tick labels) is 7.5 pt."""
    sns.set_theme(context="paper", style="whitegrid", palette="colorblind", font_scale=0.85)
    plt.rcParams.update(
        {
            "lines.linewidth": 2.0,
            "lines.markersize": 6,
            "figure.dpi": 150,
            "savefig.bbox": "tight",
            "pdf.fonttype": 42,
        }
    )


def panels(rows: int, cols: int, height: float, *, stack: bool = False, **kw):
    """A figure ``PAGE`` inches wide with a ``rows`` x ``cols`` grid of axes, indexed ``[row, col]``.
    ``stack=True`` lays the grid out transposed (``cols`` rows of ``rows`` panels) for the same indexing:
    wide layouts become tall ones that fit the page."""
    if stack:
        fig, grid = plt.subplots(cols, rows, figsize=(PAGE, height), squeeze=False, **kw)
        return fig, grid.T
    return plt.subplots(rows, cols, figsize=(PAGE, height), squeeze=False, **kw)


def depth_palette(depths) -> dict:
    depths = sorted(set(int(d) for d in depths))
    return dict(zip(depths, sns.color_palette("colorblind", len(depths))))


def plain_log_ticks(axis) -> None:
    """Log-axis tick labels as plain numbers (0.01, 1e-05, 0.3), full size: not 10 with a small
    superscript.  Which ticks are labelled is matplotlib's choice (decades; a few minor ticks on short
    axes)."""
    from matplotlib import ticker

    class Plain(ticker.LogFormatter):
        def __call__(self, x, pos=None):
            return f"{x:g}" if super().__call__(x, pos) else ""

    axis.set_major_formatter(Plain(labelOnlyBase=True))
    axis.set_minor_formatter(Plain(labelOnlyBase=False, minor_thresholds=(1, 0.4)))


def log_axis_alpha(ax, label: str = r"initialisation scale $\alpha$") -> None:
    ax.set_xscale("log")
    plain_log_ticks(ax.xaxis)
    ax.set_xlabel(label)


def _drawn_texts(fig):
    """The texts the figure draws: tick labels of the ticks inside each axis's view (matplotlib keeps
    label objects for ticks it does not draw), axis labels, titles, texts and legend entries."""
    out = [t for t in fig.texts]
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for tick in axis._update_ticks():  # the ticks drawn (inside the view interval)
                out += [tick.label1, tick.label2]
            out.append(axis.label)
        out += [ax.title, ax._left_title, ax._right_title, *ax.texts]
        legend = ax.get_legend()
        if legend is not None:
            out += legend.get_texts()
    return [t for t in out if t.get_visible() and str(t.get_text()).strip()]


def overlapping_text(fig, pad: float = 1.0) -> list[tuple[str, str]]:
    """Pairs of drawn texts of ``fig`` whose boxes overlap by more than ``pad`` pixels each way (tick
    labels, axis labels, titles, panel letters, annotations, legend entries): what runs together on the
    printed page."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(str(t.get_text()), t.get_window_extent(renderer)) for t in _drawn_texts(fig)]
    out = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            wide = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            high = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if wide > pad and high > pad:
                out.append((a, b))
    return out


def _data_points(ax, per_segment: int = 12) -> list[tuple[str, np.ndarray]]:
    """Each drawn line's and marker set's points in display coordinates, a line's segments filled in
    (a straight segment that crosses a legend has no vertex inside it)."""
    out = []
    for line in ax.get_lines():
        if not line.get_visible():
            continue
        xy = np.asarray(line.get_xydata(), dtype=float)
        xy = xy[np.isfinite(xy).all(axis=1)] if len(xy) else xy
        if not len(xy):
            continue
        points = line.get_transform().transform(xy)
        if line.get_linestyle() not in ("None", "none", "", " ") and len(points) > 1:
            t = np.linspace(0, 1, per_segment)[:, None, None]
            points = (points[:-1][None] * (1 - t) + points[1:][None] * t).reshape(-1, 2)
        out.append((line.get_label(), points))
    for collection in ax.collections:
        offsets = np.asarray(collection.get_offsets(), dtype=float) if collection.get_visible() else []
        if len(offsets) and type(collection).__name__ == "PathCollection":  # markers (scatter)
            offsets = offsets[np.isfinite(offsets).all(axis=1)]
            out.append((collection.get_label(), collection.get_offset_transform().transform(offsets)))
    return out


def _covered(ax, legend, renderer, pad: float = 1.0) -> list[tuple[str, int]]:
    """(label, points) of each curve or marker set of ``ax`` drawn under its legend, inside the view."""
    box = legend.get_window_extent(renderer).padded(-pad)
    view = ax.get_window_extent(renderer)
    out = []
    for label, points in _data_points(ax):
        x, y = points[:, 0], points[:, 1]
        seen = (x >= view.x0) & (x <= view.x1) & (y >= view.y0) & (y <= view.y1)
        inside = seen & (x > box.x0) & (x < box.x1) & (y > box.y0) & (y < box.y1)
        if inside.any():
            out.append((label, int(inside.sum())))
    return out


def _panel(fig, ax) -> str:
    return ax.get_title() or f"panel {fig.axes.index(ax) + 1}"


def legend_over_data(fig) -> list[tuple[str, str]]:
    """(panel title, curve label) for each legend drawn over a curve or a marker of its own panel: what
    hides the data on the printed page."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    out = []
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            out += [(_panel(fig, ax), label) for label, _ in _covered(ax, legend, renderer)]
    return out


LEGEND_PLACES = (
    "upper right",
    "upper left",
    "lower left",
    "lower right",
    "center right",
    "center left",
    "upper center",
    "lower center",
)


def _room_above(ax, legend, renderer, margin: float = 0.03) -> bool:
    """Raise the top of ``ax``'s y range so that its data under the legend's columns lies below it
    (the legend at the top); False, and nothing changed, where that would more than double the range."""
    box, view = legend.get_window_extent(renderer), ax.get_window_extent(renderer)
    top = (
        1 - (box.height + 2 * legend.borderaxespad * legend.prop.get_size_in_points()) / view.height - margin
    )
    highest = 0.0
    for _, points in _data_points(ax):
        x, y = points[:, 0], points[:, 1]
        under = (x > box.x0) & (x < box.x1) & (y >= view.y0) & (y <= view.y1)
        if under.any():
            highest = max(highest, float((y[under].max() - view.y0) / view.height))
    if top <= 0.2 or highest <= top:
        return highest <= top
    stretch = highest / top  # the range grows by this factor, its bottom kept
    if stretch > 2.0:
        return False
    low, high = ax.get_ylim()
    if ax.get_yscale() == "log":
        ax.set_ylim(low, low * (high / low) ** stretch)
    else:
        ax.set_ylim(low, low + (high - low) * stretch)
    return True


def place_legends(fig) -> None:
    """Move each legend that lies over its panel's data: to the corner or side that covers the fewest
    points, or, where every place covers some, to the upper corner with the y range raised to leave room
    above the data (at most doubled).  A legend anchored by hand is left where it is."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        legend = ax.get_legend()
        if legend is None or legend._bbox_to_anchor is not None or not _covered(ax, legend, renderer):
            continue
        scores = {}
        for place in LEGEND_PLACES:
            legend.set_loc(place)  # the legend's box follows without a new draw (it is placed when asked)
            scores[place] = sum(n for _, n in _covered(ax, legend, renderer))
            if scores[place] == 0:
                break
        best = min(scores, key=scores.get)
        legend.set_loc(best)
        if scores[best] == 0:
            continue
        for corner in ("upper right", "upper left"):
            legend.set_loc(corner)
            fig.canvas.draw()
            if _room_above(ax, legend, renderer):
                fig.canvas.draw()
                if not _covered(ax, legend, renderer):
                    break
        else:
            legend.set_loc(best)


def reference_line(ax, value: float, data, label: str, decades: float = 2.0, **style) -> None:
    """A horizontal reference line on a log y axis, drawn where it is within ``decades`` of the lowest
    of ``data``; one far below (the min-nuclear-norm error of an exact recovery, 1e-7) would spend most of
    the panel's height reaching it: it is named in the legend with its value instead."""
    finite = np.asarray(data, dtype=float)
    finite = finite[np.isfinite(finite) & (finite > 0)]
    if not np.isfinite(value) or not len(finite) or value >= finite.min() / 10**decades:
        ax.axhline(value, label=label, **style)
    else:
        ax.plot([], [], label=f"{label}: {value:.0e} (below the axis)", **style)


def readable_ranges(fig, least: float = 0.02) -> None:
    """Linear axes whose values are all but equal (a distance constant to 1e-13) get a range of at least
    ``least`` of their magnitude, and no axis prints an offset ("1e-13+6.832e-2" above the ticks)."""
    from matplotlib.ticker import ScalarFormatter

    for ax in fig.axes:
        if not ax.axison:
            continue
        for axis, get, set_ in ((ax.xaxis, ax.get_xlim, ax.set_xlim), (ax.yaxis, ax.get_ylim, ax.set_ylim)):
            if axis.get_scale() != "linear" or not isinstance(axis.get_major_formatter(), ScalarFormatter):
                continue
            low, high = get()
            size = max(abs(low), abs(high))
            if size > 0 and abs(high - low) < least * size:
                middle = (low + high) / 2
                set_(middle - least * size / 2, middle + least * size / 2)
            axis.get_major_formatter().set_useOffset(False)


def save(fig, pdf_path) -> None:
    """Write ``pdf_path`` and the PNG beside it; neither appears until it is complete.  Both carry their
    provenance in their metadata (PDF: ``Subject``; PNG: a ``Provenance`` text chunk): the workflow
    commit, package versions and the time they were drawn."""
    from ..pipeline.provenance import provenance_json

    readable_ranges(fig)
    place_legends(fig)
    for problem, pairs, joint in (
        ("a legend lies over data", legend_over_data(fig), ": "),
        ("text runs together", overlapping_text(fig), " over "),
    ):
        if pairs:
            logging.getLogger(__name__).warning(
                "%s: %s: %s", Path(pdf_path).name, problem, "; ".join(f"{a!r}{joint}{b!r}" for a, b in pairs)
            )
    record = provenance_json({"figure": Path(pdf_path).stem})
    pdf_path = Path(pdf_path)
    for path, metadata in (
        (pdf_path, {"Subject": record, "Creator": "regimes"}),
        (pdf_path.with_suffix(".png"), {"Provenance": record, "Software": "regimes"}),
    ):
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=path.suffix[1:], metadata=metadata)
    plt.close(fig)


def cell_stats(table, x: str, y: str):
    """Median, min and max of ``y`` over the runs at each ``x``, and ``failed``: whether a run there
    failed (its ``y`` is NaN, ``regimes.results.blank_failed``).  A cell with a failed run has no number:
    its statistics are NaN, so lines break there."""
    grouped = table.groupby(x)[y]
    stats = grouped.agg(["median", "min", "max"])
    stats["failed"] = grouped.apply(lambda v: bool(v.isna().any()))
    stats.loc[stats["failed"], ["median", "min", "max"]] = float("nan")
    return stats.reset_index()


def mark_failed(ax, xs, color) -> None:
    """A cross at the foot of the axes at each x where a run failed: a marked gap, never a number."""
    xs = list(xs)
    if xs:
        ax.scatter(
            xs,
            [0.04] * len(xs),
            transform=ax.get_xaxis_transform(),
            marker="x",
            color=color,
            s=40,
            linewidths=1.5,
            clip_on=False,
            zorder=4,
        )


FAILED_LABEL = "a run failed: no number"


def failed_handle():
    """Legend entry for ``mark_failed``."""
    from matplotlib.lines import Line2D

    return Line2D([], [], marker="x", linestyle="", color="grey", markersize=6, label=FAILED_LABEL)


def median_band(ax, table, x, y, color, label, marker="o", linestyle="-"):
    """The median over seeds of ``y`` against ``x`` with a min-max band; cells with a failed run are gaps,
    marked at the foot of the axes."""
    stats = cell_stats(table, x, y)
    ax.plot(stats[x], stats["median"], marker=marker, color=color, label=label, linestyle=linestyle)
    ax.fill_between(stats[x], stats["min"], stats["max"], color=color, alpha=0.2, linewidth=0)
    mark_failed(ax, stats.loc[stats["failed"], x], color)
    return bool(stats["failed"].any())


def safe_log(ax, axis: str = "y") -> None:
    """A log scale where the drawn data allow one (some positive finite value); linear otherwise, so a
    panel with nothing positive to show stays a readable empty panel instead of an error.  A value of 0
    is left out of its line (a gap), not drawn as a drop to the axis floor."""
    values = []
    for line in ax.get_lines():
        data = line.get_ydata() if axis == "y" else line.get_xdata()
        values.extend(np.asarray(data, dtype=float).ravel().tolist())
    values = np.asarray(values)
    if np.any(np.isfinite(values) & (values > 0)):
        (ax.set_yscale if axis == "y" else ax.set_xscale)("log", nonpositive="mask")
        plain_log_ticks(ax.yaxis if axis == "y" else ax.xaxis)
