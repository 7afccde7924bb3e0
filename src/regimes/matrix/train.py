"""Train a factorised-matrix cell over all its seeds (Woodworth et al. 2020, sec. 6)."""

from __future__ import annotations

import time

import numpy as np

from ..grid import Cell, cell_arrays, split_cells
from .commuting import commuting_flow_limit
from .factorised import init_factors, train_factorised

__all__ = ["flow_limit_cell", "train_matrix_cell", "train_matrix_batch"]


def flow_limit_cell(cell: Cell, datasets: list[dict]) -> dict:
    """The closed-form limit of gradient flow (``regimes.matrix.commuting``) for every seed of a cell with
    commuting measurements, from the initialisation ``train_factorised`` draws for the same seed."""
    start = time.perf_counter()
    runs = []
    for data in datasets:
        U0, Vt0 = (
            f[0].numpy()
            for f in init_factors(data["A"].shape[1:], 2, cell.width, cell.alpha, int(data["seed"]))
        )
        limit = commuting_flow_limit(data["A"], data["y"], U0, Vt0.T)
        runs.append(limit)
    return {
        "seeds": np.array([int(d["seed"]) for d in datasets]),
        "M": np.stack([r.M for r in runs]),
        "M0": np.stack([r.M0 for r in runs]),
        "train_loss": np.array([0.5 * r.residual**2 for r in runs]),
        "steps": np.array([r.iterations for r in runs]),
        "converged": np.array([r.converged for r in runs]),
        "diverged": np.zeros(len(runs), bool),
        "seconds": time.perf_counter() - start,
    }


def train_matrix_cell(
    cell: Cell,
    datasets: list[dict],
    settings: dict,
    *,
    init: str = "gaussian",
    label: str = "",
    device=None,
    limit: str = "gd",
) -> dict:
    """Every seed of a factorised cell in one batched program; each seed draws its own problem and
    initialisation.  ``limit="flow"``: the flow's limit in closed form instead (commuting measurements)."""
    if limit == "flow":
        if init != "gaussian" or cell.depth != 2:
            raise ValueError(
                "the closed-form limit is for U V^T from N(0, alpha^2) (init gaussian, depth 2), got init "
                f"{init!r}, depth {cell.depth}"
            )
        return flow_limit_cell(cell, datasets)
    return _train_stack([cell], datasets, settings, init=init, label=label, device=device)[cell.id]


def train_matrix_batch(
    cells: list[Cell],
    datasets: list[dict],
    settings: dict,
    *,
    init: str = "gaussian",
    label: str = "",
    device=None,
    limit: str = "gd",
) -> dict:
    """Every (cell, seed) of a batch of cells that share depth and width in one batched program (one
    alpha a run; each run stops on its own, so a member equals the same cell trained alone); per cell,
    the arrays of :func:`train_matrix_cell`.  Cells of different shapes, or ``limit="flow"``, one by one."""
    if limit == "flow" or len({(c.depth, c.width) for c in cells}) != 1:
        return {
            cell.id: train_matrix_cell(
                cell, datasets, settings, init=init, label=f"{label} {cell.id}", device=device, limit=limit
            )
            for cell in cells
        }
    return _train_stack(cells, datasets, settings, init=init, label=label, device=device)


def _train_stack(
    cells: list[Cell], datasets: list[dict], settings: dict, *, init: str, label: str, device
) -> dict:
    """Every (cell, seed) of cells that share depth and width as one call of ``train_factorised``, split
    back into cells (members ordered cell by cell, seeds within each)."""
    seeds = [int(d["seed"]) for d in datasets]
    result = train_factorised(
        np.stack([d["A"] for _ in cells for d in datasets]),
        np.stack([d["y"] for _ in cells for d in datasets]),
        np.repeat([c.alpha for c in cells], len(seeds)),
        cells[0].depth,
        cells[0].width,
        seeds * len(cells),
        init=init,
        label=label,
        device=device,
        **settings,
    )
    return split_cells(cells, seeds, cell_arrays(seeds, result))
