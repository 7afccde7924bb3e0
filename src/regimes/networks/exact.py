"""Exact references of the non-linear experiments (Woodworth et al. 2020, sec. 7; docs/science.md sec. 1.7):
the kernel-regime limit of a network, and the splines that the univariate network approaches.

``spline_references`` is numpy and scipy only (analysis jobs never import torch); ``kernel_prediction``
imports torch when called.
"""

from __future__ import annotations

import numpy as np
from scipy.interpolate import CubicSpline

__all__ = ["kernel_prediction", "spline_references"]


def spline_references(x: np.ndarray, y: np.ndarray, grid: np.ndarray) -> dict[str, np.ndarray]:
    """The linear spline (rich end) and the natural cubic spline (kernel-like end) through the points."""
    return {"linear": np.interp(grid, x, y), "cubic": CubicSpline(x, y, bc_type="natural")(grid)}


def kernel_prediction(model, X, y, X_new) -> np.ndarray:
    """The kernel-regime limit at ``X_new``: gradient flow on the model (a ``torch.nn.Module``) linearised
    at its current weights converges to ``f(x) + Theta(x, X) Theta(X, X)^+ (y - f(X))`` (the minimum-norm
    step)."""
    import torch
    from torch.func import functional_call, jacrev, vmap

    from .ntk import trainable

    params = {k: v.detach() for k, v in trainable(model).items()}
    dtype = next(iter(params.values())).dtype
    X = torch.as_tensor(np.asarray(X), dtype=dtype)
    X_new = torch.as_tensor(np.asarray(X_new), dtype=dtype)
    y = torch.as_tensor(np.asarray(y), dtype=dtype).reshape(-1)

    def single(p, xi):
        return functional_call(model, p, (xi[None],)).reshape(())

    per_example = vmap(jacrev(single), in_dims=(None, 0))

    def jacobian(x, chunk=64):  # example by example: memory grows with the chunk, not with x squared
        parts = []
        for start in range(0, x.shape[0], chunk):
            jac = per_example(params, x[start : start + chunk])
            parts.append(torch.cat([j.reshape(j.shape[0], -1) for j in jac.values()], dim=1))
        return torch.cat(parts)

    J, J_new = jacobian(X), jacobian(X_new)
    with torch.no_grad():
        residual = y - model(X).reshape(-1)
        coef = torch.linalg.lstsq(J @ J.T, residual[:, None], driver="gelsd").solution[:, 0]
        return (model(X_new).reshape(-1) + J_new @ (J.T @ coef)).numpy()
