"""Train one grid cell over all its seeds: the bridge between the workflow and the trainers."""

from __future__ import annotations

import logging

import numpy as np
import torch

from .device import resolve
from .flow import train_diagonal
from .grid import Cell
from .linearise import train_iteratively_linearised
from .networks import build

__all__ = ["train_diagonal_cell", "train_network_cell"]

log = logging.getLogger(__name__)


def train_diagonal_cell(cell: Cell, datasets: list[dict], settings: dict, *, label: str = "", device=None) -> dict:
    """Seeds stacked along the run axis; returns the arrays stored in the cell's ``.npz``."""
    X = np.stack([d["X"] for d in datasets])
    y = np.stack([d["y"] for d in datasets])
    result = train_diagonal(X, y, cell.alpha, cell.depth, relinearise_every=cell.K, label=label, device=device, **settings)
    return {
        "seeds": np.array([int(d["seed"]) for d in datasets]),
        "beta": result.beta,
        "anchor_plus": result.anchor_plus,
        "anchor_minus": result.anchor_minus,
        "train_loss": result.train_loss,
        "steps": result.steps,
        "flow_time": result.flow_time,
        "converged": result.converged,
        "diverged": result.diverged,
        "seconds": np.asarray(result.seconds),
    }


def train_network_cell(cell: Cell, data: dict, architecture: str, seeds, settings: dict, *, device=None) -> dict:
    """Every seed of a network cell, one after the other; histories stacked as ``(seeds, records)``
    (NaN-padded where a run diverged early)."""
    dev = resolve(device)
    tensors = {
        "X": torch.as_tensor(data["X"], dtype=torch.float32, device=dev),
        "y": torch.as_tensor(data["y"], dtype=torch.long, device=dev),
        "X_test": torch.as_tensor(data["X_test"], dtype=torch.float32, device=dev),
        "y_test": torch.as_tensor(data["y_test"], dtype=torch.long, device=dev),
    }
    classes = int(max(data["y"].max(), data["y_test"].max()) + 1)
    runs = []
    for seed in seeds:
        model = build(architecture, data["shape"], cell.width, cell.depth, classes, cell.alpha, seed).to(dev)
        run = train_iteratively_linearised(model, tensors, K=cell.K, seed=seed, **settings)
        log.info("seed %d: test accuracy %.4f, kernel distance %.4f, %.1f s", seed, run["test_acc"][-1], run["kernel_distance"][-1], float(run["seconds"]))
        runs.append(run)
    steps = max(runs, key=lambda r: len(r["step"]))["step"]
    out = {"seeds": np.asarray(seeds), "step": steps}
    for key in ("train_loss", "train_acc", "test_loss", "test_acc", "kernel_distance", "anchor_distance", "weight_change", "feature_updates"):
        table = np.full((len(runs), len(steps)), np.nan)
        for i, run in enumerate(runs):
            table[i, : len(run[key])] = run[key]
        out[key] = table
    for key in ("diverged", "seconds", "lr"):
        out[key] = np.array([r[key] for r in runs])
    return out
