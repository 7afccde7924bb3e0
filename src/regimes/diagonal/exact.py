"""Exact limits of the diagonal model and the two reference interpolants.

``implicit_limit`` solves the convex dual of docs/science.md sec. 1.3: integrating gradient flow
coordinate-wise
shows that the limit is ``beta = alpha^D h_D(X^T nu)``, with ``nu`` the minimiser of

    Phi(nu) = alpha^D sum_i H_D(x_i . nu) - y . nu        (x_i: the columns of X).

Its stationarity is ``X beta = y`` and ``grad Q_alpha^D(beta) = X^T nu`` lies in the row space of X:
the KKT conditions of ``min Q_alpha^D(beta) s.t. X beta = y`` (Woodworth et al., thm. 1 and 3).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from .potential import H, check_depth, h, h_prime

__all__ = ["DualSolution", "implicit_limit", "min_l1_interpolant", "min_l2_interpolant"]


@dataclass(frozen=True)
class DualSolution:
    beta: np.ndarray
    nu: np.ndarray
    iterations: int
    residual: float  # ||X beta - y|| / ||y||
    converged: bool


def _phi(X, y, nu, alpha_D, depth, s=None):
    """Phi at ``nu`` (``s = X^T nu`` when the caller has it); ``inf`` outside the domain."""
    s = X.T @ nu if s is None else s
    if depth > 2 and np.max(np.abs(s)) >= 1.0:
        return np.inf
    with np.errstate(over="ignore", invalid="ignore"):
        val = alpha_D * np.sum(H(s, depth)) - y @ nu
    return val if np.isfinite(val) else np.inf


def _room(s, ds):
    """Largest t with ``|s + t ds| <= 1`` (the domain of Phi for D >= 3)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        room = np.where(ds > 0, (1.0 - s) / ds, np.where(ds < 0, (-1.0 - s) / ds, np.inf))
    return float(room.min()) if room.size else np.inf


def implicit_limit(
    X: np.ndarray,
    y: np.ndarray,
    alpha: float,
    depth: int,
    *,
    tol: float = 1e-12,
    max_iter: int = 500,
    floor: float = 1e-9,
    start: np.ndarray | None = None,
) -> DualSolution:
    """Limit of gradient flow on ``beta = w_+^D - w_-^D`` from ``w_+- = alpha``: damped Newton on Phi.

    Backtracking (Armijo) keeps every iterate finite and, for D >= 3, inside ``|X^T nu| < 1``: a step starts
    at most 99 % of the way to that edge.  Where Phi's change falls below its own rounding (near the limit,
    large n), a step that shrinks the residual is taken instead of backtracking on noise.
    ``tol`` bounds the relative residual ``||X beta - y|| / ||y||``.  Near the edge of the domain (D >= 3,
    small alpha) float64 cannot always reach ``tol``: once the residual is below ``floor`` and has not
    halved in 5 iterations, the solve stops there and counts as converged.  A solve that stops short
    otherwise (``max_iter``, or a line search that cannot decrease Phi) says so with a ``RuntimeWarning``
    and ``converged=False``.
    ``start``: the dual point to start from (default 0), such as the ``nu`` of a nearby alpha's solution:
    Phi is strictly convex, so the limit is the same from any start, to ``tol``; a start where Phi is not
    finite (outside the domain) or larger than at 0 is replaced by 0.
    """
    depth = check_depth(depth)
    if not alpha > 0:
        raise ValueError(f"alpha must be positive, got {alpha!r}")
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = X.shape[0]
    alpha_D = float(alpha) ** depth
    nu = np.zeros(n)
    phi = _phi(X, y, nu, alpha_D, depth)
    if start is not None:
        start = np.asarray(start, dtype=float)
        if start.shape != (n,):
            raise ValueError(f"start must have shape ({n},) (one entry per observation), got {start.shape}")
        phi_start = _phi(X, y, start, alpha_D, depth)
        if np.isfinite(phi_start) and phi_start <= phi:
            nu, phi = start.copy(), phi_start
    y_norm = max(np.linalg.norm(y), 1e-300)
    residual = np.inf
    history = []
    for it in range(1, max_iter + 1):
        s = X.T @ nu
        beta = alpha_D * h(s, depth)
        grad = X @ beta - y
        residual = np.linalg.norm(grad) / y_norm
        history.append(residual)
        stalled = len(history) > 5 and residual < floor and residual > 0.5 * history[-6]
        if residual < tol or stalled:
            return DualSolution(beta, nu, it - 1, residual, True)
        scaled = X * np.sqrt(alpha_D * h_prime(s, depth))
        hess = scaled @ scaled.T  # X diag(alpha^D h') X^T, by a symmetric rank-k update
        try:
            step = -np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = -np.linalg.lstsq(hess, grad, rcond=None)[0]
        slope = grad @ step
        if not slope < 0:  # numerically singular Hessian: fall back to the gradient direction
            step, slope = -grad, -(grad @ grad)
        ds = X.T @ step
        # Start inside the domain (D >= 3: a fraction of the way to its edge) rather than halving into it.
        t = 1.0 if depth == 2 else min(1.0, 0.99 * _room(s, ds))
        # Phi's own rounding: below it Armijo's test on Phi is noise, and the residual decides instead.
        with np.errstate(over="ignore", invalid="ignore"):
            noise = 64 * np.finfo(float).eps * (alpha_D * np.sum(np.abs(H(s, depth))) + abs(y @ nu))
        while True:
            trial = nu + t * step
            s_trial = X.T @ trial  # not s + t ds: its rounding could step onto the domain's edge
            phi_trial = _phi(X, y, trial, alpha_D, depth, s_trial)
            if phi_trial <= phi + 1e-4 * t * slope or t < 1e-30:
                break
            if phi_trial <= phi + noise:
                trial_residual = np.linalg.norm(X @ (alpha_D * h(s_trial, depth)) - y) / y_norm
                if trial_residual < (1.0 - 1e-4 * t) * residual:
                    break
            t *= 0.5
        if t < 1e-30:
            break
        nu, phi = trial, phi_trial
    beta = alpha_D * h(X.T @ nu, depth)
    residual = np.linalg.norm(X @ beta - y) / y_norm
    converged = residual < max(tol, floor)
    if not converged:  # never silently: the caller's table keeps the residual (oracle_residual)
        warnings.warn(
            f"implicit_limit stopped short at alpha {alpha:g}, depth {depth}: relative residual "
            f"{residual:.2e} > {max(tol, floor):.0e} after {it} iterations",
            RuntimeWarning,
            stacklevel=2,
        )
    return DualSolution(beta, nu, it, residual, converged)


def min_l2_interpolant(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Minimum-l2-norm solution of ``X beta = y`` (the kernel end, alpha -> infinity)."""
    return np.linalg.lstsq(np.asarray(X, float), np.asarray(y, float), rcond=None)[0]


def min_l1_interpolant(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Minimum-l1-norm solution of ``X beta = y`` (the rich end, alpha -> 0), a linear program (HiGHS).

    ``beta = u - v`` with ``u, v >= 0``: minimise ``sum(u + v)`` subject to ``X (u - v) = y``.
    """
    X = np.asarray(X, float)
    n, d = X.shape
    res = linprog(
        c=np.ones(2 * d),
        A_eq=np.hstack([X, -X]),
        b_eq=np.asarray(y, float),
        bounds=(0, None),
        method="highs",
    )
    if res.status != 0:
        raise RuntimeError(f"min-l1 linear program failed: {res.message}")
    return res.x[:d] - res.x[d:]
