"""Train network cells over all their seeds: iterative linearisation on classification data (Goldwaser &
Ge 2023; Woodworth et al. 2020, sec. 7).  The teacher's students and the univariate network have their
batches in their own modules (``teacher.train_teacher_batch``, ``univariate.train_univariate_batch``)."""

from __future__ import annotations

import logging

import numpy as np
import torch

from ..device import resolve
from ..grid import Cell
from .architectures import build
from .ensemble import Member, plateau, supports, train_ensemble
from .linearise import train_iteratively_linearised
from .records import HISTORY

__all__ = ["choose_lr", "train_network_batch"]

log = logging.getLogger(__name__)


def _tensors(data: dict, dev, validation: float | None, seed: int) -> dict:
    """The data set as tensors on ``dev``; ``validation`` > 0 holds that fraction of the training set
    out (a fixed split from ``seed``) as ``X_val, y_val``."""
    X = torch.as_tensor(data["X"], dtype=torch.float32, device=dev)
    y = torch.as_tensor(data["y"], dtype=torch.long, device=dev)
    out = {
        "X_test": torch.as_tensor(data["X_test"], dtype=torch.float32, device=dev),
        "y_test": torch.as_tensor(data["y_test"], dtype=torch.long, device=dev),
    }
    if validation:
        order = torch.randperm(len(y), generator=torch.Generator().manual_seed(int(seed))).to(dev)
        held = int(round(validation * len(y)))
        out.update(X=X[order[held:]], y=y[order[held:]], X_val=X[order[:held]], y_val=y[order[:held]])
    else:
        out.update(X=X, y=y)
    return out


def _grid(settings: dict, key: str) -> list:
    value = settings.get(key)
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _one_by_one(models, members, tensors, settings) -> dict:
    """Members whose architecture cannot be stacked (``ensemble.supports``), trained one at a time."""
    unsupported = {k for k in ("until_interpolation", "eval_subset") if settings.get(k)}
    if unsupported or "X_val" in tensors:
        raise ValueError(
            f"architecture {type(models[0]).__name__} is trained model by model, which has no "
            f"{sorted(unsupported) or ['validation']}: use a stackable architecture "
            "(regimes.networks.ensemble.supports)"
        )
    keys = ("steps", "batch_size", "loss", "momentum", "optimiser", "record_every", "probe_size")
    runs = []
    for model, m in zip(models, members):
        scale = settings.get("step_scale", 1.0) if m.step_scale is None else m.step_scale
        runs.append(
            train_iteratively_linearised(
                model,
                tensors,
                K=m.K,
                seed=m.seed,
                lr=m.lr,
                step_scale=scale,
                **{k: settings[k] for k in keys if k in settings},
            )
        )
    steps = max(runs, key=lambda r: len(r["step"]))["step"]
    out = {"step": steps}
    for key in HISTORY:
        if key in runs[0]:
            table = np.full((len(runs), len(steps)), np.nan)
            for i, run in enumerate(runs):
                table[i, : len(run[key])] = run[key]
            out[key] = table
    for key in ("diverged", "seconds", "lr", "final_weights"):
        out[key] = np.stack([np.asarray(r[key]) for r in runs])
    out["plateau"] = plateau(
        out["step"], out["test_acc"], out["train_acc"], settings.get("plateau_tol", 0.01)
    )
    out["stopped"] = np.full(len(runs), int(steps[-1]))
    return out


def choose_lr(val_acc: np.ndarray, train_acc: np.ndarray, until_interpolation: bool = False) -> int:
    """The learning-rate option (row of ``(options, seeds)`` final accuracies) a cell keeps: the best mean
    validation accuracy over seeds, a diverged run (NaN) counting as -inf.  With ``until_interpolation``
    (Woodworth et al. sec. 7 train every run to 100 % training accuracy) the options under which the most
    seeds interpolate come first, validation accuracy deciding among them."""
    val = np.where(np.isnan(val_acc), -np.inf, val_acc).mean(axis=1)
    if not until_interpolation:
        return int(np.argmax(val))
    reached = (np.nan_to_num(train_acc, nan=0.0) >= 1.0).sum(axis=1)
    return int(max(range(len(val)), key=lambda i: (reached[i], val[i])))


def train_network_batch(
    cells: list[Cell],
    data: dict,
    architecture: str,
    seeds,
    settings: dict,
    *,
    centre: bool = False,
    device=None,
    label: str = "",
) -> dict:
    """Every (cell, seed, learning rate) of a batch as one ensemble (``regimes.networks.ensemble``).

    A list under ``lr`` or ``step_scale`` is a grid searched per cell: ``validation`` of the training
    set is held out, and the cell keeps the learning rate whose runs have the best mean validation
    accuracy over seeds (``search_*`` arrays keep every one).  Returns ``{cell id: arrays}``, histories
    ``(seeds, records)``.
    """
    dev = resolve(device)
    log.info("%s: training on %s", label or architecture, dev)
    lrs, scales = _grid(settings, "lr"), _grid(settings, "step_scale")
    options = [(lr, None) for lr in lrs] if lrs != [None] else [(None, s) for s in scales]
    validation = settings.get("validation") if len(options) > 1 else None
    if len(options) > 1 and not validation:
        raise ValueError(
            "a grid of learning rates needs train.validation > 0 (the held-out fraction that chooses among "
            "them)"
        )
    tensors = _tensors(data, dev, validation, seed=int(data.get("split_seed", 0)))
    classes = int(max(data["y"].max(), data["y_test"].max()) + 1)
    keys = [(cell, lr, scale, seed) for cell in cells for lr, scale in options for seed in seeds]
    members = [Member(int(seed), cell.K, lr, scale) for cell, lr, scale, seed in keys]
    models = [
        build(
            architecture, data["shape"], cell.width, cell.depth, classes, cell.alpha, seed, centre=centre
        ).to(dev)
        for cell, _, _, seed in keys
    ]
    train_keys = (
        "steps",
        "optimiser",
        "batch_size",
        "loss",
        "momentum",
        "record_every",
        "probe_size",
        "eval_subset",
        "plateau_tol",
        "until_interpolation",
    )
    fixed = {k: settings[k] for k in train_keys if k in settings}
    if all(supports(m) for m in models):
        runs = train_ensemble(
            models, members, tensors, step_scale=scales[0] if scales != [None] else 1.0, label=label, **fixed
        )
    else:
        runs = _one_by_one(models, members, tensors, settings)
    S, L = len(seeds), len(options)
    results = {}
    for c, cell in enumerate(cells):
        rows = np.arange(c * L * S, (c + 1) * L * S).reshape(L, S)
        best = (
            choose_lr(
                runs["val_acc"][rows, -1],
                runs["train_acc"][rows, -1],
                bool(settings.get("until_interpolation")),
            )
            if L > 1
            else 0
        )
        chosen = rows[best]
        out = {"seeds": np.asarray(seeds), "step": runs["step"]}
        for key, value in runs.items():
            if key != "step":
                out[key] = value[chosen]
        out["lr_option"] = np.asarray(best)
        if L > 1:
            out["search_lr"] = runs["lr"][rows]
            out["search_val_acc"] = runs["val_acc"][rows, -1]
            out["search_test_acc"] = runs["test_acc"][rows, -1]
            out["search_train_acc"] = runs["train_acc"][rows, -1]
        out.pop("final_weights", None)
        results[cell.id] = out
        log.info(
            "%s: test accuracy %s (lr %s)",
            cell.id,
            np.round(out["test_acc"][:, -1], 4),
            np.round(out["lr"], 5),
        )
    return results
