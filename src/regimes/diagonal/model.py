"""The depth-D diagonal linear network of Woodworth et al. 2020 (sec. 4; docs/science.md sec. 1.1).

``beta = w_plus^D - w_minus^D`` (elementwise), ``f(x) = <beta, x>``, initialised
``w_plus = w_minus = alpha`` so that ``beta(0) = 0`` for every alpha.  Functions act on a batch of
independent runs: weights have shape ``(runs, d)``, data ``(runs, n, d)``.  Its analytic tangent kernel is
``regimes.diagonal.tangent``.

The weights are stored as offsets from initialisation, ``w = alpha + delta``: at large alpha and depth
``w_plus^D`` and ``w_minus^D`` are huge and nearly equal, and ``beta`` is then formed without
cancellation as ``(delta_plus - delta_minus) * sum_k w_plus^k w_minus^(D-1-k)``.
"""

from __future__ import annotations

import torch

__all__ = ["predictor", "loss", "gradient", "linearised_predictor", "gradient_linearised"]


def predictor(
    alpha: torch.Tensor, delta_plus: torch.Tensor, delta_minus: torch.Tensor, depth: int
) -> torch.Tensor:
    """``beta = w_plus^D - w_minus^D`` with ``w = alpha[:, None] + delta``."""
    w_plus = alpha[:, None] + delta_plus
    w_minus = alpha[:, None] + delta_minus
    total = torch.zeros_like(w_plus)
    for k in range(depth):
        total = total + w_plus**k * w_minus ** (depth - 1 - k)
    return (delta_plus - delta_minus) * total


def loss(beta: torch.Tensor, X: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """``L = ||X beta - y||^2 / (2 n)`` per run."""
    r = torch.einsum("bnd,bd->bn", X, beta) - y
    return 0.5 * (r * r).mean(-1)


def gradient(alpha, delta_plus, delta_minus, X, y, depth: int):
    """Hand-written gradient (docs/science.md sec. 1.1): with ``g = X^T (X beta - y) / n``,
    ``dL/dw_plus = D w_plus^(D-1) g`` and ``dL/dw_minus = -D w_minus^(D-1) g``.

    Returns ``(grad_plus, grad_minus, g, residual)``: the Taylor model's gradient with the anchor at the
    weights, which is the path the trainer runs for K = 1.
    """
    return gradient_linearised(alpha, delta_plus, delta_minus, delta_plus, delta_minus, X, y, depth)


def linearised_predictor(
    alpha, anchor_plus, anchor_minus, delta_plus, delta_minus, depth: int
) -> torch.Tensor:
    """First-order Taylor model around the anchor (offsets ``anchor_*``), at weights with offsets ``delta_*``:
    ``beta(a) + D a_plus^(D-1) (w_plus - a_plus) - D a_minus^(D-1) (w_minus - a_minus)`` (docs/science.md
    sec. 2.1)."""
    a_plus = alpha[:, None] + anchor_plus
    a_minus = alpha[:, None] + anchor_minus
    return (
        predictor(alpha, anchor_plus, anchor_minus, depth)
        + depth * a_plus ** (depth - 1) * (delta_plus - anchor_plus)
        - depth * a_minus ** (depth - 1) * (delta_minus - anchor_minus)
    )


def gradient_linearised(alpha, anchor_plus, anchor_minus, delta_plus, delta_minus, X, y, depth: int):
    """Gradient of the Taylor model's loss: ``D a_plus^(D-1) g`` and ``-D a_minus^(D-1) g`` with
    ``g = X^T (X beta_lin - y) / n``.  With the anchor at the weights this is ``gradient``."""
    beta = linearised_predictor(alpha, anchor_plus, anchor_minus, delta_plus, delta_minus, depth)
    r = torch.einsum("bnd,bd->bn", X, beta) - y
    g = torch.einsum("bnd,bn->bd", X, r) / X.shape[-2]
    a_plus = alpha[:, None] + anchor_plus
    a_minus = alpha[:, None] + anchor_minus
    return depth * a_plus ** (depth - 1) * g, -depth * a_minus ** (depth - 1) * g, g, r
