"""The analytic tangent kernel of the depth-D diagonal model (docs/science.md sec. 2.4).

``Theta = X diag(a) X^T`` with ``a = D^2 (w_plus^(2D-2) + w_minus^(2D-2))``: the model's Jacobian in
``(w_plus, w_minus)`` is ``X diag(D w_plus^(D-1))`` and ``-X diag(D w_minus^(D-1))``.  Array-generic
(numpy arrays or torch tensors), so trainers and torch-free analysis jobs share one formula.
"""

from __future__ import annotations

__all__ = ["tangent_kernel_weights", "tangent_kernel"]


def tangent_kernel_weights(w_plus, w_minus, depth: int):
    """``a = D^2 (w_plus^(2D-2) + w_minus^(2D-2))``, elementwise (any leading run axes)."""
    return depth**2 * (w_plus ** (2 * depth - 2) + w_minus ** (2 * depth - 2))


def tangent_kernel(X, w_plus, w_minus, depth: int):
    """``Theta = X diag(a) X^T`` for one run: ``X`` is ``(n, d)``, the weights ``(d,)``."""
    return (X * tangent_kernel_weights(w_plus, w_minus, depth)) @ X.T
