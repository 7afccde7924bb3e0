"""Kernel distance between two tangent kernels (Goldwaser & Ge 2023; docs/science.md sec. 2.2).

Torch-free, so that analysis jobs can compare kernels without importing torch; the empirical NTK of a
network is ``regimes.networks.ntk.empirical_ntk`` and the diagonal model's analytic kernel
``regimes.diagonal.tangent.tangent_kernel``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["kernel_distance"]


def _flat(theta) -> np.ndarray:
    if hasattr(theta, "detach"):  # a torch tensor, wherever it lives
        theta = theta.detach().cpu().double().numpy()
    return np.asarray(theta, dtype=float).reshape(-1)


def kernel_distance(theta_a, theta_b) -> float:
    """``1 - <A, B>_F / (||A||_F ||B||_F)``: 0 for proportional kernels, in [0, 1] for PSD kernels.

    ``theta_a``, ``theta_b``: numpy arrays or torch tensors of the same shape (computed in float64).
    """
    a, b = _flat(theta_a), _flat(theta_b)
    cos = (a @ b) / (np.linalg.norm(a) * np.linalg.norm(b))
    return float(np.clip(1.0 - cos, 0.0, 1.0))
