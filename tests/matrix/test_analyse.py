"""The matrix family's per-cell analysis against quantities computed directly."""

import numpy as np
import pandas as pd
import pytest

from regimes.matrix.analyse import analyse_matrix_cell, matrix_references
from regimes.matrix.problems import completion_problem, nuclear_norm


def test_references_bracket_the_target():
    p = completion_problem(6, 1, 24, seed=0)
    ref = matrix_references(p)
    assert ref["min_nuclear_norm"] <= nuclear_norm(p["target"]) * (1 + 1e-6)
    assert ref["min_nuclear_gap"] <= 1e-6
    assert ref["min_frobenius_error"] > 0.1  # the Frobenius end fills the unobserved entries with zeros


def test_a_recovered_target_has_no_error_and_moved_its_unobserved_entries_all_the_way():
    p = completion_problem(6, 1, 24, seed=0)
    refs = pd.DataFrame([matrix_references(p)])
    status = {
        "train_loss": np.zeros(2),
        "converged": np.ones(2, bool),
        "diverged": np.zeros(2, bool),
        "steps": np.full(2, 3),
        "flow_time": np.ones(2),
    }
    M0 = np.zeros((6, 6))
    halfway = p["target"].copy()
    halfway[~p["mask"]] *= 0.5
    trained = {
        "seeds": np.array([0, 0]),
        "M": np.stack([p["target"], halfway]),
        "M0": np.stack([M0, M0]),
        **status,
    }
    table = analyse_matrix_cell(
        {"alpha": 0.1, "depth": 2, "width": 10, "K": "1"}, "completion", {0: p}, trained, refs
    )
    exact, half = table.iloc[0], table.iloc[1]
    assert exact["test_error"] == pytest.approx(0.0, abs=1e-15) and exact[
        "unobserved_change"
    ] == pytest.approx(1.0)
    assert exact["excess_nuclear"] == pytest.approx(
        nuclear_norm(p["target"]) / refs["min_nuclear_norm"][0] - 1
    )
    assert exact["effective_rank"] == pytest.approx(1.0)  # rank one: nuclear norm / top singular value
    assert half["unobserved_change"] == pytest.approx(0.5)
    assert exact["alpha2_width"] == pytest.approx(0.1)
