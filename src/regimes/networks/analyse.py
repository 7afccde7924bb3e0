"""Per-cell analysis of networks: iterative linearisation on classification data (Goldwaser & Ge 2023),
students of the circle teacher and the univariate network (Woodworth et al. 2020, sec. 7;
docs/science.md secs. 1.7 and 2.3).  Torch-free."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..grid import run_status
from ..results import blank_failed
from .exact import spline_references
from .records import HISTORY

__all__ = [
    "NETWORK_METRICS",
    "TEACHER_METRICS",
    "UNIVARIATE_METRICS",
    "GAUSS_NEWTON_METRICS",
    "network_tables",
    "lr_search_table",
    "gauss_newton_tables",
    "matched_loss",
    "analyse_teacher_cell",
    "analyse_univariate_cell",
    "univariate_curves",
]


# Columns computed from the trained network: NaN for a run that diverged or did not reach its stopping rule.
NETWORK_METRICS = (
    "train_loss",
    "train_acc",
    "test_loss",
    "test_acc",
    "test_error",
    "val_loss",
    "val_acc",
    "kernel_distance",
    "anchor_distance",
    "weight_change",
    "round_move",
    "round_move_max",
    "relinearise_jump",
    "relinearise_jump_max",
)
# What a round of iterative linearisation does (``regimes.networks.ensemble.train_ensemble``), per run.
ROUNDS = ("rounds", "round_move", "round_move_max", "relinearise_jump", "relinearise_jump_max")
TEACHER_METRICS = ("test_rmse", "test_loss", "jacobian_distance", "kernel_distance")
UNIVARIATE_METRICS = ("to_linear_spline", "to_cubic_spline", "to_kernel_limit", "kernel_distance")


def network_tables(
    cell: dict,
    trained: dict,
    dataset: str,
    architecture: str,
    T: int,
    until_interpolation: bool = False,
    train: dict | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Final metrics, one row per seed, and the history, one row per (seed, record); ``T``, the total
    number of steps every K is trained for (the budget, with ``until_interpolation``), is a column of
    the final table, and so are the regime's ``optimiser``, ``loss``, ``momentum`` and ``batch_size`` (0:
    full batch; from ``train``, the experiment's train settings) and what its rounds did (``ROUNDS``: NaN
    where not measured).
    ``plateau``: the run reached its plateau (``regimes.networks.ensemble.plateau``);
    ``converged``: it did not diverge and, with ``until_interpolation``, reached 100 % training accuracy
    (else its metrics are NaN).  ``steps``: where it stopped."""
    keys = [k for k in HISTORY if k in trained]
    history, final = [], []
    steps = trained["step"]
    for i, seed in enumerate(trained["seeds"].tolist()):
        base = {**cell, "dataset": dataset, "architecture": architecture, "seed": seed}
        valid = ~np.isnan(trained["test_acc"][i])
        for j in np.flatnonzero(valid):
            history.append({**base, "step": int(steps[j]), **{k: float(trained[k][i, j]) for k in keys}})
        last = np.flatnonzero(valid)[-1] if valid.any() else len(steps) - 1
        diverged = bool(trained["diverged"][i])
        stopped = int(trained["stopped"][i]) if "stopped" in trained else int(steps[last])
        interpolated = bool(trained["train_acc"][i, last] >= 1.0)
        final.append(
            {
                **base,
                "steps": stopped,
                "T": int(T),
                **{k: float(trained[k][i, last]) for k in keys},
                "test_error": 1.0 - float(trained["test_acc"][i, last]),
                "updates_per_run": float(T / float(cell["K"])) if cell["K"] != "inf" else 0.0,
                "lr": float(trained["lr"][i]),
                "optimiser": (train or {}).get("optimiser", ""),
                "loss": (train or {}).get("loss", ""),
                "momentum": float((train or {}).get("momentum", 0.0)),
                "batch_size": int((train or {}).get("batch_size", 0)),
                **{k: float(trained[k][i]) if k in trained else np.nan for k in ROUNDS},
                "diverged": diverged,
                "converged": not diverged and (interpolated or not until_interpolation),
                "plateau": bool(trained["plateau"][i]) if "plateau" in trained else False,
                "interpolated": interpolated,
                "seconds": float(trained["seconds"][i]),
            }
        )
    return blank_failed(pd.DataFrame(final), NETWORK_METRICS), pd.DataFrame(history)


