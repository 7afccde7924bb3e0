"""Gradient flow of the diagonal model by linearly implicit Euler steps in its mirror coordinates.

Integrating the flow coordinate by coordinate (Woodworth et al. 2020, sec. 4; docs/science.md sec. 1.3) shows
that every
point of its path is ``beta = alpha^D h_D(s)`` with ``s = X^T nu`` in the row space of X, and that ``nu``
obeys

    d nu / dt = -(c_D alpha^(D-2) / n) r,     r = X beta - y,     c_2 = 4, c_D = D (D - 2),

with the weights ``w_+ = alpha exp(s / 2)``, ``w_- = alpha exp(-s / 2)`` (D = 2) or
``w_+- = alpha (1 -+ s)^(-1 / (D - 2))`` (D >= 3): gradient flow on the weights is mirror flow on beta
with the potential Q_alpha^D, and ``nu`` is its dual variable.  Linearised around the current point,
``d nu / dt = -k (r + M delta)`` with ``M = X diag(alpha^D h_D'(s)) X^T`` and ``k = c_D alpha^(D-2) / n``
(``k M`` is the tangent kernel over n, docs/science.md sec. 2.4).  One step of flow time ``h`` is the linearly
implicit
(Rosenbrock) Euler step

    (M + I / (h k)) delta = -r,

L-stable, so its length is set by how far the kernel moves, not by the stiffest mode: a step is
accepted when the loss went down and the new residual differs from its linear prediction
``r + X diag(alpha^D h_D'(s)) delta_s`` (``delta_s``: the move in s actually taken, so that the prediction
carries the same rounding as the new residual) by at most ``nonlinearity`` times the predicted change;
the next step aims at that error (up to ``growth`` times longer), a rejected one is retried shorter
with the same M.  The kernel regime (linear) takes two steps; the saddles of small alpha and the
ill-conditioned end of training take tens to thousands, where gradient descent needs 10^5 steps or more.

Because every update of ``nu`` keeps ``s`` in the row space of X, the point where the loss reaches zero
is exactly ``argmin Q_alpha^D(beta) s.t. X beta = y`` whatever the steps (the conservation law of the
flow holds exactly at every step); how close the path is to the flow's path in between is set by
``nonlinearity``.  Plain gradient descent on the weights (and iterative linearisation) is
``regimes.diagonal.gd``; ``regimes.diagonal.train.train_diagonal`` chooses between the two.

``link`` and ``link_prime`` are the torch twins of ``regimes.diagonal.potential.h`` and ``h_prime`` (the
trainer needs them on its device); a test pins them equal.
"""

from __future__ import annotations

import logging

import numpy as np
import torch

from ..batched import Runs, Trained
from ..device import resolve

__all__ = ["link", "link_prime", "weights", "train_mirror"]

log = logging.getLogger(__name__)


def _c(depth: int) -> float:
    return 4.0 if depth == 2 else float(depth * (depth - 2))


def link(s: torch.Tensor, depth: int) -> torch.Tensor:
    """``h_D(s)``: ``2 sinh(s)`` (D = 2), ``(1 - s)^-p - (1 + s)^-p`` with ``p = D / (D - 2)`` (exact at small
    s)."""
    if depth == 2:
        return 2.0 * torch.sinh(s)
    p = depth / (depth - 2)
    return torch.expm1(-p * torch.log1p(-s)) - torch.expm1(-p * torch.log1p(s))


def link_prime(s: torch.Tensor, depth: int) -> torch.Tensor:
    if depth == 2:
        return 2.0 * torch.cosh(s)
    p = depth / (depth - 2)
    return p * ((1.0 - s) ** (-p - 1.0) + (1.0 + s) ** (-p - 1.0))


