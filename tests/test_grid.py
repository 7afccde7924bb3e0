import math

import numpy as np
import pytest

from regimes.grid import Cell, K_order, cell_id, cells, format_value, parse_cell_id, parse_K, run_status


@pytest.mark.parametrize(
    "value,text",
    [
        (0.1 + 0.2, "0.3"),
        (1e-4, "0.0001"),
        (1e-5, "0.00001"),
        (100.0, "100"),
        (3, "3"),
        ("inf", "inf"),
        (math.inf, "inf"),
        (2.5e-3, "0.0025"),
    ],
)
def test_format_value(value, text):
    assert format_value(value) == text


def test_cell_id_round_trip():
    for c in cells({"alpha": [1e-3, 0.5], "depth": [2, 5], "width": [1, 64], "K": [1, 10, "inf"]}):
        back = parse_cell_id(c.id)
        assert back == Cell(float(format_value(c.alpha)), c.depth, c.width, c.K)
    assert cell_id(0.1 + 0.2, 2, 1, "inf") == "alpha~0.3_depth~2_width~1_K~inf"


def test_parse_K():
    assert parse_K(1) == 1 and parse_K("inf") == math.inf and parse_K("7") == 7
    assert sorted(["inf", "10", "2", 1], key=K_order) == [1, "2", "10", "inf"]
    for bad in (0, -1, "infinity", 1.5, True):
        with pytest.raises(ValueError, match="K must be"):
            parse_K(bad)


def test_batches_cover_the_grid_once_and_name_single_cells_as_cells():
    from regimes.grid import batch_cells, batches, cells

    grid = {"alpha": [0.1, 0.05, 1.0e-3, 10.0], "depth": [2, 3], "width": [1], "K": [1, "inf"]}
    for size in (None, 1, 3, 4, 10):
        named = [c for b in batches(grid, size) for c in batch_cells(b, grid)]
        assert sorted(c.id for c in named) == sorted(c.id for c in cells(grid))
    assert batches(grid)[0] == "alpha~0.1-10_depth~2_width~1_K~1"
    assert batches(grid, 3)[:2] == ["alpha~0.1-0.001_depth~2_width~1_K~1", "alpha~10_depth~2_width~1_K~1"]
    assert [c.id for c in batch_cells("alpha~0.05_depth~3_width~1_K~inf", grid)] == [
        "alpha~0.05_depth~3_width~1_K~inf"
    ]
    for alphas, Ks in ((None, None), (3, None), (1, 1), (None, 2)):
        named = [c for b in batches(grid, alphas, Ks) for c in batch_cells(b, grid)]
        assert sorted(c.id for c in named) == sorted(c.id for c in cells(grid))
    assert batches(grid, None, None)[0] == "alpha~0.1-10_depth~2_width~1_K~1-inf"
    assert [c.id for c in batch_cells("alpha~0.05-0.001_depth~2_width~1_K~1-inf", grid)] == [
        "alpha~0.05_depth~2_width~1_K~1",
        "alpha~0.001_depth~2_width~1_K~1",
        "alpha~0.05_depth~2_width~1_K~inf",
        "alpha~0.001_depth~2_width~1_K~inf",
    ]


def test_batch_of_unknown_alphas_is_refused_by_name():
    from regimes.grid import batch_cells, batches

    grid = {"alpha": [0.1, 1.0], "depth": [2], "width": [1], "K": [1]}
    with pytest.raises(ValueError, match=r"alpha 0.3 is not in the grid's alpha values \['0.1', '1'\]"):
        batch_cells("alpha~0.3_depth~2_width~1_K~1", grid)
    with pytest.raises(ValueError, match="comes before"):
        batch_cells("alpha~1-0.1_depth~2_width~1_K~1", grid)
    with pytest.raises(ValueError, match="alphas_per_job"):
        batches(grid, 0)
    with pytest.raises(ValueError, match="K 16 is not in the grid's K values"):
        batch_cells("alpha~0.1_depth~2_width~1_K~16", grid)


def test_run_status_reads_one_run_of_a_cell():
    trained = {
        "train_loss": np.array([1e-9, np.nan]),
        "converged": np.array([True, False]),
        "diverged": np.array([False, True]),
        "steps": np.array([10, 3]),
    }
    assert run_status(trained, 1) == {
        "train_loss": pytest.approx(np.nan, nan_ok=True),
        "converged": False,
        "diverged": True,
        "steps": 3,
    }
    assert "flow_time" in run_status(dict(trained, flow_time=np.array([1.0, 2.0])), 0)


def test_alpha_per_depth_gives_each_depth_its_own_alphas():
    # Woodworth et al. fig. 6 sweeps a different alpha range at each depth: a mapping depth -> alphas.
    from regimes.grid import alphas, batch_cells, batches, cells

    grid = {"alpha": {2: [0.01, 0.1], 5: [0.5]}, "depth": [2, 5], "width": [30], "K": [1]}
    assert [(c.alpha, c.depth) for c in cells(grid)] == [(0.01, 2), (0.1, 2), (0.5, 5)]
    names = batches(grid, alphas_per_job=1)
    assert names == [
        "alpha~0.01_depth~2_width~30_K~1",
        "alpha~0.1_depth~2_width~30_K~1",
        "alpha~0.5_depth~5_width~30_K~1",
    ]
    assert [c.alpha for c in batch_cells("alpha~0.01-0.1_depth~2_width~30_K~1", grid)] == [0.01, 0.1]
    with pytest.raises(ValueError, match="not in the grid"):
        batch_cells("alpha~0.5_depth~2_width~30_K~1", grid)  # 0.5 is depth 5's, not depth 2's
    with pytest.raises(ValueError, match="depths"):
        alphas(grid, 3)
