"""Train a batch of diagonal-model cells (Woodworth et al. 2020, sec. 4; Goldwaser & Ge 2023 for K > 1).

``train_diagonal`` chooses the integrator of the flow: ``"gd"`` (``regimes.diagonal.gd``: gradient descent
on the weights, any K) or ``"mirror"`` (``regimes.diagonal.mirror``: implicit steps in the mirror
coordinates, K = 1); ``train_diagonal_cells`` trains the cells of one training job.
"""

from __future__ import annotations

import logging

import numpy as np

from ..batched import Trained
from ..grid import Cell, cell_arrays, parse_K
from .gd import train_gd
from .mirror import train_mirror

__all__ = ["INTEGRATORS", "train_diagonal", "train_diagonal_cells"]

INTEGRATORS = ("gd", "mirror")

log = logging.getLogger(__name__)


def train_diagonal(
    X,
    y,
    alpha,
    depth: int,
    *,
    integrator: str = "gd",
    K=1,
    nonlinearity: float = 0.25,
    step_scale: float = 0.5,
    max_rel_change: float = 0.01,
    max_steps: int = 20000,
    **common,
) -> Trained:
    """Train independent diagonal networks ``beta = w_+^D - w_-^D`` from ``w_+- = alpha``.

    ``integrator``: ``"gd"`` (any K; ``step_scale`` and ``max_rel_change`` set its step) or ``"mirror"``
    (K = 1 only; ``nonlinearity`` sets its step).  ``common``: the arguments both share (``tol``,
    ``group``, ``device``, ``dtype``, ``log_every``, ``label``; ``regimes.diagonal.gd.train_gd``).
    """
    if integrator not in INTEGRATORS:
        raise ValueError(f"integrator must be one of {INTEGRATORS}, got {integrator!r}")
    common["max_steps"] = max_steps
    if integrator == "gd":
        return train_gd(
            X,
            y,
            alpha,
            depth,
            step_scale=step_scale,
            max_rel_change=max_rel_change,
            K=K,
            **common,
        )
    if parse_K(K) != 1:
        raise ValueError(
            f"the mirror integrator follows gradient flow (K = 1); got K = {K!r}: use integrator='gd'"
        )
    out = train_mirror(X, y, alpha, depth, nonlinearity=nonlinearity, **common)
    # One set of names for both integrators: the mirror flow's weights are its anchor (K = 1).
    return Trained(
        beta=out["beta"],
        anchor_plus=out["w_plus"],
        anchor_minus=out["w_minus"],
        **{k: out[k] for k in ("train_loss", "steps", "flow_time", "converged", "diverged", "seconds")},
    )


def train_diagonal_cells(
    cells: list[Cell], datasets: list[dict], settings: dict, *, label: str = "", device=None
) -> dict[str, dict]:
    """Cells of one depth and K (a batch of alphas) times every seed in one tensor program; the runs of
    one seed share its data.  Returns ``{cell id: arrays}``: ``seeds`` and the trainer's per-run arrays
    of the cell's runs (``seconds``: the whole batch's)."""
    if len({(c.depth, str(c.K)) for c in cells}) != 1:
        raise ValueError(f"one batch trains one depth and one K, got {[c.id for c in cells]}")
    X = np.stack([d["X"] for d in datasets])
    y = np.stack([d["y"] for d in datasets])
    seeds = [int(d["seed"]) for d in datasets]
    alpha = np.repeat([c.alpha for c in cells], len(seeds))
    group = np.tile(np.arange(len(seeds)), len(cells))
    result = train_diagonal(
        X,
        y,
        alpha,
        cells[0].depth,
        group=group,
        K=cells[0].K,
        label=label,
        device=device,
        **settings,
    )
    arrays = cell_arrays(seeds, result)
    out = {}
    for i, cell in enumerate(cells):
        rows = slice(i * len(seeds), (i + 1) * len(seeds))
        out[cell.id] = {k: (v if k in ("seeds", "seconds") else v[rows]) for k, v in arrays.items()}
    return out
