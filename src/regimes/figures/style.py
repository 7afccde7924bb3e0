"""Shared look of every figure: readable on paper, colour-blind-safe, PDF and PNG written atomically."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

from ..io import atomic_path  # noqa: E402

__all__ = ["setup", "save", "depth_palette", "plt", "sns", "log_axis_alpha"]


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
