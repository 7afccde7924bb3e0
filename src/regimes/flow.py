"""Gradient flow to its limit: linearly implicit steps through the tangent kernel, taken where the model's
linearisation predicts them, inside a trainer's own explicit loop.

The flow of ``L(w) = scale * ||r(w)||^2`` (``r``: the residuals on the ``n`` training points) is
``dw/dt = -2 scale J^T r``.  Gradient descent is its explicit Euler method, stable only for steps below
``1 / (scale lambda_max)``; near its limit the flow is slow along the kernel's small eigenvalues and
explicit steps take millions of them.  One linearly implicit Euler step of length ``h`` with the
Gauss-Newton curvature solves ``(I + 2 scale h J^T J) dw = -2 scale h J^T r``, which through the ``n x n``
tangent kernel ``Theta = J J^T`` is

    dw = -J^T (Theta + mu I)^{-1} r,    mu = 1 / (2 scale h),

a damped Gauss-Newton step, stable at every ``h``.  For a model linear in its weights these steps land on
the flow's limit whatever their length (the weights move in the row space of ``J``: the limit is the
minimum-norm interpolant from the start).  For a non-linear model a step is *accepted* only where the
residuals it reaches differ from those its linearisation predicted by at most ``rtol`` times the predicted
change, so that the model did not leave its linearisation over the step; there the flow and the step
agree to that tolerance, and ``h`` grows (at most fourfold a step: a lazy run lands on its limit in a few
steps).  A rejected step is not taken: the trainer's own explicit step is, and the next attempt waits
``every`` steps with ``h`` shrunk.  ReLU kinks at training points (a rich run's units end with kinks on
the data) make the linearisation fail at any step length: there the trainer's explicit steps carry the
run.  Smaller ``rtol``: closer to the flow (tested: the gap to gradient descent at a small step shrinks
with ``rtol``; a linear model's limit is reached exactly).

:class:`ImplicitSteps` keeps each run's ``h`` and when it next tries; every trainer with a squared loss
(``regimes.networks.teacher``, ``regimes.matrix.factorised``) calls it from its loop.  Float64 throughout.
"""

from __future__ import annotations

import torch

__all__ = ["gauss_newton_step", "ImplicitSteps"]

GROW, SHRINK = 4.0, 0.25  # how much h grows after an accepted step, and shrinks after a rejected one
LEAST = 10.0  # an attempt's h is at least this many explicit steps (a shorter one gains nothing)
H_MAX = 1.0e15  # past this mu is negligible against any kernel here: the step is Gauss-Newton's


def gauss_newton_step(
    J: torch.Tensor, r: torch.Tensor, mu: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(dw, change)``: the step ``-J^T (J J^T + mu I)^{-1} r`` of every run (``J``: ``(runs, n, P)``,
    ``r``: ``(runs, n)``, ``mu``: ``(runs,)``) and the change of the residuals it predicts, ``J dw``."""
    K = J @ J.transpose(1, 2)
    eye = torch.eye(K.shape[-1], dtype=K.dtype, device=K.device)
    c = torch.linalg.solve(K + mu.view(-1, 1, 1) * eye, r.unsqueeze(-1))
    return -(J.transpose(1, 2) @ c).squeeze(-1), -(K @ c).squeeze(-1)


class ImplicitSteps:
    """The linearly implicit steps of a batch of runs (module docstring): each run's ``h``, when it next
    tries, and how many steps it took; ``None`` for ``rtol`` turns it off (the trainer's explicit steps
    alone: gradient descent)."""

    def __init__(self, runs: int, *, scale: float, rtol: float | None, every: int = 20, device=None):
        self.scale, self.rtol, self.every = scale, rtol, every
        self.h = torch.zeros(runs, dtype=torch.float64, device=device)  # 0: not yet set (from the first step)
        self.next = torch.zeros(runs, dtype=torch.long, device=device)  # the step of each run's next attempt
        self.taken = torch.zeros(runs, dtype=torch.long, device=device)
        self.last = torch.zeros(
            runs, dtype=torch.float64, device=device
        )  # the last attempt's h, where accepted

    def keep(self, which: torch.Tensor) -> None:
        """Keep only the runs ``which`` (a mask), for a trainer that drops the runs that stopped."""
        self.h, self.next, self.taken, self.last = (
            t[which] for t in (self.h, self.next, self.taken, self.last)
        )

    def due(self, step: int, active: torch.Tensor) -> torch.Tensor:
        """The runs that try an implicit step at ``step`` (a mask; none when off)."""
        if self.rtol is None:
            return torch.zeros_like(active)
        return active & (self.next <= step)

    def attempt(self, step: int, params, r, jacobian, residual, explicit, which):
        """Try an implicit step for the runs ``which`` (a mask) from ``params`` (a leading run axis on
        every tensor) with residuals ``r`` (``(runs, n)``); ``jacobian(params, ids) -> (len(ids), n, P)``
        and ``residual(params, ids) -> (len(ids), n)`` of the runs ``ids`` given their weights ``params``
        (the weights flattened in the order of ``params``); ``explicit``: each run's explicit step in flow
        time (its gradient-descent step).  Only the runs trying are computed on.  Returns ``(params, r,
        accepted)``: the accepted runs' new weights and residuals, the others' unchanged."""
        ids = which.nonzero()[:, 0]
        own = [p[ids] for p in params]
        h = torch.maximum(self.h[ids], LEAST * explicit[ids]).clamp(max=H_MAX)
        dw, change = gauss_newton_step(jacobian(own, ids), r[ids], 1.0 / (2.0 * self.scale * h))
        sizes = [p[0].numel() for p in params]
        trial = [p + d.reshape(p.shape) for p, d in zip(own, torch.split(dw, sizes, dim=1))]
        r_trial = residual(trial, ids)
        err = (r_trial - r[ids] - change).norm(dim=1) / change.norm(dim=1).clamp_min(
            torch.finfo(r.dtype).tiny
        )
        ok = torch.isfinite(r_trial).all(1) & (err <= self.rtol)
        self.h[ids] = torch.where(ok, h * GROW, h * SHRINK)
        self.next[ids] = torch.where(ok, step + 1, step + self.every)
        self.taken[ids] += ok.long()
        self.last.zero_()
        self.last[ids] = torch.where(ok, h, torch.zeros_like(h))
        accepted = torch.zeros_like(which)
        accepted[ids] = ok
        params = [p.clone() for p in params]
        r = r.clone()
        for p, t in zip(params, trial):
            p[ids[ok]] = t[ok]
        r[ids[ok]] = r_trial[ok]
        return params, r, accepted
