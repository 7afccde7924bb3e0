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

    cells = {
        "alpha~0.1_depth~2_width~1_K~1": {"beta": np.arange(3.0), "seeds": np.array([0])},
        "alpha~1_depth~2_width~1_K~1": {"beta": np.ones(3), "seeds": np.array([0])},
    }
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


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_results_are_written_with_the_users_umask(tmp_path, umask, mode):
    import os

    old = os.umask(umask)
    try:
        write_csv(tmp_path / "t.csv", pd.DataFrame({"x": [1]}))
        save_npz(tmp_path / "a.npz", a=np.zeros(2))
    finally:
        os.umask(old)
    for name in ("t.csv", "a.npz"):
        assert (tmp_path / name).stat().st_mode & 0o777 == mode


def test_a_killed_jobs_temporary_file_goes_when_the_target_is_written(tmp_path):
    stale = tmp_path / ".t.csv.abc123.part.csv"
    stale.write_text("half a table")
    other = tmp_path / ".u.csv.abc123.part.csv"  # another target's: left alone
    other.write_text("x")
    write_csv(tmp_path / "t.csv", pd.DataFrame({"x": [1]}))
    assert not stale.exists() and other.exists() and (tmp_path / "t.csv").exists()


def test_datasets_and_tables_carry_their_provenance(tmp_path):
    from regimes.pipeline.io import load_provenance, save_dataset, stamp

    save_dataset(tmp_path / "d.npz", {"X": np.ones((2, 2))}, {"seed": 3})
    record = load_provenance(tmp_path / "d.npz")
    assert record["config"] == {"seed": 3} and {"git_commit", "versions", "created"} <= set(record)
    table = stamp(pd.DataFrame({"alpha": [0.1], "experiment": ["old"]}), tmp_path / "d.npz", "sparse")
    assert list(table.columns)[-1] == "experiment" and table["trained_at"].item() == record["created"]
    assert table["git_commit"].item() == record["git_commit"]


@pytest.mark.parametrize(
    "damage, words",
    [
        (lambda text: "", "not a readable table"),  # empty
        (lambda text: text.replace("0.5", "half", 1), "hold text where numbers belong"),  # a wrong type
        (lambda text: text.replace(",inf,", ",infinity,", 1), "column K"),  # a K in another spelling
        (lambda text: text + '"unclosed,quote\n', "not a readable table"),  # bytes that do not parse
        (lambda text: text.replace(",0.2,", ",abc,"), "column 'test_error' holds 'abc' \\(line 3\\)"),
        (lambda text: text.replace("False", "maybe"), "column 'converged' holds 'maybe'.*True/False"),
        (lambda text: text[:-4], "the last row is cut short"),  # the last bytes cut
        (lambda text: text.replace(",False,sparse", ""), "line 3 has 5 fields, the header 7"),  # a row cut
    ],
)
def test_a_damaged_table_is_refused_naming_the_file(tmp_path, damage, words):
    """What the next job reads back: a table emptied, a column holding the wrong type, cut bytes; each
    refused with the file's name and what to do, not passed on to a summary or a traceback."""
    from regimes.pipeline.io import DamagedFile

    path = tmp_path / "analysis.csv"
    table = {
        "alpha": [0.5, 1.0],
        "K": ["1", "inf"],
        "seed": [0, 1],
        "x": [1.0, 2.0],
        "test_error": [0.1, 0.2],
    }
    write_csv(path, pd.DataFrame({**table, "converged": [True, False], "experiment": ["sparse", "sparse"]}))
    read_table(path)  # as written: read back
    path.write_text(damage(path.read_text()))
    with pytest.raises(DamagedFile, match=words) as error:
        read_table(path)
    assert str(path) in str(error.value) and "delete it and rerun" in str(error.value)


@pytest.mark.parametrize("cut", [0.5, 0.0])
def test_a_damaged_npz_is_refused_naming_the_file(tmp_path, cut):
    from regimes.pipeline.io import DamagedFile

    path = tmp_path / "batch.npz"
    save_npz(path, a=np.arange(1000.0), b=np.ones(3))
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * cut)])
    with pytest.raises(DamagedFile, match="not a readable .npz archive") as error:
        load_npz(path)
    assert str(path) in str(error.value)


def test_a_batch_whose_numbers_read_as_text_is_refused_among_the_others(tmp_path):
    """One batch's only row overwritten (``test_error`` = ``abc``) is a text column in its own file, which
    alone cannot tell; stacked with the other batches, whose column holds numbers, it is refused by name."""
    from regimes.pipeline.io import DamagedFile
    from regimes.results import check_types

    paths = [tmp_path / f"batch{i}.csv" for i in range(3)]
    for i, path in enumerate(paths):
        write_csv(
            path, pd.DataFrame({"alpha": [0.1 * (i + 1)], "test_error": [0.5], "experiment": ["sparse"]})
        )
    check_types({p: read_table(p) for p in paths})  # as written: accepted
    paths[1].write_text(paths[1].read_text().replace("0.5", "abc"))
    with pytest.raises(DamagedFile, match="column 'test_error' holds 'abc'") as error:
        check_types({p: read_table(p) for p in paths})
    assert str(paths[1]) in str(error.value) and "delete it and rerun" in str(error.value)


def test_a_summary_cut_short_is_refused_by_the_next_reader(tmp_path):
    """The claims read summary.csv: its last row cut is refused naming the file (it was read as a run with
    empty results, a failed run)."""
    from regimes.pipeline.io import DamagedFile

    path = tmp_path / "summary.csv"
    rows = {
        "experiment": ["sparse"] * 3,
        "alpha": [0.1, 0.2, 0.3],
        "seed": [0, 1, 2],
        "test_error": [0.5] * 3,
    }
    write_csv(path, pd.DataFrame({**rows, "git_commit": ["abc123"] * 3, "trained_at": ["2026-12-04"] * 3}))
    text = path.read_text()
    for cut in (1, 12, 30):
        path.write_text(text[:-cut])
        with pytest.raises(DamagedFile, match="summary.csv.*(cut short|fields)"):
            read_table(path)


def test_an_array_a_job_needs_and_the_file_lacks_is_refused_naming_both(tmp_path):
    """A batch file of another layout (an array renamed or left out): the job that reads it stops naming
    the file, the cell and the array, not with a bare KeyError; a batch file with no cell is refused."""
    from regimes.pipeline.io import DamagedFile, load_cells, save_cells

    path = tmp_path / "batch.npz"
    save_cells(path, {"alpha~0.1_depth~2_width~1_K~1": {"beta": np.ones(3)}}, provenance=np.asarray("{}"))
    cell = load_cells(path)["alpha~0.1_depth~2_width~1_K~1"]
    np.testing.assert_array_equal(cell["beta"], np.ones(3))
    with pytest.raises(DamagedFile, match=r"batch.npz: has no array 'seeds' for cell alpha~0.1.*\['beta'\]"):
        cell["seeds"]
    with pytest.raises(DamagedFile, match="has no array 'X'"):
        load_npz(path)["X"]
    save_npz(path, provenance=np.asarray("{}"))
    with pytest.raises(DamagedFile, match="holds no cell's arrays"):
        load_cells(path)
