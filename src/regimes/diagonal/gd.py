"""Gradient descent on the diagonal model that follows gradient flow (Woodworth et al. 2020, sec. 4).

``regimes.diagonal.train.train_diagonal`` chooses between this integrator (``"gd"``, any K) and
``regimes.diagonal.mirror`` (implicit steps of the flow in its mirror coordinates, K = 1: exact limit, far
fewer steps).

The step is chosen per run and per step from the current curvature, not fixed:

    eta_t = min( step_scale * n / lambda_max(Theta_t),  max_rel_change / max_i |D w_i^(D-2) g_i| )

- ``lambda_max(Theta_t) / n`` is the curvature of the loss along the tangent kernel
  ``Theta_t = X diag(D^2 (w_plus^(2D-2) + w_minus^(2D-2))) X^T`` (docs/science.md sec. 2.4), tracked by one
  warm-started power iteration a step: the stability limit of gradient descent.
- the second bound caps the relative change of every weight in one step, ``|dw / w| <= max_rel_change``:
  near the saddle at 0 (small alpha) the tangent kernel is tiny and only this bound keeps the
  discrete path on the flow's path (it is the flow's own time scale there).

So the step is large where the flow is slow and small where it is fast.

Iterative linearisation (Goldwaser & Ge 2023; docs/science.md sec. 2.1): with ``K`` the
model trained
is the Taylor expansion around an anchor ``a`` that moves to the current weights every K steps,
``beta_lin(w) = beta(a) + D a_plus^(D-1) (w_plus - a_plus) - D a_minus^(D-1) (w_minus - a_minus)``.
The curvature bound then uses the anchor's tangent kernel (the kernel of the model being trained); for
K = inf the model trained is linear in the weights and only that stability bound applies.
K = 1 is the plain trainer above; K = inf keeps the initial kernel and converges to the min-l2
interpolant.  Runs are a batch dimension: seeds
(and any other independent runs) train in one tensor program.  Each run stops when its training loss is
below ``tol`` times its initial loss; a non-finite loss, or one above 1e6 times the initial loss, marks
it diverged.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import torch

from ..batched import Runs, Trained, power_step
from ..device import resolve
from ..grid import parse_K
from .model import gradient_linearised, linearised_predictor
from .tangent import tangent_kernel_weights

__all__ = ["train_gd"]

log = logging.getLogger(__name__)


def train_gd(
    X,
    y,
    alpha,
    depth: int,
    *,
    step_scale: float = 0.5,
    max_rel_change: float = 0.01,
    tol: float = 1.0e-9,
    max_steps: int = 20000,
    K=1,
    group=None,
    device=None,
    dtype: torch.dtype = torch.float64,
    log_every: float = 10.0,
    label: str = "",
) -> Trained:
    """Train ``runs`` independent diagonal networks ``beta = w_+^D - w_-^D`` from ``w_+- = alpha`` by
    gradient descent on the weights with the step above, re-linearising every ``K`` steps (an integer, or
    ``"inf"``).

    ``X``: ``(problems, n, d)``; ``y``: ``(problems, n)``; ``alpha``: a scalar or ``(runs,)``; ``group``:
    ``(runs,)``, the problem each run trains on (default: run i on problem i).  Logs a progress line every
    ``log_every`` seconds.
    """
    if depth < 2:
        raise ValueError(f"depth must be >= 2, got {depth}")
    K = parse_K(K)
    if group is not None:
        X, y = np.asarray(X)[np.asarray(group)], np.asarray(y)[np.asarray(group)]
    dev = resolve(device)
    X = torch.as_tensor(np.asarray(X), dtype=dtype, device=dev)
    y = torch.as_tensor(np.asarray(y), dtype=dtype, device=dev)
    runs, n, d = X.shape
    alpha = torch.as_tensor(
        np.broadcast_to(np.asarray(alpha, dtype=float), (runs,)).copy(), dtype=dtype, device=dev
    )
    if torch.any(alpha <= 0):
        raise ValueError("alpha must be positive")
    zeros = torch.zeros(runs, d, dtype=dtype, device=dev)
    # The loop works on the runs still training only (finished runs leave the batch, so a sweep costs the
    # sum of its runs' steps, not runs x the slowest); each run's weights are kept as it finishes.
    kept = {key: zeros.clone() for key in ("delta_plus", "delta_minus", "anchor_plus", "anchor_minus")}
    idx = torch.arange(runs, device=dev)
    Xw, yw, aw = X, y, alpha
    delta_plus, delta_minus = zeros.clone(), zeros.clone()
    anchor_plus, anchor_minus = zeros.clone(), zeros.clone()  # offsets of the anchor
    # The same power-iteration start in every run: batching changes nothing.
    v = torch.full((runs, n), n**-0.5, dtype=dtype, device=dev)
    initial = 0.5 * (y * y).mean(-1)  # beta = 0 at initialisation
    batch = Runs(
        runs, initial=initial, tol=tol, device=dev, dtype=dtype, log=log, label=label, log_every=log_every
    )
    for step in range(max_steps + 1):
        grad_plus, grad_minus, g, r = gradient_linearised(
            aw, anchor_plus, anchor_minus, delta_plus, delta_minus, Xw, yw, depth
        )
        finished = batch.observe(0.5 * (r * r).mean(-1), idx)
        if step == max_steps:
            finished = torch.ones_like(finished)
        if bool(finished.any()):
            for key, value in zip(kept, (delta_plus, delta_minus, anchor_plus, anchor_minus)):
                kept[key][idx[finished]] = value[finished]
            keep = ~finished
            idx, Xw, yw, aw = idx[keep], Xw[keep], yw[keep], aw[keep]
            delta_plus, delta_minus, anchor_plus, anchor_minus = (
                t[keep] for t in (delta_plus, delta_minus, anchor_plus, anchor_minus)
            )
            grad_plus, grad_minus, v = grad_plus[keep], grad_minus[keep], v[keep]
            if not len(idx):
                break
        a = tangent_kernel_weights(aw[:, None] + anchor_plus, aw[:, None] + anchor_minus, depth)
        lam, v = power_step(
            lambda u: torch.einsum("bnd,bd->bn", Xw, a * torch.einsum("bnd,bn->bd", Xw, u)), v
        )
        w_plus = aw[:, None] + delta_plus
        w_minus = aw[:, None] + delta_minus
        # Relative to max(|w|, |anchor|): the Taylor model may move a weight through 0 (identical for K = 1).
        scale_plus = torch.maximum(w_plus.abs(), (aw[:, None] + anchor_plus).abs())
        scale_minus = torch.maximum(w_minus.abs(), (aw[:, None] + anchor_minus).abs())
        rate = torch.maximum(grad_plus.abs() / scale_plus, grad_minus.abs() / scale_minus).amax(1)
        eta = step_scale * n / lam
        if not math.isinf(K):  # a fixed anchor makes the trained model linear: stability is the only limit
            eta = torch.minimum(eta, max_rel_change / rate)
        eta = torch.where(torch.isfinite(eta), eta, torch.zeros_like(eta))
        delta_plus = delta_plus - eta[:, None] * grad_plus
        delta_minus = delta_minus - eta[:, None] * grad_minus
        batch.advance(eta, idx)
        if not math.isinf(K) and (step + 1) % K == 0:
            anchor_plus, anchor_minus = delta_plus.clone(), delta_minus.clone()
        batch.report(step)
    beta = linearised_predictor(
        alpha, kept["anchor_plus"], kept["anchor_minus"], kept["delta_plus"], kept["delta_minus"], depth
    )
    return batch.result(
        beta=beta,
        anchor_plus=alpha[:, None] + kept["anchor_plus"],
        anchor_minus=alpha[:, None] + kept["anchor_minus"],
    )
