"""What every batched trainer shares: the divergence test, one warm power-iteration step, progress lines.

The batched trainers (``regimes.diagonal.gd``, ``regimes.diagonal.mirror``, ``regimes.matrix.factorised``,
``regimes.networks.teacher``, ``regimes.networks.univariate``) train independent runs as one batch
dimension of one tensor program and stop each run on its own.
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import torch

__all__ = ["DIVERGENCE", "is_diverged", "power_step", "Progress", "run_arrays", "log_cells"]

DIVERGENCE = 1e6  # descent from the initial point never raises the loss this far: that is divergence


def is_diverged(loss, initial, factor: float = DIVERGENCE):
    """A non-finite loss, or one above ``factor`` times the initial loss (tensors run by run, or floats)."""
    if isinstance(loss, float):
        return not math.isfinite(loss) or loss > factor * initial
    return ~torch.isfinite(loss) | (loss > factor * initial)


def power_step(matvec, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """One step of the power iteration, warm-started from ``v`` (last axis: the vector; leading axes: runs).

    Returns ``(||A v||, A v / ||A v||)``: the top eigenvalue's estimate of the PSD operator ``matvec``
    and the next start; one step a training step tracks the slowly moving curvature.
    """
    Av = matvec(v)
    norm = Av.norm(dim=-1)
    return norm, Av / norm.clamp_min(torch.finfo(Av.dtype).tiny).unsqueeze(-1)


class Progress:
    """A log line every ``every`` seconds of a long training loop (visible progress on long work)."""

    def __init__(self, log: logging.Logger, label: str = "", every: float = 10.0):
        self.log, self.label, self.every = log, label, every
        self.start = self.last = time.perf_counter()

    def due(self) -> bool:
        """Whether the next call logs (so that a loop can skip computing what it would print)."""
        return time.perf_counter() - self.last > self.every

    def __call__(self, step: int, active: int, runs: int, worst: float) -> None:
        if self.due():
            self.last = time.perf_counter()
            self.log.info(
                "%s step %d: %d/%d runs still training, worst loss/initial %.2e",
                self.label,
                step,
                active,
                runs,
                worst,
            )

    def seconds(self) -> float:
        return time.perf_counter() - self.start


def run_arrays(progress: Progress, **tensors) -> dict:
    """A batch's per-run results as numpy arrays (from whatever device), with the batch's ``seconds``."""
    return {**{name: t.cpu().numpy() for name, t in tensors.items()}, "seconds": progress.seconds()}


def log_cells(log: logging.Logger, results: dict) -> None:
    """One line per cell of a batch's results: final losses over seeds, steps, whether each reached its
    stopping rule."""
    for cell_id, r in results.items():
        log.info(
            "%s: final loss %s, steps %s, reached tol %s",
            cell_id,
            np.array2string(r["train_loss"], formatter={"float_kind": "{:.1e}".format}),
            r["steps"],
            r["converged"],
        )
