"""Train network cells over all their seeds: iterative linearisation on classification data (Goldwaser &
Ge 2023), students of a teacher on the circle and the univariate network (Woodworth et al. 2020, sec. 7)."""

from __future__ import annotations

import logging

import numpy as np
import torch

from ..device import resolve
from ..grid import Cell
from .architectures import build, relu_student, univariate_network
from .exact import kernel_prediction
from .interpolate import train_to_interpolation
from .linearise import train_iteratively_linearised

__all__ = ["train_network_cell", "train_teacher_cell", "train_univariate_cell"]

log = logging.getLogger(__name__)


def train_network_cell(cell: Cell, data: dict, architecture: str, seeds, settings: dict, *, centre: bool = False, device=None) -> dict:
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
        model = build(architecture, data["shape"], cell.width, cell.depth, classes, cell.alpha, seed, centre=centre).to(dev)
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


def _predict(model, X) -> np.ndarray:
    """The model's outputs on ``X``, wherever the model lives (CPU or GPU)."""
    weight = next(model.parameters())
    return model(torch.as_tensor(X, dtype=weight.dtype, device=weight.device)).reshape(-1).cpu().numpy()


def _stack(runs: list[dict]) -> dict:
    return {k: np.stack([np.asarray(r[k]) for r in runs]) for k in runs[0]}


def train_teacher_cell(cell: Cell, datasets: list[dict], settings: dict, *, centre: bool = True, probe_size: int = 40, label: str = "") -> dict:
    """ReLU students of every seed's teacher data; test predictions and the tangent-kernel change
    (on ``probe_size`` of the test points)."""
    runs = []
    for data in datasets:
        seed = int(data["seed"])
        model = relu_student(data["X"].shape[1], cell.width, cell.depth, cell.alpha, seed, centre=centre)
        probe = data["X_test"][:: max(1, len(data["X_test"]) // probe_size)]
        run = train_to_interpolation(model, data["X"], data["y"], probe=probe, label=f"{label} seed {seed}", **settings)
        with torch.no_grad():
            run["test_prediction"] = _predict(model, data["X_test"])
        log.info("seed %d: %d steps, loss %.2e, kernel distance %.4f, %.1f s", seed, run["steps"], run["train_loss"], run["kernel_distance"], run["seconds"])
        runs.append(run)
    return {"seeds": np.array([int(d["seed"]) for d in datasets]), **_stack(runs)}


def train_univariate_cell(cell: Cell, datasets: list[dict], settings: dict, *, label: str = "") -> dict:
    """The centred univariate network of every seed: its function on the grid after training, and the
    kernel-regime limit from the same initialisation."""
    if cell.depth != 2:
        raise ValueError(f"the univariate network has one hidden layer (depth 2), got depth {cell.depth}")
    runs = []
    for data in datasets:
        seed = int(data["seed"])
        model = univariate_network(cell.width, cell.alpha, seed)
        kernel = kernel_prediction(model, data["X"], data["y"], data["X_test"])
        run = train_to_interpolation(model, data["X"], data["y"], label=f"{label} seed {seed}", **settings)
        with torch.no_grad():
            run["prediction"] = _predict(model, data["X_test"])
        run["kernel_prediction"] = kernel
        log.info("seed %d: %d steps, loss %.2e, %.1f s", seed, run["steps"], run["train_loss"], run["seconds"])
        runs.append(run)
    return {"seeds": np.array([int(d["seed"]) for d in datasets]), **_stack(runs)}
