"""Per-cell analysis of factorised matrices (Woodworth et al. 2020, sec. 6; docs/science.md sec. 1.6):
recovery, nuclear and Frobenius norms against the convex references, the excess nuclear norm, how far
the unobserved entries moved, ``alpha^2 k`` and, for commuting measurements, the distance to the exact
``Q_mu`` minimiser of theorem 4.  Torch-free."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..diagonal.exact import implicit_limit
from ..grid import run_status
from ..results import blank_failed
from .commuting import diagonal_of
from .exact import min_frobenius_interpolant, min_nuclear_interpolant
from .problems import nuclear_norm, unobserved_change

__all__ = ["METRICS", "q_mu_minimiser", "matrix_references", "analyse_matrix_cell"]

# Columns computed from the trained matrix: NaN for a run that diverged or did not converge.
METRICS = (
    "test_error",
    "nuclear_norm",
    "frobenius_norm",
    "excess_nuclear",
    "effective_rank",
    "unobserved_change",
    "q_mu_error",
)


def _relative(M: np.ndarray, target: np.ndarray) -> float:
    return float(np.linalg.norm(M - target) / np.linalg.norm(target))


def q_mu_minimiser(A: np.ndarray, y: np.ndarray, mu: float) -> np.ndarray:
    """For commuting (diagonal) measurements ``A_i = diag(x_i)``: the matrix minimising ``Q_mu`` of its
    singular values among the interpolants (Woodworth et al. theorem 4, the limit of ``U V^T`` of width
    k from ``N(0, alpha^2)`` as k grows with ``mu^2 = alpha^2 k / 2``).  It is diagonal, and its diagonal
    is the depth-2 diagonal model's limit at scale ``mu`` (``Q_mu(beta) = mu^2 sum q(beta_i / mu^2)``),
    a convex solve (``regimes.diagonal.exact.implicit_limit``)."""
    solution = implicit_limit(diagonal_of(A), np.asarray(y, float), mu, 2, floor=1e-7)
    if not solution.residual < 1e-7:
        raise RuntimeError(f"the Q_mu solve did not converge (mu = {mu}, residual {solution.residual:.2e})")
    return np.diag(solution.beta)


def matrix_references(data: dict) -> dict:
    """The minimum-nuclear-norm (rich end) and minimum-Frobenius (kernel end) interpolants of one problem."""
    nuclear = min_nuclear_interpolant(data["A"], data["y"])
    frobenius = min_frobenius_interpolant(data["A"], data["y"])
    return {
        "seed": int(data["seed"]),
        "min_nuclear_norm": nuclear.nuclear_norm,
        "min_nuclear_gap": nuclear.gap,
        "min_nuclear_error": _relative(nuclear.M, data["target"]),
        "min_frobenius_nuclear_norm": nuclear_norm(frobenius),
        "min_frobenius_norm": float(np.linalg.norm(frobenius)),
        "min_frobenius_error": _relative(frobenius, data["target"]),
        "target_nuclear_norm": nuclear_norm(data["target"]),
    }


def analyse_matrix_cell(
    cell: dict, task: str, data_by_seed: dict[int, dict], trained: dict, refs: pd.DataFrame
) -> pd.DataFrame:
    """One row per seed: recovery error, nuclear and Frobenius norms against the references, the excess
    nuclear norm, how far the unobserved entries moved, and ``alpha^2 k``."""
    rows = []
    for i, seed in enumerate(trained["seeds"].tolist()):
        data = data_by_seed[seed]
        ref = refs.loc[refs["seed"] == seed].iloc[0]
        M, M0 = trained["M"][i], trained["M0"][i]
        singular = np.linalg.svd(M, compute_uv=False)
        nuclear = float(singular.sum())
        mu2 = cell["alpha"] ** 2 * cell["width"] / 2
        q_mu_error = (
            _relative(M, q_mu_minimiser(data["A"], data["y"], np.sqrt(mu2)))
            if task == "commuting"
            else np.nan
        )
        rows.append(
            {
                **cell,
                "task": task,
                "seed": seed,
                "alpha2_width": cell["alpha"] ** 2 * cell["width"],
                "test_error": _relative(M, data["target"]),
                "nuclear_norm": nuclear,
                "frobenius_norm": float(np.linalg.norm(M)),
                "excess_nuclear": nuclear / float(ref["min_nuclear_norm"]) - 1.0,
                "effective_rank": float(nuclear / singular[0]) if singular[0] > 0 else 0.0,
                "unobserved_change": unobserved_change(M, M0, data["target"], data["mask"])
                if task == "completion"
                else np.nan,
                "mu2": mu2,
                "q_mu_error": q_mu_error,
                "init_norm": float(np.linalg.norm(M0)),
                "min_nuclear_norm": float(ref["min_nuclear_norm"]),
                "min_nuclear_error": float(ref["min_nuclear_error"]),
                "min_frobenius_nuclear_norm": float(ref["min_frobenius_nuclear_norm"]),
                "min_frobenius_error": float(ref["min_frobenius_error"]),
                **run_status(trained, i),
            }
        )
    return blank_failed(pd.DataFrame(rows), METRICS)
