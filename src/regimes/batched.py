"""The driver every trainer runs on: the runs of a batch as they train, and what they return.

Every trainer (``regimes.diagonal.gd``, ``regimes.diagonal.mirror``, ``regimes.matrix.factorised``,
``regimes.networks.teacher``, ``regimes.networks.univariate``, ``regimes.networks.ensemble`` and the
one-model reference ``regimes.networks.linearise``) trains independent runs as one batch dimension of one
tensor program.  :class:`Runs` keeps what they share: which runs still train, the stopping rule (the loss
relative to the run's initial loss, ``tol``, or absolute, ``atol``), divergence (:func:`is_diverged`),
steps and flow time, progress lines, and one result type, :class:`Trained`.  Each trainer supplies what
is its own: its loss, its gradient or step and its step-size rule.

A trainer's loop reads::

    runs = Runs(count, tol=tol, label=label)
    for step in range(max_steps + 1):
        loss = ...                                 # of every run, or of ``runs.ids``
        runs.observe(loss)                         # stops the runs that converged or diverged
        if step == max_steps or not runs.any():
            break
        eta = ...                                  # the family's step
        runs.advance(eta)                          # steps and flow time of the runs still training
        runs.report(step)
    return runs.result(beta=...)
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import torch

__all__ = ["DIVERGENCE", "is_diverged", "power_step", "Progress", "Runs", "Trained", "log_cells"]

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


class Trained(dict):
    """What every trainer returns: its per-run arrays (numpy) by name, read as keys or as attributes
    (``result["steps"]`` is ``result.steps``).

    Every one has ``steps`` (per run), ``diverged`` and ``seconds``; a trainer with a stopping rule adds
    ``train_loss`` and ``converged``, one whose step is a time step ``flow_time``; the rest is the
    family's own (the trained predictor, its records)."""

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class Runs:
    """The runs of one batch as they train: which still train, how each ended, its steps, flow time and
    last loss; progress lines; one :class:`Trained` result.

    A run *converges* when its loss is at most ``tol`` times its initial loss (``tol``) or at most
    ``atol`` (``atol``; at most one of the two; neither: no loss rule, as for a fixed budget of steps),
    and *diverges* when :func:`is_diverged`; either stops it.  ``stop`` ends runs by a family's own rule
    (a step shrunk to nothing, a run that interpolates).  ``initial``: the runs' initial losses when known
    before the first step (otherwise the first loss observed, which must be every run's).

    The state is per run, whatever the trainer computes on: a trainer that computes on every run passes
    full-length tensors (``ids=None``: only the runs still training are read); one that computes on the
    runs still training only passes their values with ``ids``.
    """

    def __init__(
        self,
        count: int,
        *,
        initial: torch.Tensor | None = None,
        tol: float | None = None,
        atol: float | None = None,
        device=None,
        dtype: torch.dtype = torch.float64,
        log: logging.Logger | None = None,
        label: str = "",
        log_every: float = 10.0,
    ):
        if tol is not None and atol is not None:
            raise ValueError(f"a stopping rule is tol (relative) or atol (absolute), got both: {tol}, {atol}")
        self.count, self.tol, self.atol = count, tol, atol
        self.active = torch.ones(count, dtype=torch.bool, device=device)
        self.converged = torch.zeros_like(self.active)
        self.diverged = torch.zeros_like(self.active)
        self.steps = torch.zeros(count, dtype=torch.long, device=device)
        self.flow_time = torch.zeros(count, dtype=dtype, device=device)
        self.timed = False  # whether any step carried a step size (flow_time is then a result)
        # The initial loss of each run (given, or the first loss observed) and the last loss seen.
        self.initial = None if initial is None else initial.detach().clone()
        self.loss = None if initial is None else initial.detach().clone()
        self.progress = Progress(log or logging.getLogger(__name__), label, log_every)

    @property
    def ids(self) -> torch.Tensor:
        """The indices of the runs still training."""
        return self.active.nonzero()[:, 0]

    def any(self) -> bool:
        return bool(self.active.any())

    def all(self) -> bool:
        return bool(self.active.all())

    def reached(self, loss: torch.Tensor, initial: torch.Tensor) -> torch.Tensor:
        """Whether each loss meets the stopping rule (``initial``: the runs' initial losses)."""
        if self.tol is not None:
            return loss <= self.tol * initial
        if self.atol is not None:
            return loss <= self.atol
        return torch.zeros_like(loss, dtype=torch.bool)

    def observe(self, loss: torch.Tensor, ids: torch.Tensor | None = None) -> torch.Tensor:
        """Record the current loss of the runs ``ids`` (``None``: ``loss`` has one value per run and only
        the runs still training are read; the first call, which sets the initial losses, has every run's)
        and stop those that converged or diverged.  Returns whether each run of ``ids`` (every run, for
        ``None``) stopped now."""
        loss = loss.detach()
        if self.initial is None:
            if ids is not None or loss.shape[0] != self.count:
                raise ValueError("the first loss observed is every run's (it sets the initial losses)")
            self.initial, self.loss = loss.clone(), loss.clone()
        if ids is None:
            current = torch.where(self.active, loss, self.loss)
            self.loss = current
            bad = self.active & is_diverged(current, self.initial)
            if self.tol is None and self.atol is None:  # no loss rule: only divergence stops a run
                self.diverged |= bad
                self.active &= ~bad
                return bad
            done = self.active & self.reached(current, self.initial)
        else:
            self.loss[ids] = loss
            initial = self.initial[ids]
            bad = is_diverged(loss, initial)
            done = self.reached(loss, initial)
        done = done & ~bad
        finished = bad | done
        if ids is None:
            self.diverged |= bad
            self.converged |= done
            self.active &= ~finished
        elif bool(finished.any()):  # the runs' state changes only where one stops
            self.diverged[ids] |= bad
            self.converged[ids] |= done
            self.active[ids] &= ~finished
        return finished

    def stop(self, which: torch.Tensor, *, converged: bool = False) -> None:
        """End runs by the family's own rule (``which``: a mask over every run, or indices), as converged
        or not."""
        self.active[which] = False
        if converged:
            self.converged[which] = True

    def advance(self, eta: torch.Tensor | None = None, ids: torch.Tensor | None = None) -> None:
        """One step of the runs ``ids`` (default: the runs still training, ``eta`` then one value per run),
        of size ``eta`` in flow time when given."""
        if ids is None:
            self.steps += self.active.long()
            if eta is not None:
                self.flow_time += torch.where(self.active, eta, torch.zeros_like(eta))
        else:
            self.steps[ids] += 1
            if eta is not None:
                self.flow_time[ids] += eta
        self.timed |= eta is not None

    def report(self, step: int) -> None:
        """A progress line when one is due: the runs still training and the worst loss over initial."""
        if self.progress.due():
            ids = self.ids
            worst = (self.loss[ids] / self.initial[ids]).max().item() if len(ids) else float("nan")
            self.progress(step, len(ids), self.count, worst)

    def result(self, **arrays) -> Trained:
        """The batch's result: ``arrays`` (tensors or numpy, per run) and how each run ended, as numpy."""
        own = {"train_loss": self.loss} if self.loss is not None else {}
        own["steps"] = self.steps
        if self.timed:
            own["flow_time"] = self.flow_time
        own |= {"converged": self.converged, "diverged": self.diverged}
        out = {**arrays, **{k: v for k, v in own.items() if k not in arrays}}
        out.setdefault("seconds", self.progress.seconds())
        return Trained({k: v.detach().cpu().numpy() if torch.is_tensor(v) else v for k, v in out.items()})


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
