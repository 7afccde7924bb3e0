"""Matrix sensing and completion problems and the quantities that compare solutions (Woodworth et al.
2020, sec. 6; docs/science.md sec. 1.6): numpy only, so data and analysis jobs never import torch.

Problems are linear measurements of a low-rank target ``M*`` (``d x d``, unit Frobenius norm):
``y_i = <A_i, M*>`` with ``A_i`` Gaussian (sensing), ``e_a e_b^T`` at an observed entry (completion) or
diagonal with Gaussian entries (commuting: the measurements commute, as in the paper's theorem 4, and the
target is diagonal with ``rank`` non-zero entries)."""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "TASKS",
    "sensing_problem",
    "completion_problem",
    "commuting_problem",
    "make_problem",
    "nuclear_norm",
    "unobserved_change",
]


TASKS = ("sensing", "completion", "commuting")


def _target(gen: np.random.Generator, d1: int, d2: int, rank: int) -> np.ndarray:
    """A rank-``rank`` target with unit Frobenius norm."""
    M = gen.standard_normal((d1, rank)) @ gen.standard_normal((rank, d2))
    return M / np.linalg.norm(M)


def sensing_problem(d: int, rank: int, n: int, seed: int) -> dict:
    """``n`` Gaussian measurements ``<A_i, M*>`` of a ``d x d`` rank-``rank`` target."""
    gen = np.random.default_rng(seed)
    target = _target(gen, d, d, rank)
    A = gen.standard_normal((n, d, d))
    return {
        "A": A,
        "y": np.einsum("nab,ab->n", A, target),
        "target": target,
        "mask": np.zeros((d, d), bool),
        "seed": seed,
    }


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


def commuting_problem(d: int, rank: int, n: int, seed: int) -> dict:
    """``n`` commuting measurements ``A_i = diag(x_i)``, ``x_i ~ N(0, I_d)``, of a diagonal target with
    ``rank`` non-zero entries of random sign and unit Frobenius norm (Woodworth et al. theorem 4: the
    limit then minimises ``Q_mu`` of the singular values)."""
    if not 1 <= n < d:
        raise ValueError(
            f"commuting measurements need 1 <= n < d (an underdetermined diagonal, d = {d}), got n = {n}"
        )
    if not 1 <= rank <= d:
        raise ValueError(f"commuting measurements need 1 <= rank <= d = {d}, got rank = {rank}")
    gen = np.random.default_rng(seed)
    diagonal = np.zeros(d)
    diagonal[gen.choice(d, size=rank, replace=False)] = gen.choice([-1.0, 1.0], size=rank) / np.sqrt(rank)
    X = gen.standard_normal((n, d))
    A = np.zeros((n, d, d))
    A[:, np.arange(d), np.arange(d)] = X
    return {
        "A": A,
        "y": X @ diagonal,
        "target": np.diag(diagonal),
        "mask": np.zeros((d, d), bool),
        "seed": seed,
    }


def make_problem(task: str, d: int, rank: int, n: int, seed: int) -> dict:
    if task == "sensing":
        return sensing_problem(d, rank, n, seed)
    if task == "completion":
        return completion_problem(d, rank, n, seed)
    if task == "commuting":
        return commuting_problem(d, rank, n, seed)
    raise ValueError(f"task must be one of {TASKS}, got {task!r}")


def nuclear_norm(M: np.ndarray) -> float:
    return float(np.linalg.svd(M, compute_uv=False).sum())


def unobserved_change(M: np.ndarray, M0: np.ndarray, target: np.ndarray, mask: np.ndarray) -> float:
    """How far the unobserved entries moved from initialisation, relative to how far they had to go:
    ``||P_unobs(M - M0)||_F / ||P_unobs(M* - M0)||_F`` (Woodworth et al. fig. 5b); NaN without any."""
    hidden = ~mask
    if not hidden.any():
        return math.nan
    return float(np.linalg.norm((M - M0)[hidden]) / np.linalg.norm((target - M0)[hidden]))
