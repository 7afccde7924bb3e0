"""Result files: atomic writes, batch files, tables whose K reads back as written."""
import numpy as np
import pandas as pd
import pytest

from regimes.pipeline.io import load_npz, read_table, save_npz, write_csv


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


def test_batch_file_round_trip(tmp_path):
    from regimes.pipeline.io import load_cells, save_cells

    cells = {"alpha~0.1_depth~2_width~1_K~1": {"beta": np.arange(3.0), "seeds": np.array([0])}, "alpha~1_depth~2_width~1_K~1": {"beta": np.ones(3), "seeds": np.array([0])}}
    save_cells(tmp_path / "b.npz", cells, provenance=np.asarray("{}"))
    back = load_cells(tmp_path / "b.npz")
    assert set(back) == set(cells)
    np.testing.assert_array_equal(back["alpha~0.1_depth~2_width~1_K~1"]["beta"], np.arange(3.0))


def test_K_reads_back_in_its_one_spelling(tmp_path):
    """A K column of integers and "inf" reads back as the text it was written as, never as floats."""
    path = tmp_path / "t.csv"
    write_csv(path, pd.DataFrame({"K": [1, 10, "inf"], "x": [0.5, 1.5, 2.5]}))
    assert pd.read_csv(path)["K"].tolist()[-1] == np.inf  # what plain pandas would make of it
    table = read_table(path)
    assert table["K"].tolist() == ["1", "10", "inf"]
    assert table["x"].dtype == float
