"""The two ends of the matrix experiments (Woodworth et al. 2020, sec. 6; docs/science.md sec. 1.6): the
minimum-nuclear-norm interpolant (rich end, certified by a duality gap) and the minimum-Frobenius
interpolant (kernel end of the unbiased model).  Numpy only.  The kernel solution of the factorised
model itself is ``regimes.matrix.factorised.kernel_solution``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .problems import nuclear_norm

__all__ = ["min_frobenius_interpolant", "NuclearSolution", "min_nuclear_interpolant"]


def min_frobenius_interpolant(A: np.ndarray, y: np.ndarray) -> np.ndarray:
    n, d1, d2 = A.shape
    return np.linalg.lstsq(A.reshape(n, -1), y, rcond=None)[0].reshape(d1, d2)


@dataclass(frozen=True)
class NuclearSolution:
    M: np.ndarray
    nuclear_norm: float
    lower_bound: float  # a certified lower bound on the minimum (weak duality)
    iterations: int
    residual: float  # ||A(M) - y|| / ||y||

    @property
    def gap(self) -> float:
        return (self.nuclear_norm - self.lower_bound) / self.nuclear_norm


def min_nuclear_interpolant(
    A: np.ndarray, y: np.ndarray, *, tol: float = 1e-7, max_iter: int = 100000, step: float | None = None
) -> NuclearSolution:
    """``min ||M||_* s.t. <A_i, M> = y_i`` by Douglas-Rachford splitting of the nuclear norm (singular
    value soft-thresholding) and the affine constraint (an exact projection).

    Stops once the certified relative duality gap is below ``tol``.  The certificate: at the fixed point
    ``G = (z - M) / step`` is a subgradient of ``||.||_*`` at ``M`` that lies in the span of the ``A_i``;
    projected onto that span and divided by its spectral norm it is dual feasible, so
    ``<G, M*> / ||G||_op`` (the same for every interpolant) is a lower bound on the minimum.
    """
    n, d1, d2 = A.shape
    B = A.reshape(n, -1)
    pinv = np.linalg.pinv(B)
    scale = np.linalg.norm(y)
    if scale == 0:
        zero = np.zeros((d1, d2))
        return NuclearSolution(zero, 0.0, 0.0, 0, 0.0)

    def project(x):  # onto {x : B x = y}
        return x - pinv @ (B @ x - y)

    feasible = project(np.zeros(d1 * d2))
    z = feasible.copy()
    step = step or np.linalg.svd(feasible.reshape(d1, d2), compute_uv=False)[0] / 10
    best = None
    for it in range(1, max_iter + 1):
        U, s, Vt = np.linalg.svd(z.reshape(d1, d2), full_matrices=False)
        x = ((U * np.maximum(s - step, 0.0)) @ Vt).reshape(-1)
        w = project(2 * x - z)
        z = z + w - x
        if it % 50 == 0 or it == max_iter:
            M = project(x)  # feasible to rounding
            G = (z - x) / step
            G = B.T @ (pinv.T @ G)  # its part in the span of the measurements
            op = np.linalg.svd(G.reshape(d1, d2), compute_uv=False)[0]
            lower = float(G @ feasible / op) if op > 0 else 0.0
            value = nuclear_norm(M.reshape(d1, d2))
            best = NuclearSolution(
                M.reshape(d1, d2), value, lower, it, float(np.linalg.norm(B @ M - y) / scale)
            )
            if best.gap <= tol:
                break
    return best
