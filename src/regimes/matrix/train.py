"""Train a factorised-matrix cell over all its seeds (Woodworth et al. 2020, sec. 6)."""

from __future__ import annotations

import numpy as np

from ..grid import Cell, cell_arrays
from .factorised import train_factorised

__all__ = ["train_matrix_cell"]


def train_matrix_cell(cell: Cell, datasets: list[dict], settings: dict, *, init: str = "gaussian", label: str = "", device=None) -> dict:
    """Every seed of a factorised cell in one batched program; each seed draws its own problem and
    initialisation."""
    seeds = [int(d["seed"]) for d in datasets]
    result = train_factorised(
        np.stack([d["A"] for d in datasets]),
        np.stack([d["y"] for d in datasets]),
        cell.alpha,
        cell.depth,
        cell.width,
        seeds,
        init=init,
        label=label,
        device=device,
        **settings,
    )
    return cell_arrays(seeds, result)
