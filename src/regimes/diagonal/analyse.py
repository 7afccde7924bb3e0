"""Per-cell analysis of the diagonal model: norms of the solution, its distance to the exact limit,
errors against the reference interpolants, and sample complexity from the exact limit (Woodworth et al.
2020, sec. 4 and figs. 1c, 3c; docs/science.md secs. 1.2-1.5).  Torch-free."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..grid import feature_updates
from ..kernels import kernel_distance
from ..results import blank_failed
from .data import population_error
from .exact import implicit_limit, min_l1_interpolant, min_l2_interpolant
from .potential import Q
from .tangent import tangent_kernel

__all__ = [
    "METRICS",
    "references",
    "analyse_diagonal_cell",
    "sample_complexity_table",
    "alpha_max",
    "recovery_n",
    "diagonal_kernel_distance",
]


# Columns computed from the trained solution: NaN for a run that diverged or did not converge.
METRICS = (
    "test_error",
    "test_mse",
    "l1",
    "l2",
    "Q",
    "oracle_gap",
    "l1_ratio",
    "l2_ratio",
    "kernel_distance",
    "feature_updates",
)


def diagonal_kernel_distance(X: np.ndarray, w_plus: np.ndarray, w_minus: np.ndarray, depth: int) -> float:
    """Kernel distance (docs/science.md sec. 2.2) between the tangent kernel at the given weights and at
    initialisation, where every weight is alpha and the kernel is proportional to ``X X^T``."""
    return kernel_distance(tangent_kernel(X, w_plus, w_minus, depth), X @ X.T)


def references(data: dict) -> dict:
    """Min-l1 (rich end) and min-l2 (kernel end) interpolants of one data set, with their errors."""
    l1 = min_l1_interpolant(data["X"], data["y"])
    l2 = min_l2_interpolant(data["X"], data["y"])
    return {
        "seed": int(data["seed"]),
        "n": data["X"].shape[0],
        "min_l1_norm": float(np.abs(l1).sum()),
        "min_l2_norm": float(np.linalg.norm(l2)),
        "min_l1_error": float(population_error(l1, data["beta_star"])),
        "min_l2_error": float(population_error(l2, data["beta_star"])),
    }


def analyse_diagonal_cell(
    cell: dict, data_by_seed: dict[int, dict], trained: dict, refs: pd.DataFrame
) -> pd.DataFrame:
    """One row per seed: errors, norms, ``Q_alpha^D`` and the relative distance to the exact limit
    (``METRICS``
    NaN for a failed run; the exact limit's own columns stay)."""
    alpha, depth = float(cell["alpha"]), int(cell["depth"])
    rows = []
    for i, seed in enumerate(trained["seeds"].tolist()):
        data = data_by_seed[seed]
        beta = trained["beta"][i]
        oracle = implicit_limit(data["X"], data["y"], alpha, depth)
        ref = refs.loc[refs["seed"] == seed].iloc[0]
        rows.append(
            {
                **cell,
                "seed": seed,
                "n": data["X"].shape[0],
                "d": data["X"].shape[1],
                "test_error": float(population_error(beta, data["beta_star"])),
                "test_mse": float(np.mean((data["X_test"] @ beta - data["y_test"]) ** 2)),
                "train_loss": float(trained["train_loss"][i]),
                "l1": float(np.abs(beta).sum()),
                "l2": float(np.linalg.norm(beta)),
                "Q": float(Q(beta, alpha, depth)),
                "oracle_gap": float(np.linalg.norm(beta - oracle.beta) / np.linalg.norm(oracle.beta)),
                "oracle_error": float(population_error(oracle.beta, data["beta_star"])),
                "oracle_l1": float(np.abs(oracle.beta).sum()),
                "oracle_l2": float(np.linalg.norm(oracle.beta)),
                "oracle_residual": oracle.residual,
                "oracle_converged": oracle.converged,
                "l1_ratio": float(np.abs(beta).sum() / ref["min_l1_norm"]),
                "l2_ratio": float(np.linalg.norm(beta) / ref["min_l2_norm"]),
                "min_l1_error": float(ref["min_l1_error"]),
                "min_l2_error": float(ref["min_l2_error"]),
                "kernel_distance": diagonal_kernel_distance(
                    data["X"], trained["anchor_plus"][i], trained["anchor_minus"][i], depth
                ),
                "feature_updates": feature_updates(cell["K"], int(trained["steps"][i])),
                "converged": bool(trained["converged"][i]),
                "diverged": bool(trained["diverged"][i]),
                "steps": int(trained["steps"][i]),
                "flow_time": float(trained["flow_time"][i]),
            }
        )
    return _blank_unsolved(blank_failed(pd.DataFrame(rows), METRICS))


ORACLE = ("oracle_gap", "oracle_error", "oracle_l1", "oracle_l2")


def _blank_unsolved(table: pd.DataFrame) -> pd.DataFrame:
    """The exact limit's columns NaN where its solve did not fit the data (``oracle_converged`` False,
    ``oracle_residual`` says how far): a limit that does not interpolate is not the flow's limit, and
    alpha^D that float64 rounds to 0 (depth 200 at alpha 0.01) would read as beta = 0."""
    table = table.copy()
    table.loc[~table["oracle_converged"].astype(bool), list(ORACLE)] = np.nan
    return table


def sample_complexity_table(
    data: dict, ns, alphas, depths, threshold: float, alpha_D_floor: float | None = None
) -> pd.DataFrame:
    """Population error of the exact gradient-flow limit for every (n, depth, alpha) on prefixes of one
    data set, plus the min-l1 interpolant's error (``depth = 0`` rows mark it); ``threshold``, the error
    that counts as recovery (``alpha_max``), is a column so that figures and claims read it from the table.
    ``alpha_D_floor``: at depth D only the alphas with ``alpha^D >= alpha_D_floor`` (the paper's grids go
    to alpha^D = 1e-10; far below it the deep limits are zero to working precision)."""
    bad = [depth for depth in depths if alpha_D_floor is not None and max(alphas) ** depth < alpha_D_floor]
    if bad:
        raise ValueError(
            f"alpha_D_floor {alpha_D_floor:g} leaves no alpha at depth {bad} (largest alpha {max(alphas):g})"
        )
    rows = []
    for n in sorted(ns):
        X, y = data["X"][:n], data["y"][:n]
        l1 = min_l1_interpolant(X, y)
        rows.append(
            {
                "seed": int(data["seed"]),
                "n": n,
                "depth": 0,
                "alpha": np.nan,
                "error": float(population_error(l1, data["beta_star"])),
                "converged": True,
            }
        )
        for depth in depths:
            # From the kernel end down, each solve started at the previous alpha's dual point
            # (continuation: fewer Newton steps, the same limit to the solver's tolerance).
            nu, solved = None, []
            for alpha in sorted(
                (a for a in alphas if alpha_D_floor is None or a**depth >= alpha_D_floor), reverse=True
            ):
                sol = implicit_limit(X, y, alpha, depth, tol=1e-8, start=nu)
                nu = sol.nu if sol.converged else None
                solved.append(
                    {
                        "seed": int(data["seed"]),
                        "n": n,
                        "depth": depth,
                        "alpha": float(alpha),
                        "error": float(population_error(sol.beta, data["beta_star"])),
                        "converged": bool(sol.residual < 1e-6),
                    }
                )
            rows += solved[::-1]  # the table in ascending alpha, as the grid reads
    return pd.DataFrame(rows).assign(threshold=float(threshold))


def alpha_max(errors: pd.Series, alphas: pd.Series, threshold: float) -> float:
    """Largest alpha on the grid such that the error is <= threshold there and at every smaller alpha
    (``nan`` when even the smallest alpha fails)."""
    order = np.argsort(alphas.to_numpy())
    a = alphas.to_numpy()[order]
    ok = errors.to_numpy()[order] <= threshold
    if not ok[0]:
        return float("nan")
    bad = np.flatnonzero(~ok)
    return float(a[-1] if bad.size == 0 else a[bad[0] - 1])


def recovery_n(recovered: pd.Series) -> float:
    """The sample complexity on an n grid: the smallest n from which ``recovered`` (a boolean per n, the
    index) holds at every larger n of the grid; NaN when it fails at the largest n.  An n where recovery
    holds by chance below a failing one does not count (the min-l1 error hovers near the threshold there)."""
    first = math.nan
    for n, ok in sorted(recovered.items(), reverse=True):
        if not ok:
            break
        first = float(n)
    return first
