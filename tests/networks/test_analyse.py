"""The network family's per-cell analysis against quantities computed directly."""

import numpy as np
import pytest

from regimes.networks.analyse import (
    analyse_teacher_cell,
    analyse_univariate_cell,
    network_tables,
    univariate_curves,
)
from regimes.networks.data import circle_teacher, univariate_points
from regimes.networks.exact import spline_references

KEYS = (
    "train_loss",
    "train_acc",
    "test_loss",
    "test_acc",
    "kernel_distance",
    "anchor_distance",
    "weight_change",
    "feature_updates",
)


def _network_run():
    """Two seeds recorded at steps 0, 10, 20; seed 1 diverged after its second record (NaN-padded)."""
    trained = {
        "seeds": np.array([0, 1]),
        "step": np.array([0, 10, 20]),
        "diverged": np.array([False, True]),
        "seconds": np.array([1.0, 2.0]),
        "lr": np.array([0.1, 0.1]),
    }
    for j, key in enumerate(KEYS):
        table = np.array([[0.1, 0.2, 0.3], [0.4, 0.5, np.nan]]) + j
        trained[key] = table
    trained["test_acc"] = np.array([[0.1, 0.5, 0.9], [0.1, 0.3, np.nan]])
    return trained


def test_network_tables_keep_the_last_valid_record_of_each_seed():
    final, history = network_tables(
        {"alpha": 1.0, "depth": 2, "width": 8, "K": "5"}, _network_run(), "digits", "mlp", T=20
    )
    assert len(history) == 3 + 2 and set(history["step"]) == {0, 10, 20}
    ok, bad = final.iloc[0], final.iloc[1]
    assert (
        ok["steps"] == 20
        and ok["test_acc"] == 0.9
        and ok["test_error"] == pytest.approx(0.1)
        and ok["converged"]
        and not ok["diverged"]
    )
    # The diverged seed: where it stopped, and no number (its history keeps what it did before).
    assert bad["steps"] == 10 and bad["diverged"] and not bad["converged"]
    assert all(
        np.isnan(bad[k]) for k in ("test_acc", "test_error", "train_loss", "kernel_distance", "weight_change")
    )
    assert history[(history["seed"] == 1) & (history["step"] == 10)]["test_acc"].item() == 0.3
    assert set(final["T"]) == {20} and ok["updates_per_run"] == 4.0
    final_inf, _ = network_tables(
        {"alpha": 1.0, "depth": 2, "width": 8, "K": "inf"}, _network_run(), "digits", "mlp", T=20
    )
    assert set(final_inf["updates_per_run"]) == {0.0}


def _status(runs):
    return {
        "train_loss": np.zeros(runs),
        "converged": np.ones(runs, bool),
        "diverged": np.zeros(runs, bool),
        "steps": np.full(runs, 5),
        "kernel_distance": np.full(runs, 0.25),
    }


def _teacher_run(data, shifts, moved, converged):
    """Seeds whose test predictions are the labels plus ``shifts[i]`` (a ramp times it), moved by
    ``moved[i]`` (rms) over the second half of training, with the zero function as initialisation and the
    labels as the kernel limit."""
    ramp = np.linspace(-1.0, 1.0, len(data["y_test"]))
    ramp = ramp / np.sqrt(np.mean(ramp**2))
    runs = len(shifts)
    final = np.stack([data["y_test"] + s * ramp for s in shifts])
    return {
        "seeds": np.arange(runs),
        "test_prediction": final,
        "halfway_prediction": np.stack([f - m * ramp for f, m in zip(final, moved)]),
        "initial_prediction": np.zeros_like(final),
        "kernel_prediction": np.stack([data["y_test"]] * runs),
        "jacobian_distance": np.full(runs, 0.5),
        "capped": np.zeros(runs, bool),
        **dict(_status(runs), converged=np.asarray(converged)),
    }


def test_teacher_cell_rmse_references_and_plateau():
    data = circle_teacher(10, 50, 3, seed=0)
    trained = _teacher_run(
        data, shifts=[0.1, 0.1, 0.1], moved=[0.0, 0.004, 0.02], converged=[True, False, False]
    )
    table = analyse_teacher_cell(
        {"alpha": 2.0, "depth": 3, "width": 30, "K": "1"},
        {i: dict(data, seed=i) for i in range(3)},
        trained,
        plateau_tol=0.05,
    )
    first = table.iloc[0]
    assert (
        first["test_rmse"] == pytest.approx(0.1)
        and first["test_loss"] == pytest.approx(0.01)
        and first["alpha_D"] == 8.0
    )
    assert (
        first["zero_rmse"] == pytest.approx(1.0)
        and first["initial_rmse"] == pytest.approx(1.0)
        and first["kernel_rmse"] == 0.0
    )
    assert (
        first["reached_loss"]
        and first["converged"]
        and first["jacobian_distance"] == 0.5
        and first["steps"] == 5
    )
    # Short of the loss: on its plateau when its predictions moved by at most 5 % of its RMSE (0.4 %
    # of 0.1 is 4 %: counts; 20 % does not, and its metrics are blank, its last values kept).
    on, off = table.iloc[1], table.iloc[2]
    assert not on["reached_loss"] and on["converged"] and on["plateau_change"] == pytest.approx(0.04)
    assert not off["converged"] and np.isnan(off["test_rmse"]) and np.isnan(off["jacobian_distance"])
    assert off["rmse_at_stop"] == pytest.approx(0.1) and off["jacobian_distance_at_stop"] == 0.5