def weights(s: torch.Tensor, alpha: torch.Tensor, depth: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``(w_plus, w_minus)`` on the flow's path at mirror coordinates ``s`` (``alpha``: one per run)."""
    a = alpha[:, None]
    if depth == 2:
        return a * torch.exp(0.5 * s), a * torch.exp(-0.5 * s)
    return a * (1.0 - s) ** (-1.0 / (depth - 2)), a * (1.0 + s) ** (-1.0 / (depth - 2))


def train_mirror(
    X,
    y,
    alpha,
    depth: int,
    *,
    group=None,
    nonlinearity: float = 0.25,
    growth: float = 10.0,
    tol: float = 1.0e-9,
    max_steps: int = 2000,
    device=None,
    dtype: torch.dtype = torch.float64,
    log_every: float = 10.0,
    label: str = "",
) -> Trained:
    """Train independent diagonal networks to ``loss <= tol x initial loss``.

    ``X``: ``(problems, n, d)``, ``y``: ``(problems, n)``; ``alpha``: ``(runs,)``; ``group``: ``(runs,)``,
    the problem each run trains on (default: run i on problem i).  Several alphas on one problem share
    its X.  ``max_steps`` counts tried steps, rejected ones included.  Returns per-run arrays: ``beta``,
    ``w_plus``, ``w_minus``, ``train_loss``, ``steps`` (accepted), ``rejected``, ``flow_time``,
    ``converged``, ``diverged``, and ``seconds``.
    """
    if int(depth) != depth or depth < 2:
        raise ValueError(f"depth must be an integer >= 2, got {depth!r}")
    if not 0 < nonlinearity < 1:
        raise ValueError(f"nonlinearity must be in (0, 1), got {nonlinearity!r}")
    if not growth > 1:
        raise ValueError(f"growth must be > 1, got {growth!r}")
    dev = resolve(device)
    X = torch.as_tensor(np.asarray(X), dtype=dtype, device=dev)
    y = torch.as_tensor(np.asarray(y), dtype=dtype, device=dev)
    problems, n, d = X.shape
    group = np.arange(problems) if group is None else np.asarray(group)
    runs = len(group)
    alpha = torch.as_tensor(
        np.broadcast_to(np.asarray(alpha, dtype=float), (runs,)).copy(), dtype=dtype, device=dev
    )
    if torch.any(alpha <= 0):
        raise ValueError("alpha must be positive")
    group = torch.as_tensor(group, dtype=torch.long, device=dev)
    c = _c(depth)

    # Per run: the state s = X^T nu (nu itself is never needed), residual, trial step h (flow time); the
    # loss, its initial value, steps (accepted) and flow time are the batch's (regimes.batched.Runs).
    s = torch.zeros(runs, d, dtype=dtype, device=dev)
    r = -y[group]
    batch = Runs(
        runs,
        initial=0.5 * (r * r).mean(-1),
        tol=tol,
        device=dev,
        dtype=dtype,
        log=log,
        label=label,
        log_every=log_every,
    )
    loss = batch.loss  # updated in place below as steps are accepted
    h = torch.full((runs,), float("nan"), dtype=dtype, device=dev)
    rejected = torch.zeros(runs, dtype=torch.long, device=dev)
    stalled = torch.zeros(runs, dtype=torch.bool, device=dev)
    active = torch.arange(runs, device=dev)
    gram = torch.zeros(runs, n, n, dtype=dtype, device=dev)
    slope = torch.zeros(runs, d, dtype=dtype, device=dev)
    stale = torch.ones(runs, dtype=torch.bool, device=dev)
    Xa = X[group]  # the active runs' data, compacted as runs finish
    for step in range(max_steps):
        batch.stop(stalled)  # a step shrunk to nothing (below): the run stops there, not converged
        keep = ~batch.observe(loss[active], active) & batch.active[active]
        if not bool(keep.all()):
            active, Xa = active[keep], Xa[keep]
        if not len(active):
            break
        ra, sa, aa = r[active], s[active], alpha[active]
        k = c * aa ** (depth - 2) / n  # d nu / dt = -k r
        # The linearised flow's Jacobian in nu: M = X diag(alpha^D h'(s)) X^T (the tangent kernel / (k n)),
        # formed again only for runs that moved (a rejected step retries with the same M).
        moved = stale[active]
        if bool(moved.any()):
            ids = active[moved]
            Xm = Xa if bool(moved.all()) else Xa[moved]
            slope[ids] = alpha[ids, None] ** depth * link_prime(s[ids], depth)  # d beta / d s
            gram[ids] = torch.einsum("bnd,bmd->bnm", Xm * slope[ids][:, None, :], Xm)
            stale[ids] = False
        M = gram[active]
        ha = h[active]
        # First step: 100 x the mean mode time of A; the controller takes it from there.
        ha = torch.where(torch.isnan(ha), 100.0 * n / (k * M.diagonal(dim1=1, dim2=2).sum(1)), ha)
        # Linearly implicit Euler: (I + h k M) delta = -h k r, i.e. (M + mu I) delta = -r with mu = 1 / (h k).
        mu = 1.0 / (ha * k)
        chol, info = torch.linalg.cholesky_ex(M + mu[:, None, None] * torch.eye(n, dtype=dtype, device=dev))
        delta = -torch.cholesky_solve(ra[:, :, None], chol)[:, :, 0]
        s_new = sa + torch.einsum("bnd,bn->bd", Xa, delta)
        # The linear prediction of the new residual, r + change, from the move in s actually taken (the same
        # rounding as the true new residual; M delta would carry the Gram's rounding).
        change = torch.einsum("bnd,bd->bn", Xa, slope[active] * (s_new - sa))
        inside = (info == 0) if depth == 2 else (info == 0) & (s_new.abs().amax(1) < 1.0)
        beta_new = aa[:, None] ** depth * link(torch.where(inside[:, None], s_new, sa), depth)
        r_new = torch.einsum("bnd,bd->bn", Xa, beta_new) - y[group[active]]
        loss_new = 0.5 * (r_new * r_new).mean(-1)
        # Local error: the part of the new residual the linearised step did not predict, against the change.
        q = (r_new - ra - change).norm(dim=1) / (nonlinearity * change.norm(dim=1)).clamp_min(
            torch.finfo(dtype).tiny
        )
        ok = inside & torch.isfinite(loss_new) & (loss_new < loss[active]) & (q <= 1.0)
        acc = active[ok]
        s[acc], r[acc], loss[acc] = s_new[ok], r_new[ok], loss_new[ok]
        stale[acc] = True
        batch.advance(ha[ok], acc)
        rejected[active[~ok]] += 1
        # The error of a step grows like h^2: aim at q = 0.8 next time, within [1/10, growth] x h.
        factor = (0.9 / q.sqrt()).nan_to_num(nan=0.1, posinf=growth)
        factor = torch.where(ok, factor.clamp(1.0, growth), factor.clamp(0.1, 0.5))
        h[active] = ha * factor
        # A step shrunk to nothing: the flow's next move is below float64's resolution of the kernel (a
        # plateau between saddles at small alpha and large depth).  The run stops there, not converged.
        stalled[active] = h[active] < 1e-12 * batch.flow_time[active]
        batch.report(step)
    batch.observe(loss[active], active)  # the last step's loss, against the stopping rule
    w_plus, w_minus = weights(s, alpha, depth)
    return batch.result(
        beta=alpha[:, None] ** depth * link(s, depth), w_plus=w_plus, w_minus=w_minus, rejected=rejected
    )
