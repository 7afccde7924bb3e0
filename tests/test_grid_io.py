import math

import numpy as np
import pandas as pd
import pytest

from regimes.grid import Cell, cell_id, cells, format_value, parse_cell_id, parse_K
from regimes.io import load_npz, save_npz, write_csv


@pytest.mark.parametrize(
    "value,text",
    [(0.1 + 0.2, "0.3"), (1e-4, "0.0001"), (1e-5, "0.00001"), (100.0, "100"), (3, "3"), ("inf", "inf"), (math.inf, "inf"), (2.5e-3, "0.0025")],
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
    for bad in (0, -1, "infinity", 1.5, True):
        with pytest.raises(ValueError, match="K must be"):
            parse_K(bad)


def test_failed_write_leaves_no_file(tmp_path):
    target = tmp_path / "out.npz"

    class Boom:
        def __array__(self, *a, **k):
            raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        save_npz(target, a=np.zeros(3), b=Boom())
    assert list(tmp_path.iterdir()) == []
    save_npz(target, a=np.arange(3))
    assert load_npz(target)["a"].tolist() == [0, 1, 2]
    write_csv(tmp_path / "t.csv", pd.DataFrame({"x": [1]}))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.npz", "t.csv"]