def test_failed_teacher_and_univariate_runs_carry_no_number():
    data = circle_teacher(10, 50, 3, seed=0)
    trained = dict(
        _teacher_run(data, shifts=[0.0, 0.0], moved=[0.0, 0.0], converged=[True, False]),
        diverged=np.array([False, True]),
    )
    table = analyse_teacher_cell(
        {"alpha": 2.0, "depth": 3, "width": 30, "K": "1"}, {0: data, 1: data}, trained
    )
    assert (
        table["test_loss"].tolist()[0] == 0.0
        and np.isnan(table["test_loss"].tolist()[1])
        and np.isnan(table["kernel_distance"].tolist()[1])
    )
    assert not table["converged"].tolist()[1]
    points = univariate_points(6, seed=0)
    ref = spline_references(points["X"][:, 0], points["y"], points["X_test"][:, 0])
    trained = {
        "seeds": np.array([0]),
        "prediction": ref["linear"][None],
        "kernel_prediction": ref["cubic"][None],
        **dict(_status(1), diverged=np.array([True])),
    }
    row = analyse_univariate_cell(
        {"alpha": 0.1, "depth": 2, "width": 100, "K": "1"}, {0: points}, trained
    ).iloc[0]
    assert (
        np.isnan(row["to_linear_spline"]) and row["kernel_to_cubic_spline"] == 0.0
    )  # the exact kernel limit stays
    curves = univariate_curves({"alpha": 0.1}, {0: points}, trained)
    assert curves.loc[~curves["is_data"], "trained"].isna().all()


def test_univariate_cell_distances_to_the_splines():
    data = univariate_points(6, seed=0)
    ref = spline_references(data["X"][:, 0], data["y"], data["X_test"][:, 0])
    trained = {
        "seeds": np.array([0]),
        "prediction": ref["linear"][None],
        "kernel_prediction": ref["cubic"][None],
        **_status(1),
    }
    row = analyse_univariate_cell(
        {"alpha": 0.1, "depth": 2, "width": 100, "K": "1"}, {0: data}, trained
    ).iloc[0]
    gap = np.sqrt(np.mean((ref["linear"] - ref["cubic"]) ** 2)) / np.sqrt(np.mean(data["y"] ** 2))
    assert row["to_linear_spline"] == 0.0 and row["kernel_to_cubic_spline"] == 0.0
    assert (
        row["to_cubic_spline"] == pytest.approx(gap)
        and row["kernel_to_linear_spline"] == pytest.approx(gap)
        and gap > 0.01
    )
    curves = univariate_curves({"alpha": 0.1}, {0: data}, trained)
    assert curves["is_data"].sum() == 6 and (~curves["is_data"]).sum() == len(data["X_test"])


def test_matched_loss_reads_each_run_where_it_first_reaches_the_common_level():
    import pandas as pd

    from regimes.networks.analyse import matched_loss

    history = pd.DataFrame(
        [
            dict(dataset="d", architecture="a", K=K, seed=0, step=step, train_loss=loss, test_acc=acc)
            for K, curve in (
                ("1", [(0, 2.0, 0.1), (10, 0.5, 0.8), (20, 0.1, 0.85)]),
                ("inf", [(0, 2.0, 0.1), (10, 1.0, 0.6), (20, 0.6, 0.7)]),
            )
            for step, loss, acc in curve
        ]
    )
    broken = [
        dict(dataset="d", architecture="a", K="1500", seed=0, step=step, train_loss=loss, test_acc=0.1)
        for step, loss in ((0, 2.0), (10, 0.9), (20, 50.0))
    ]
    history = pd.concat([history, pd.DataFrame(broken)], ignore_index=True)
    summary = pd.DataFrame(
        [
            dict(dataset="d", architecture="a", K=K, seed=0, train_loss=loss)
            for K, loss in (("1", 0.1), ("inf", 0.6), ("1500", 50.0))
        ]
    )
    table = matched_loss(summary, history).set_index("K")
    assert (table["level"] == 0.6).all()  # what K = inf reaches
    no_inf = matched_loss(summary[summary["K"] != "inf"], history[history["K"] != "inf"]).set_index("K")
    assert (no_inf["level"] == 0.1).all()  # K = 1500 ends above the initial loss: not the level
    assert np.isnan(table.loc["1500", "step"])
    assert table.loc["1", "step"] == 10 and table.loc["1", "test_acc"] == 0.8  # K = 1 passes 0.6 at step 10
    assert table.loc["inf", "step"] == 20 and table.loc["inf", "test_acc"] == 0.7


