"""Width with commuting measurements (Woodworth et al. 2020, theorem 4; docs/science.md sec. 1.6): the
limit of gradient flow on ``M = U V^T`` in closed form, at any width.

With diagonal measurements ``A_i = diag(x_i)`` the loss gradient in ``M`` is diagonal,
``G = diag(g)``, ``g = X^T r / n``, so the flow ``U' = -G V``, ``V' = -G U`` moves row ``j`` of the
factors by ``g_j`` alone: with ``p_j = u_j + v_j`` and ``m_j = u_j - v_j`` (``u_j``, ``v_j`` the rows of
U and V), ``p_j(t) = e^{-s_j} p_j(0)``, ``m_j(t) = e^{s_j} m_j(0)``, where ``s = X^T nu`` (``nu`` the
integrated residuals) lies in the row space of X.  Hence

    M_jl(s) = (e^{-s_j - s_l} p_j.p_l - e^{-s_j + s_l} p_j.m_l + e^{s_j - s_l} m_j.p_l - e^{s_j + s_l}
    m_j.m_l) / 4,

which needs only the Gram matrix of the initial ``p`` and ``m`` (width k enters through it), and the
limit is the ``nu`` at which ``M(s)`` interpolates: the minimiser of the convex

    Phi(nu) = sum_j (e^{-2 s_j} |p_j|^2 + e^{2 s_j} |m_j|^2) / 8 + y . nu,

whose gradient is ``y - X diag(M(s))``.  As k grows with ``mu^2 = alpha^2 k / 2`` fixed,
``|p_j|^2, |m_j|^2 -> 4 mu^2`` and the cross terms vanish: ``M`` becomes the diagonal matrix whose
diagonal minimises ``Q_mu`` (``regimes.matrix.analyse.q_mu_minimiser``), the theorem.  Numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["CommutingLimit", "diagonal_of", "commuting_flow_limit"]


@dataclass(frozen=True)
class CommutingLimit:
    M: np.ndarray  # the limit, d x d
    M0: np.ndarray  # the initial U V^T
    nu: np.ndarray
    residual: float  # ||X diag(M) - y|| / ||y||
    iterations: int
    converged: bool


def diagonal_of(A: np.ndarray) -> np.ndarray:
    """The ``n x d`` matrix X of commuting measurements ``A_i = diag(x_i)``; refuses any other."""
    A = np.asarray(A, float)
    d = A.shape[-1]
    X = A[:, np.arange(d), np.arange(d)]
    if A.shape[-2] != d or np.abs(A - X[:, :, None] * np.eye(d)).max() > 0:
        raise ValueError("commuting measurements must be diagonal matrices A_i = diag(x_i)")
    return X


def _matrix(s, gram, d):
    pp, pm, mp, mm = gram[:d, :d], gram[:d, d:], gram[d:, :d], gram[d:, d:]
    e_minus, e_plus = np.exp(-s), np.exp(s)
    return (
        np.outer(e_minus, e_minus) * pp
        - np.outer(e_minus, e_plus) * pm
        + np.outer(e_plus, e_minus) * mp
        - np.outer(e_plus, e_plus) * mm
    ) / 4.0


def commuting_flow_limit(
    A, y, U0, V0, *, tol: float = 1e-12, max_iter: int = 200, accept: float = 1e-7
) -> CommutingLimit:
    """The limit of gradient flow on ``M = U V^T`` from ``U0``, ``V0`` (``d x k``) under commuting
    measurements ``A`` (``n x d x d``, diagonal) with labels ``y``: damped Newton on ``Phi`` to a relative
    residual ``tol``; where float64 stalls first (tiny alpha: ``e^{+-2 s}`` spans many decades), a
    residual below ``accept`` counts as converged."""
    X = diagonal_of(A)
    y = np.asarray(y, float)
    U0, V0 = np.asarray(U0, float), np.asarray(V0, float)
    d = X.shape[1]
    if U0.shape != V0.shape or U0.shape[0] != d:
        raise ValueError(f"U0 and V0 must both be d x k with d = {d}, got {U0.shape} and {V0.shape}")
    P, Mi = U0 + V0, U0 - V0
    stacked = np.concatenate([P, Mi])
    gram = stacked @ stacked.T
    a, b = np.diag(gram)[:d], np.diag(gram)[d:]

    def phi(nu):
        s = X.T @ nu
        with np.errstate(over="ignore"):
            value = np.sum(np.exp(-2 * s) * a + np.exp(2 * s) * b) / 8.0 + y @ nu
        return value if np.isfinite(value) else np.inf

    nu = np.zeros(len(y))
    value = phi(nu)
    y_norm = max(np.linalg.norm(y), 1e-300)
    residual, it = np.inf, 0
    for it in range(1, max_iter + 1):  # noqa: B007 (``it`` is read after the loop)
        s = X.T @ nu
        diag = (np.exp(-2 * s) * a - np.exp(2 * s) * b) / 4.0
        grad = y - X @ diag
        residual = np.linalg.norm(grad) / y_norm
        if residual < tol:
            break
        curvature = (np.exp(-2 * s) * a + np.exp(2 * s) * b) / 2.0
        step = -np.linalg.solve((X * curvature) @ X.T, grad)
        slope = grad @ step
        t = 1.0
        while t > 1e-30:
            trial = phi(nu + t * step)
            if trial <= value + 1e-4 * t * slope:
                break
            t *= 0.5
        if t <= 1e-30:
            break
        nu, value = nu + t * step, trial
    s = X.T @ nu
    return CommutingLimit(
        M=_matrix(s, gram, d),
        M0=U0 @ V0.T,
        nu=nu,
        residual=float(residual),
        iterations=it,
        converged=bool(residual < max(tol, accept)),
    )
