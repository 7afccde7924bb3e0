"""The diagonal family's per-cell analysis against quantities computed directly."""

import numpy as np
import pandas as pd
import pytest

from regimes.diagonal.analyse import (
    alpha_max,
    analyse_diagonal_cell,
    diagonal_kernel_distance,
    references,
    sample_complexity_table,
)
from regimes.diagonal.data import population_error
from regimes.diagonal.exact import implicit_limit, min_l1_interpolant
from regimes.diagonal.potential import Q
from regimes.diagonal.tangent import tangent_kernel

from ..conftest import small_problem


def _trained(betas, w_plus, w_minus, converged=True):
    runs = len(betas)
    return {
        "seeds": np.arange(runs),
        "beta": np.stack(betas),
        "anchor_plus": np.stack(w_plus),
        "anchor_minus": np.stack(w_minus),
        "train_loss": np.zeros(runs),
        "steps": np.full(runs, 7),
        "flow_time": np.ones(runs),
        "converged": np.full(runs, converged),
        "diverged": np.zeros(runs, bool),
    }


def test_a_cell_at_its_exact_limit_has_no_gap_and_its_own_norms():
    data = {0: small_problem(seed=0), 1: small_problem(seed=1)}
    alpha, depth = 0.05, 3
    limits = [implicit_limit(data[s]["X"], data[s]["y"], alpha, depth).beta for s in (0, 1)]
    w = [np.full(60, alpha)] * 2
    refs = pd.DataFrame([references(data[s]) for s in (0, 1)])
    table = analyse_diagonal_cell(
        {"alpha": alpha, "depth": depth, "width": 1, "K": "inf"}, data, _trained(limits, w, w), refs
    )
    assert len(table) == 2 and table["seed"].tolist() == [0, 1]
    assert table["oracle_gap"].max() < 1e-12
    beta = limits[1]
    row = table.iloc[1]
    assert row["test_error"] == pytest.approx(float(np.sum((beta - data[1]["beta_star"]) ** 2)))
    assert row["l1"] == pytest.approx(np.abs(beta).sum()) and row["Q"] == pytest.approx(Q(beta, alpha, depth))
    assert row["l1_ratio"] == pytest.approx(
        np.abs(beta).sum() / np.abs(min_l1_interpolant(data[1]["X"], data[1]["y"])).sum()
    )
    assert row["kernel_distance"] == 0.0  # weights still at alpha: the initial kernel
    assert row["feature_updates"] == 0 and row["steps"] == 7 and bool(row["converged"])


def test_an_exact_limit_that_does_not_fit_the_data_is_blank_not_beta_zero():
    """alpha^D that float64 rounds to 0 (depth 200 at alpha 0.01): the dual solve cannot fit the data and
    its beta = 0 used to fill the exact limit's columns as if it were the flow's limit.  Now they are NaN,
    ``oracle_converged`` False, ``oracle_residual`` the misfit; a solvable cell keeps its numbers."""
    data = {0: small_problem(seed=0)}
    refs = pd.DataFrame([references(data[0])])
    w = [np.full(60, 0.01)]
    with pytest.warns(RuntimeWarning, match="stopped short"):
        table = analyse_diagonal_cell(
            {"alpha": 0.01, "depth": 200, "width": 1, "K": "1"}, data, _trained([np.zeros(60)], w, w), refs
        )
    row = table.iloc[0]
    assert not row["oracle_converged"] and row["oracle_residual"] > 0.5
    assert all(np.isnan(row[c]) for c in ("oracle_gap", "oracle_error", "oracle_l1", "oracle_l2"))
    assert row["l1"] == 0.0  # the run's own columns stay
    solvable = analyse_diagonal_cell(
        {"alpha": 0.05, "depth": 3, "width": 1, "K": "1"}, data, _trained([np.zeros(60)], w, w), refs
    ).iloc[0]
    assert (
        solvable["oracle_converged"] and np.isfinite(solvable["oracle_l1"]) and solvable["oracle_gap"] == 1.0
    )


