"""Per-cell analysis beyond the diagonal model: matrix factorisation (width and depth) and non-linear
networks on the circle and on a line (Woodworth et al. 2020, secs. 6-7; SPEC 1.6-1.7)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.interpolate import CubicSpline

from .matrix_problems import min_frobenius_interpolant, min_nuclear_interpolant, nuclear_norm, unobserved_change

__all__ = ["spline_references", "matrix_references", "analyse_matrix_cell", "analyse_teacher_cell", "analyse_univariate_cell", "univariate_curves"]


def spline_references(x: np.ndarray, y: np.ndarray, grid: np.ndarray) -> dict[str, np.ndarray]:
    """The linear spline (rich end) and the natural cubic spline (kernel-like end) through the points."""
    return {"linear": np.interp(grid, x, y), "cubic": CubicSpline(x, y, bc_type="natural")(grid)}


def _status(trained: dict, i: int) -> dict:
    """How run ``i`` of a cell ended: final loss, converged, diverged, steps (and flow time if kept)."""
    out = {
        "train_loss": float(trained["train_loss"][i]),
        "converged": bool(trained["converged"][i]),
        "diverged": bool(trained["diverged"][i]),
        "steps": int(trained["steps"][i]),
    }
    if "flow_time" in trained:
        out["flow_time"] = float(trained["flow_time"][i])
    return out


def _relative(M: np.ndarray, target: np.ndarray) -> float:
    return float(np.linalg.norm(M - target) / np.linalg.norm(target))


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


def analyse_matrix_cell(cell: dict, task: str, data_by_seed: dict[int, dict], trained: dict, refs: pd.DataFrame) -> pd.DataFrame:
    """One row per seed: recovery error, nuclear and Frobenius norms against the references, the excess
    nuclear norm, how far the unobserved entries moved, and ``alpha^2 k``."""
    rows = []
    for i, seed in enumerate(trained["seeds"].tolist()):
        data = data_by_seed[seed]
        ref = refs.loc[refs["seed"] == seed].iloc[0]
        M, M0 = trained["M"][i], trained["M0"][i]
        singular = np.linalg.svd(M, compute_uv=False)
        nuclear = float(singular.sum())
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
                "unobserved_change": unobserved_change(M, M0, data["target"], data["mask"]) if task == "completion" else np.nan,
                "init_norm": float(np.linalg.norm(M0)),
                "min_nuclear_norm": float(ref["min_nuclear_norm"]),
                "min_nuclear_error": float(ref["min_nuclear_error"]),
                "min_frobenius_nuclear_norm": float(ref["min_frobenius_nuclear_norm"]),
                "min_frobenius_error": float(ref["min_frobenius_error"]),
                **_status(trained, i),
            }
        )
    return pd.DataFrame(rows)


def analyse_teacher_cell(cell: dict, data_by_seed: dict[int, dict], trained: dict) -> pd.DataFrame:
    """One row per seed: test loss on the circle, tangent-kernel change, against ``alpha^D``."""
    rows = []
    for i, seed in enumerate(trained["seeds"].tolist()):
        data = data_by_seed[seed]
        residual = trained["test_prediction"][i] - data["y_test"]
        rows.append(
            {
                **cell,
                "seed": seed,
                "alpha_D": cell["alpha"] ** cell["depth"],
                "test_loss": float(0.5 * np.mean(residual**2)),
                "kernel_distance": float(trained["kernel_distance"][i]),
                **_status(trained, i),
            }
        )
    return pd.DataFrame(rows)


def _rms(a) -> float:
    return float(np.sqrt(np.mean(np.square(a))))


def analyse_univariate_cell(cell: dict, data_by_seed: dict[int, dict], trained: dict) -> pd.DataFrame:
    """One row per seed: rms distance (relative to the labels' rms) of the trained function and of the
    kernel-regime limit to the linear spline and to the natural cubic spline through the points."""
    rows = []
    for i, seed in enumerate(trained["seeds"].tolist()):
        data = data_by_seed[seed]
        ref = spline_references(data["X"][:, 0], data["y"], data["X_test"][:, 0])
        scale = _rms(data["y"])
        trained_f, kernel_f = trained["prediction"][i], trained["kernel_prediction"][i]
        rows.append(
            {
                **cell,
                "seed": seed,
                "to_linear_spline": _rms(trained_f - ref["linear"]) / scale,
                "to_cubic_spline": _rms(trained_f - ref["cubic"]) / scale,
                "kernel_to_linear_spline": _rms(kernel_f - ref["linear"]) / scale,
                "kernel_to_cubic_spline": _rms(kernel_f - ref["cubic"]) / scale,
                "to_kernel_limit": _rms(trained_f - kernel_f) / scale,
                "kernel_distance": float(trained["kernel_distance"][i]),
                **_status(trained, i),
            }
        )
    return pd.DataFrame(rows)


def univariate_curves(cell: dict, data_by_seed: dict[int, dict], trained: dict) -> pd.DataFrame:
    """The functions themselves, long form: one row per (seed, grid point), with the splines and the
    data points (``is_data``) for the figure."""
    frames = []
    for i, seed in enumerate(trained["seeds"].tolist()):
        data = data_by_seed[seed]
        grid = data["X_test"][:, 0]
        ref = spline_references(data["X"][:, 0], data["y"], grid)
        frames.append(
            pd.DataFrame(
                {
                    **cell,
                    "seed": seed,
                    "x": grid,
                    "trained": trained["prediction"][i],
                    "kernel_limit": trained["kernel_prediction"][i],
                    "linear_spline": ref["linear"],
                    "cubic_spline": ref["cubic"],
                    "is_data": False,
                }
            )
        )
        frames.append(pd.DataFrame({**cell, "seed": seed, "x": data["X"][:, 0], "trained": data["y"], "is_data": True}))
    return pd.concat(frames, ignore_index=True)
