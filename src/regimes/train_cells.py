"""Train one grid cell over all its seeds: the bridge between the workflow and the trainers."""

from __future__ import annotations

import numpy as np

from .flow import train_diagonal
from .grid import Cell, parse_K

__all__ = ["train_sparse_cell"]


def train_sparse_cell(cell: Cell, datasets: list[dict], settings: dict, *, label: str = "", device=None) -> dict:
    """Seeds stacked along the run axis; returns the arrays stored in the cell's ``.npz``."""
    if parse_K(cell.K) != 1:
        raise NotImplementedError(f"K = {cell.K}: only K = 1 (plain training) is implemented for the diagonal model here")
    X = np.stack([d["X"] for d in datasets])
    y = np.stack([d["y"] for d in datasets])
    result = train_diagonal(X, y, cell.alpha, cell.depth, label=label, device=device, **settings)
    return {
        "seeds": np.array([int(d["seed"]) for d in datasets]),
        "beta": result.beta,
        "train_loss": result.train_loss,
        "steps": result.steps,
        "flow_time": result.flow_time,
        "converged": result.converged,
        "diverged": result.diverged,
        "seconds": np.asarray(result.seconds),
    }
