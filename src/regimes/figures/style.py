"""Shared look of every figure: readable on paper, colour-blind-safe, PDF and PNG written atomically."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from ..pipeline.io import atomic_path  # noqa: E402

__all__ = ["setup", "save", "depth_palette", "plt", "sns", "log_axis_alpha", "median_band"]


def setup() -> None:
    sns.set_theme(context="paper", style="whitegrid", palette="colorblind", font_scale=1.25)
    plt.rcParams.update({"lines.linewidth": 2.0, "lines.markersize": 6, "figure.dpi": 150, "savefig.bbox": "tight", "pdf.fonttype": 42})


def depth_palette(depths) -> dict:
    depths = sorted(set(int(d) for d in depths))
    return dict(zip(depths, sns.color_palette("colorblind", len(depths))))


def log_axis_alpha(ax, label: str = r"initialisation scale $\alpha$") -> None:
    ax.set_xscale("log")
    ax.set_xlabel(label)


def save(fig, pdf_path) -> None:
    """Write ``pdf_path`` and the PNG beside it; neither appears until it is complete."""
    pdf_path = Path(pdf_path)
    for path in (pdf_path, pdf_path.with_suffix(".png")):
        with atomic_path(path) as tmp:
            fig.savefig(tmp, format=path.suffix[1:])
    plt.close(fig)


def median_band(ax, table, x, y, color, label, marker="o", linestyle="-"):
    """The median over seeds of ``y`` against ``x`` with a min-max band."""
    stats = table.groupby(x)[y].agg(["median", "min", "max"]).reset_index()
    ax.plot(stats[x], stats["median"], marker=marker, color=color, label=label, linestyle=linestyle)
    ax.fill_between(stats[x], stats["min"], stats["max"], color=color, alpha=0.2, linewidth=0)