def lr_search_table(cell: dict, trained: dict, dataset: str, architecture: str) -> pd.DataFrame:
    """Every learning rate tried for a cell (one row per learning rate and seed): validation, test and
    training accuracy at the end, and which one the cell kept."""
    if "search_lr" not in trained:
        return pd.DataFrame()
    rows = []
    for j in range(trained["search_lr"].shape[0]):
        for i, seed in enumerate(trained["seeds"].tolist()):
            rows.append(
                {
                    **cell,
                    "dataset": dataset,
                    "architecture": architecture,
                    "seed": seed,
                    "lr": float(trained["search_lr"][j, i]),
                    "val_acc": float(trained["search_val_acc"][j, i]),
                    "test_acc": float(trained["search_test_acc"][j, i]),
                    "train_acc": float(trained["search_train_acc"][j, i]),
                    "chosen": j == int(trained["lr_option"]),
                }
            )
    return pd.DataFrame(rows)


def analyse_teacher_cell(
    cell: dict, data_by_seed: dict[int, dict], trained: dict, plateau_tol: float = 0.05
) -> pd.DataFrame:
    """One row per seed against ``alpha^D``: test RMSE on fresh circle points (fig. 6a; the caption's
    RMSE) and the zero predictor's, the initial function's and the kernel-regime limit's (the initial
    function plus the fixed-kernel fit); the Jacobian cosine distance (fig. 6b) and the tangent-kernel
    distance between initialisation and the end; how the run ended (``reached_loss``: the paper's rule;
    ``converged``: that, or its test function on a plateau: over the second half of its steps its test
    predictions moved by at most ``plateau_tol`` times its test RMSE, rms, which bounds the change of
    the RMSE itself)."""
    rows = []
    for i, seed in enumerate(trained["seeds"].tolist()):
        data = data_by_seed[seed]
        y = data["y_test"]
        status = run_status(trained, i)
        rmse = _rms(trained["test_prediction"][i] - y)
        change = _rms(trained["test_prediction"][i] - trained["halfway_prediction"][i])
        moved = change / rmse if rmse > 0 else (0.0 if change == 0 else math.inf)
        status["reached_loss"] = status["converged"]
        status["converged"] = bool(status["converged"] or (not status["diverged"] and moved <= plateau_tol))
        rows.append(
            {
                **cell,
                "seed": seed,
                "alpha_D": cell["alpha"] ** cell["depth"],
                "test_rmse": rmse,
                "test_loss": float(np.mean((trained["test_prediction"][i] - y) ** 2)),
                "zero_rmse": _rms(y),
                "initial_rmse": _rms(trained["initial_prediction"][i] - y),
                "kernel_rmse": _rms(trained["kernel_prediction"][i] - y),
                "jacobian_distance": float(trained["jacobian_distance"][i]),
                "kernel_distance": float(trained["kernel_distance"][i]),
                "plateau_change": moved,
                "rmse_at_stop": rmse,  # kept for every run (test_rmse is blanked for runs that stopped short)
                "jacobian_distance_at_stop": float(trained["jacobian_distance"][i]),
                "capped": bool(trained["capped"][i]),
                **{
                    k: _get(trained, k, i)
                    for k in ("implicit_steps", "kinks", "kernel_min_eig", "projected_steps")
                },
                **status,
            }
        )
    return blank_failed(pd.DataFrame(rows), TEACHER_METRICS)


def _get(trained: dict, key: str, i: int):
    """Member ``i``'s ``key``, NaN for a result written before the key existed."""
    return trained[key][i].item() if key in trained else math.nan


def _rms(a) -> float:
    return float(np.sqrt(np.mean(np.square(a))))


def _univariate_status(trained: dict, i: int, scale: float, plateau_tol: float, plateau_loss: float) -> dict:
    """How run ``i`` ended (:func:`analyse_univariate_cell`): its run status with ``reached_loss``, the
    plateau rule's ``converged`` and ``plateau_change`` (rms move over the second half / ``scale``)."""
    status = run_status(trained, i)
    moved = (
        _rms(trained["prediction"][i] - trained["halfway_prediction"][i]) / scale
        if "halfway_prediction" in trained
        else math.nan
    )
    fitted = (
        status["train_loss"] <= plateau_loss * 0.5 * scale**2
    )  # the centred network starts at 0: L_0 = mean(y^2) / 2
    status["reached_loss"] = status["converged"]
    status["converged"] = bool(
        status["converged"] or (not status["diverged"] and fitted and moved <= plateau_tol)
    )
    status["plateau_change"] = moved
    return status