def test_kernel_distance_of_the_diagonal_model_is_the_direct_one():
    data = small_problem()
    g = np.random.default_rng(0)
    w_plus, w_minus = g.uniform(0.1, 2, 60), g.uniform(0.1, 2, 60)
    theta, theta0 = tangent_kernel(data["X"], w_plus, w_minus, 3), data["X"] @ data["X"].T
    direct = 1 - np.sum(theta * theta0) / (np.linalg.norm(theta) * np.linalg.norm(theta0))
    assert diagonal_kernel_distance(data["X"], w_plus, w_minus, 3) == pytest.approx(direct, abs=1e-14)
    assert direct > 1e-3


def test_references_are_the_two_ends():
    data = small_problem()
    ref = references(data)
    l1 = min_l1_interpolant(data["X"], data["y"])
    assert ref["min_l1_norm"] == pytest.approx(np.abs(l1).sum())
    assert ref["min_l1_error"] == pytest.approx(float(population_error(l1, data["beta_star"])))
    assert ref["min_l2_norm"] == pytest.approx(np.linalg.norm(np.linalg.pinv(data["X"]) @ data["y"]))


@pytest.mark.parametrize(
    "errors,expected",
    [
        ([0.01, 0.02, 0.5, 0.9], 0.1),
        ([0.01, 0.02, 0.02, 0.02], 10.0),
        ([0.5, 0.01, 0.01, 0.9], np.nan),
        ([0.01, 0.5, 0.01, 0.01], 0.01),
    ],
)
def test_alpha_max_is_the_largest_alpha_below_the_threshold_with_every_smaller_one(errors, expected):
    order = [3, 0, 2, 1]  # the table's rows in any order: errors are given for alphas 0.01, 0.1, 1, 10
    alphas = pd.Series([0.01, 0.1, 1.0, 10.0])[order]
    result = alpha_max(pd.Series(errors)[order], alphas, 0.025)
    assert (np.isnan(result) and np.isnan(expected)) or result == expected


def test_sample_complexity_table_has_every_n_depth_alpha_and_the_threshold():
    data = small_problem(n=30)
    table = sample_complexity_table(data, [10, 20, 30], [0.01, 1.0], [2, 3], 0.05)
    assert len(table) == 3 * (1 + 2 * 2) and set(table["threshold"]) == {0.05}
    l1 = table[(table["depth"] == 0) & (table["n"] == 20)]["error"].item()
    assert l1 == pytest.approx(
        float(population_error(min_l1_interpolant(data["X"][:20], data["y"][:20]), data["beta_star"]))
    )
    exact = implicit_limit(data["X"][:10], data["y"][:10], 1.0, 3, tol=1e-8).beta
    row = table[(table["n"] == 10) & (table["depth"] == 3) & (table["alpha"] == 1.0)]
    assert row["error"].item() == pytest.approx(float(population_error(exact, data["beta_star"])))


def test_the_alpha_D_floor_drops_exactly_the_alphas_below_it_at_each_depth():
    """The paper's grids reach alpha^D = 1e-10 at every depth: at D = 2 alpha = 1e-4 (alpha^2 = 1e-8)
    stays and 1e-6 (1e-12) goes; at D = 8 only alpha >= 0.1 (1e-8) stays.  Would catch a floor on alpha
    instead of alpha^D, or one applied to every depth alike."""
    data = small_problem(n=20)
    table = sample_complexity_table(
        data, [20], [1.0e-6, 1.0e-4, 0.1, 1.0], [2, 8], 0.05, alpha_D_floor=1.0e-10
    )
    kept = {d: sorted(g["alpha"]) for d, g in table[table["depth"] > 0].groupby("depth")}
    assert kept == {2: [1.0e-4, 0.1, 1.0], 8: [0.1, 1.0]}
    with pytest.raises(ValueError, match="no alpha at depth"):
        sample_complexity_table(data, [20], [1.0e-3, 1.0e-2], [8], 0.05, alpha_D_floor=1.0e-10)