def test_matched_accuracy_reads_each_run_where_it_first_reaches_the_level_every_K_reaches():
    import pandas as pd

    from regimes.networks.analyse import matched_loss

    curves = {
        "1": [(0, 0.1, 0.1), (10, 0.9, 0.8), (20, 1.0, 0.85)],
        "inf": [(0, 0.1, 0.1), (10, 0.6, 0.5), (20, 0.8, 0.7)],
    }
    history = pd.DataFrame(
        [
            dict(dataset="d", architecture="a", K=K, seed=0, step=st, train_acc=tr, test_acc=te)
            for K, c in curves.items()
            for st, tr, te in c
        ]
    )
    summary = pd.DataFrame(
        [
            dict(dataset="d", architecture="a", K="1", seed=0, train_acc=1.0),
            dict(dataset="d", architecture="a", K="inf", seed=0, train_acc=0.8),
        ]
    )
    table = matched_loss(summary, history, "train_acc").set_index("K")
    assert (table["level"] == 0.8).all()
    assert table.loc["1", "step"] == 10 and table.loc["inf", "step"] == 20


def test_univariate_runs_count_at_their_tolerance_or_on_a_plateau_that_fits_the_data():
    """Short of the tolerance, a run counts when its function stopped moving and its loss is small;
    a run resting at a saddle (still, but far from the data) does not."""
    data = univariate_points(9, seed=0, points="plateau")
    ref = spline_references(data["X"][:, 0], data["y"], data["X_test"][:, 0])
    start = 0.5 * np.mean(data["y"] ** 2)
    runs = {  # (loss / initial, moved over the second half, rms, over rms y)
        "reached": (1e-9, 0.0, True),
        "plateau": (1e-6, 0.001, False),
        "moving": (1e-6, 0.1, False),
        "saddle": (0.1, 0.0, False),
    }
    scale = np.sqrt(np.mean(data["y"] ** 2))
    trained = {
        "seeds": np.arange(4),
        "balance": np.full(4, 0.5),
        "prediction": np.stack([ref["linear"]] * 4),
        "halfway_prediction": np.stack([ref["linear"] - moved * scale for _, moved, _ in runs.values()]),
        "kernel_prediction": np.stack([ref["cubic"]] * 4),
        "train_loss": np.array([loss * start for loss, _, _ in runs.values()]),
        "converged": np.array([reached for *_, reached in runs.values()]),
        "diverged": np.zeros(4, bool),
        "steps": np.full(4, 100),
        "kernel_distance": np.zeros(4),
    }
    table = analyse_univariate_cell(
        {"alpha": 0.1, "depth": 2, "width": 100, "K": "1"},
        {s: data for s in range(4)},
        trained,
        plateau_tol=0.02,
        plateau_loss=1e-4,
    )
    assert table["converged"].tolist() == [True, True, False, False]
    assert table["reached_loss"].tolist() == [True, False, False, False]
    assert table["plateau_change"].to_numpy() == pytest.approx([0.0, 0.001, 0.1, 0.0])
    assert table["balance"].tolist() == [0.5] * 4
    assert table["to_linear_spline"].isna().tolist() == [
        False,
        False,
        True,
        True,
    ]  # blank where the run did not count
    assert (table["to_linear_at_stop"] == 0.0).all()  # kept for every run
    curves = univariate_curves({"alpha": 0.1}, {s: data for s in range(4)}, trained)
    assert curves.groupby("seed")["converged"].all().tolist() == [True, True, False, False]
    assert curves.loc[~curves["is_data"], "trained"].notna().all()  # short runs keep their function, marked


def test_gauss_newton_methods_are_compared_at_the_training_loss_both_reach():
    """The comparison at matched training loss reads each method at the first round it reaches the level
    both reach, not after the same number of rounds.  Catches the level taken as the smaller loss (one
    method never reaches it: NaN) or the accuracies read at the last round."""
    from regimes.networks.analyse import gauss_newton_tables

    trained = {
        "seeds": np.array([0]),
        "lr": np.array([0.1]),
        "mu": np.array([10.0]),
        "diverged": np.array([False]),
        "cosine": np.array([[np.nan, 0.99, 0.98, 0.97]]),
        # iterative linearisation trains slower: it reaches 0.5 only at round 3
        "il_train_loss": np.array([[2.0, 1.0, 0.7, 0.5]]),
        "il_train_acc": np.array([[0.1, 0.5, 0.6, 0.7]]),
        "il_test_acc": np.array([[0.1, 0.40, 0.50, 0.60]]),
        "gn_train_loss": np.array([[2.0, 0.5, 0.2, 0.1]]),
        "gn_train_acc": np.array([[0.1, 0.7, 0.8, 0.9]]),
        "gn_test_acc": np.array([[0.1, 0.58, 0.70, 0.80]]),
    }
    final, _ = gauss_newton_tables(
        {"alpha": 1.0, "depth": 2, "width": 4, "K": "10"}, trained, "digits", "mlp"
    )
    row = final.iloc[0]
    assert row["matched_loss"] == 0.5
    assert row["il_matched_test_acc"] == 0.60 and row["gn_matched_test_acc"] == 0.58
    assert row["matched_gap"] == pytest.approx(0.02)
    assert row["accuracy_gap"] == pytest.approx(0.20)  # after the last round: a difference of training