def analyse_univariate_cell(
    cell: dict,
    data_by_seed: dict[int, dict],
    trained: dict,
    plateau_tol: float = 0.02,
    plateau_loss: float = 1.0e-4,
) -> pd.DataFrame:
    """One row per seed: rms distance (relative to the labels' rms) of the trained function and of the
    kernel-regime limit to the linear spline and to the natural cubic spline through the points, and of
    the trained function to the kernel limit; the balance; how the run ended (``reached_loss``: its loss
    tolerance; ``converged``: that, or a plateau that fits the data: over the second half of its steps
    its function on the grid moved by at most ``plateau_tol`` times rms(y), rms, and its loss is below
    ``plateau_loss`` times the initial one, so that a run resting at a saddle does not count).
    ``*_at_stop`` keep the distances of every run; the others are blank for runs that stopped short."""
    rows = []
    for i, seed in enumerate(trained["seeds"].tolist()):
        data = data_by_seed[seed]
        ref = spline_references(data["X"][:, 0], data["y"], data["X_test"][:, 0])
        scale = _rms(data["y"])
        trained_f, kernel_f = trained["prediction"][i], trained["kernel_prediction"][i]
        status = _univariate_status(trained, i, scale, plateau_tol, plateau_loss)
        rows.append(
            {
                **cell,
                "seed": seed,
                "points": str(data.get("points", "random")),
                "balance": float(trained["balance"][i]) if "balance" in trained else 0.0,
                "to_linear_spline": _rms(trained_f - ref["linear"]) / scale,
                "to_cubic_spline": _rms(trained_f - ref["cubic"]) / scale,
                "kernel_to_linear_spline": _rms(kernel_f - ref["linear"]) / scale,
                "kernel_to_cubic_spline": _rms(kernel_f - ref["cubic"]) / scale,
                "to_kernel_limit": _rms(trained_f - kernel_f) / scale,
                "kernel_distance": float(trained["kernel_distance"][i]),
                "plateau_change": status.pop("plateau_change"),
                "to_linear_at_stop": _rms(trained_f - ref["linear"]) / scale,
                "to_kernel_at_stop": _rms(trained_f - kernel_f) / scale,
                "implicit_steps": int(trained["implicit_steps"][i]) if "implicit_steps" in trained else 0,
                **status,
            }
        )
    return blank_failed(pd.DataFrame(rows), UNIVARIATE_METRICS)


