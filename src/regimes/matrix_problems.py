"""Matrix sensing and completion problems, their reference interpolants and the norms that compare them
(Woodworth et al. 2020, sec. 6; SPEC 1.6): numpy only, so data and analysis jobs never import torch.

Problems are linear measurements of a low-rank target ``M*`` (``d x d``, unit Frobenius norm):
``y_i = <A_i, M*>`` with ``A_i`` Gaussian (sensing) or ``e_a e_b^T`` at an observed entry (completion)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["TASKS", "sensing_problem", "completion_problem", "make_problem", "nuclear_norm", "min_frobenius_interpolant", "NuclearSolution", "min_nuclear_interpolant", "unobserved_change"]


TASKS = ("sensing", "completion")


def _target(gen: np.random.Generator, d1: int, d2: int, rank: int) -> np.ndarray:
    """A rank-``rank`` target with unit Frobenius norm."""
    M = gen.standard_normal((d1, rank)) @ gen.standard_normal((rank, d2))
    return M / np.linalg.norm(M)


def sensing_problem(d: int, rank: int, n: int, seed: int) -> dict:
    """``n`` Gaussian measurements ``<A_i, M*>`` of a ``d x d`` rank-``rank`` target."""
    gen = np.random.default_rng(seed)
    target = _target(gen, d, d, rank)
    A = gen.standard_normal((n, d, d))
    return {"A": A, "y": np.einsum("nab,ab->n", A, target), "target": target, "mask": np.zeros((d, d), bool), "seed": seed}


def completion_problem(d: int, rank: int, n: int, seed: int) -> dict:
    """``n`` distinct entries of a ``d x d`` rank-``rank`` target, drawn uniformly among the masks that
    observe every row and every column at least once."""
    if not 2 * d - 1 <= n <= d * d:
        raise ValueError(f"completion needs 2d - 1 <= n <= d^2 observed entries (d = {d}), got n = {n}")
    gen = np.random.default_rng(seed)
    target = _target(gen, d, d, rank)
    for _ in range(10000):
        flat = gen.choice(d * d, size=n, replace=False)
        mask = np.zeros(d * d, bool)
        mask[flat] = True
        mask = mask.reshape(d, d)
        if mask.any(0).all() and mask.any(1).all():
            break
    else:  # pragma: no cover - only for n barely above 2d - 1
        raise RuntimeError(f"no mask observing every row and column in 10000 draws (d = {d}, n = {n})")
    rows, cols = np.nonzero(mask)
    A = np.zeros((n, d, d))
    A[np.arange(n), rows, cols] = 1.0
    return {"A": A, "y": target[rows, cols], "target": target, "mask": mask, "seed": seed}


def make_problem(task: str, d: int, rank: int, n: int, seed: int) -> dict:
    if task == "sensing":
        return sensing_problem(d, rank, n, seed)
    if task == "completion":
        return completion_problem(d, rank, n, seed)
    raise ValueError(f"task must be one of {TASKS}, got {task!r}")


def nuclear_norm(M: np.ndarray) -> float:
    return float(np.linalg.svd(M, compute_uv=False).sum())


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


def min_nuclear_interpolant(A: np.ndarray, y: np.ndarray, *, tol: float = 1e-7, max_iter: int = 100000, step: float | None = None) -> NuclearSolution:
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
            best = NuclearSolution(M.reshape(d1, d2), value, lower, it, float(np.linalg.norm(B @ M - y) / scale))
            if best.gap <= tol:
                break
    return best


def unobserved_change(M: np.ndarray, M0: np.ndarray, target: np.ndarray, mask: np.ndarray) -> float:
    """How far the unobserved entries moved from initialisation, relative to how far they had to go:
    ``||P_unobs(M - M0)||_F / ||P_unobs(M* - M0)||_F`` (Woodworth et al. fig. 5b); NaN without any."""
    hidden = ~mask
    if not hidden.any():
        return math.nan
    return float(np.linalg.norm((M - M0)[hidden]) / np.linalg.norm((target - M0)[hidden]))
