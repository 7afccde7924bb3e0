"""Shared look of every figure: readable on paper, colour-blind-safe, PDF and PNG written atomically."""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib

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


def save(fig, pdf_path) -> None:
    """Write ``pdf_path`` and the PNG beside it; neither appears until it is complete.  Both carry their
    provenance in their metadata (PDF: ``Subject``; PNG: a ``Provenance`` text chunk): the workflow
    commit, package versions and the time they were drawn."""
    from ..pipeline.provenance import provenance_json

    crowded = overlapping_text(fig)
    if crowded:
        logging.getLogger(__name__).warning(
            "%s: text runs together: %s",
            Path(pdf_path).name,
            "; ".join(f"{a!r} over {b!r}" for a, b in crowded),
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
    panel with nothing positive to show stays a readable empty panel instead of an error."""
    import numpy as np

    values = []
    for line in ax.get_lines():
        data = line.get_ydata() if axis == "y" else line.get_xdata()
        values.extend(np.asarray(data, dtype=float).ravel().tolist())
    values = np.asarray(values)
    if np.any(np.isfinite(values) & (values > 0)):
        (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
        plain_log_ticks(ax.yaxis if axis == "y" else ax.xaxis)