def univariate_curves(
    cell: dict,
    data_by_seed: dict[int, dict],
    trained: dict,
    plateau_tol: float = 0.02,
    plateau_loss: float = 1.0e-4,
) -> pd.DataFrame:
    """The functions themselves, long form: one row per (seed, grid point), with the splines, the
    kernel-regime limit and the data points (``is_data``) for the figure; ``converged`` as in
    :func:`analyse_univariate_cell` (a run short of it keeps its function, drawn as such); a diverged
    run's trained function is NaN."""
    frames = []
    for i, seed in enumerate(trained["seeds"].tolist()):
        data = data_by_seed[seed]
        status = _univariate_status(trained, i, _rms(data["y"]), plateau_tol, plateau_loss)
        grid = data["X_test"][:, 0]
        ref = spline_references(data["X"][:, 0], data["y"], grid)
        frames.append(
            pd.DataFrame(
                {
                    **cell,
                    "seed": seed,
                    "x": grid,
                    "trained": np.nan if status["diverged"] else trained["prediction"][i],
                    "kernel_limit": trained["kernel_prediction"][i],
                    "linear_spline": ref["linear"],
                    "cubic_spline": ref["cubic"],
                    "converged": status["converged"],
                    "is_data": False,
                }
            )
        )
        frames.append(
            pd.DataFrame(
                {
                    **cell,
                    "seed": seed,
                    "x": data["X"][:, 0],
                    "trained": data["y"],
                    "converged": True,
                    "is_data": True,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


GAUSS_NEWTON_METRICS = (
    "il_train_loss",
    "il_train_acc",
    "il_test_acc",
    "gn_train_loss",
    "gn_train_acc",
    "gn_test_acc",
    "cosine_mean",
    "cosine_min",
    "accuracy_gap",
    "matched_loss",
    "il_matched_test_acc",
    "gn_matched_test_acc",
    "matched_gap",
)


def _first_at(loss: np.ndarray, level: float) -> int:
    """The first round whose training loss is at or below ``level`` (it exists: ``level`` is reached)."""
    return int(np.flatnonzero(loss <= level * (1 + 1e-12))[0])


def gauss_newton_tables(
    cell: dict, trained: dict, dataset: str, architecture: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per seed: both methods after the last round (``il_`` iterative linearisation, ``gn_`` damped
    Gauss-Newton), the damping ``mu = 1 / (eta K)``, the cosine of their steps over the rounds (mean and
    smallest) and ``accuracy_gap = |il_test_acc - gn_test_acc|`` after the last round; and, since after
    a fixed number of rounds the method that trains slower is merely less trained, both compared at
    matched training loss: ``matched_loss``, the level both reach (the larger of their best losses over the
    rounds), ``il_matched_test_acc`` and ``gn_matched_test_acc`` each method's test accuracy at the first
    round it reaches that level, ``matched_gap`` their absolute difference.  And the rounds, one row
    each."""
    final, rounds = [], []
    for i, seed in enumerate(trained["seeds"].tolist()):
        base = {**cell, "dataset": dataset, "architecture": architecture, "seed": seed}
        cos = trained["cosine"][i, 1:]
        row = {**base, "rounds": int(len(cos)), "lr": float(trained["lr"][i]), "mu": float(trained["mu"][i])}
        for key in (
            "il_train_loss",
            "il_train_acc",
            "il_test_acc",
            "gn_train_loss",
            "gn_train_acc",
            "gn_test_acc",
        ):
            row[key] = float(trained[key][i, -1])
        row.update(
            cosine_mean=float(np.mean(cos)),
            cosine_min=float(np.min(cos)),
            accuracy_gap=abs(row["il_test_acc"] - row["gn_test_acc"]),
        )
        il_loss, gn_loss = trained["il_train_loss"][i], trained["gn_train_loss"][i]
        level = max(np.nanmin(il_loss), np.nanmin(gn_loss)) if np.isfinite(il_loss).any() else np.nan
        if np.isfinite(level) and np.isfinite(gn_loss).any():
            il_acc = float(trained["il_test_acc"][i, _first_at(il_loss, level)])
            gn_acc = float(trained["gn_test_acc"][i, _first_at(gn_loss, level)])
        else:
            level, il_acc, gn_acc = np.nan, np.nan, np.nan
        row.update(
            matched_loss=float(level),
            il_matched_test_acc=il_acc,
            gn_matched_test_acc=gn_acc,
            matched_gap=abs(il_acc - gn_acc),
        )
        diverged = bool(trained["diverged"][i])
        final.append({**row, "diverged": diverged, "converged": not diverged})
        for r in range(trained["cosine"].shape[1]):
            rounds.append(
                {
                    **base,
                    "round": r,
                    "mu": row["mu"],
                    **{
                        k: float(trained[k][i, r])
                        for k in ("cosine", "il_train_loss", "il_test_acc", "gn_train_loss", "gn_test_acc")
                    },
                }
            )
    return blank_failed(pd.DataFrame(final), GAUSS_NEWTON_METRICS), pd.DataFrame(rounds)


def matched_loss(summary: pd.DataFrame, history: pd.DataFrame, metric: str = "train_loss") -> pd.DataFrame:
    """Every K compared at one level of training loss (``metric="train_loss"``) or training accuracy
    (``"train_acc"``) instead of one step count.  Per data set and architecture the level is what the
    fixed kernel (K = inf) reaches at T, its median final ``metric``; without a K = inf row, the worst of
    the K values' medians among those that end better than at initialisation.  Each run is read at its
    first record at or beyond the level (``step``, ``test_acc``; NaN where a run never gets there).
    One row per (data set, architecture, K, seed)."""
    lower = metric.endswith("loss")
    rows = []
    for (dataset, arch), final in summary.groupby(["dataset", "architecture"]):
        runs = history[(history["dataset"] == dataset) & (history["architecture"] == arch)]
        initial = float(runs.loc[runs["step"] == 0, metric].median())
        medians = final.groupby("K")[metric].median()
        if "inf" in medians.index:
            level = float(medians["inf"])
        else:
            medians = medians[medians < initial] if lower else medians[medians > initial]
            level = float(medians.max() if lower else medians.min()) if len(medians) else np.nan
        for K, seed in final.groupby(["K", "seed"]).groups:
            curve = runs[(runs["K"] == K) & (runs["seed"] == seed)].sort_values("step")
            beyond = curve[curve[metric] <= level] if lower else curve[curve[metric] >= level]
            first = beyond.iloc[0] if len(beyond) else None
            rows.append(
                {
                    "dataset": dataset,
                    "architecture": arch,
                    "K": K,
                    "seed": seed,
                    "metric": metric,
                    "level": level,
                    "step": float(first["step"]) if first is not None else np.nan,
                    "test_acc": float(first["test_acc"]) if first is not None else np.nan,
                }
            )
    return pd.DataFrame(rows)
