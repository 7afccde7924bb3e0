"""Result tables: a failed run is never a number; a summary is exactly its grid."""

import pandas as pd
import pytest
import yaml

from regimes.pipeline.config import experiments, validate
from regimes.results import (
    IncompleteTable,
    blank_failed,
    check_complete,
    check_readable,
    expected_rows,
    failed,
)

from .conftest import SMOKE


def test_blank_failed_clears_metrics_of_failed_runs_only():
    table = pd.DataFrame(
        {
            "converged": [True, False, True],
            "diverged": [False, False, True],
            "test_error": [0.1, 0.2, 0.3],
            "min_l1_error": [0.01] * 3,
            "steps": [5, 9, 2],
        }
    )
    out = blank_failed(table, ["test_error", "not_a_column"])
    assert out["test_error"].tolist()[0] == 0.1 and out["test_error"].isna().tolist() == [False, True, True]
    assert out["min_l1_error"].tolist() == [0.01] * 3 and out["steps"].tolist() == [5, 9, 2]
    assert failed(table).tolist() == [False, True, True] and not failed(pd.DataFrame({"x": [1]})).any()


@pytest.fixture(scope="module")
def smoke():
    return validate(yaml.safe_load(SMOKE.read_text()))


def _rows(experiment):
    keys = expected_rows(experiment)
    table = keys.assign(
        alpha=keys["alpha"].astype(float),
        depth=keys["depth"].astype(int),
        seed=keys["seed"].astype(int),
        experiment="x",
        value=1.0,
    )
    return table


@pytest.mark.parametrize("name", ["sparse", "width", "linearised", "univariate"])
def test_a_complete_table_passes_and_a_missing_or_repeated_run_is_named(smoke, name):
    table = _rows(smoke[name])
    check_complete(table, smoke[name], name)
    with pytest.raises(IncompleteTable, match=r"1 run\(s\) missing: alpha~"):
        check_complete(table.iloc[1:], smoke[name], name)
    with pytest.raises(IncompleteTable, match="listed twice"):
        check_complete(pd.concat([table, table.iloc[:1]]), smoke[name], name)
    other = table.copy()
    other.loc[0, "seed"] = 99
    with pytest.raises(IncompleteTable, match=r"missing.*not in the config: .*seed~99"):
        check_complete(other, smoke[name], name)


def test_expected_rows_count_every_run(smoke):
    counts = {name: len(expected_rows(smoke[name])) for name in experiments(smoke)}
    assert (
        counts["sparse"] == 3 * 2 * 2
        and counts["linearised"] == 3 * 1 * 2
        and counts["matrix_factorisation"] == 2 * 2
    )


def test_a_truncated_analysis_file_is_refused_by_name(tmp_path):
    path = tmp_path / "alpha~0.01-1_depth~2_width~1_K~1.csv"
    pd.DataFrame(
        {
            "alpha": [0.01, 1.0],
            "depth": [2, 2],
            "width": [1, 1],
            "K": ["1", "1"],
            "seed": [0, 0],
            "test_error": [0.1, 0.2],
            "experiment": ["sparse"] * 2,
        }
    ).to_csv(path, index=False)
    check_readable(pd.read_csv(path), path)
    text = path.read_text()
    path.write_text(text[: len(text) - 14])  # cut inside the last row
    with pytest.raises(IncompleteTable, match=f"{path.name}.*cut short"):
        check_readable(pd.read_csv(path), path)


def test_the_job_profile_reads_each_jobs_start_up_and_work_from_its_log(tmp_path):
    """Job time by experiment and stage from the logs ``regimes.pipeline.job.start`` writes: start-up and
    the rest of the process apart, training apart from data and analysis, the ensembles' records inside
    training, a log without the end line timed by its first and last lines, figures as their own row.
    Would catch a stage read from the wrong folder, start-up counted twice, or a job's time lost."""
    from regimes.results_page import job_profile

    def write(path, lines):
        path = tmp_path / "logs" / path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            "".join(
                f"2026-12-04 10:00:{int(t):02d},{round(t % 1 * 1000):03d} regimes.x INFO {text}\n"
                for t, text in lines
            )
        )

    write(
        "exp/data/seed~0.log",
        [
            (0.0, "rule data"),
            (0.0, "start-up 1.50 s (...)"),
            (2.0, "finished 4.00 s after the process started"),
        ],
    )
    write(
        "exp/train/mlp/0.log",
        [
            (0.0, "rule train"),
            (0.0, "start-up 2.00 s (...)"),
            (5.0, "x records took 3.0 s of 20.0 s"),
            (9.0, "finished 22.00 s after the process started"),
        ],
    )
    write("exp/train/mlp/1.log", [(1.0, "rule train"), (11.5, "done")])  # no start-up or end line
    write(
        "exp/analysis/0.log",
        [
            (0.0, "rule analyse"),
            (0.0, "start-up 1.00 s (...)"),
            (0.0, "finished 1.25 s after the process started"),
        ],
    )
    write(
        "figures/one.log",
        [
            (0.0, "rule figure"),
            (0.0, "start-up 3.00 s (...)"),
            (0.0, "finished 8.00 s after the process started"),
        ],
    )
    table = job_profile(tmp_path).set_index("experiment")
    assert table.loc["exp", "jobs"] == 4
    assert table.loc["exp", "start-up"] == pytest.approx(4.5)
    assert table.loc["exp", "data"] == pytest.approx(2.5)
    assert table.loc["exp", "training"] == pytest.approx(20.0 + 10.5)
    assert table.loc["exp", "of which records"] == pytest.approx(3.0)
    assert table.loc["exp", "analysis"] == pytest.approx(0.25)
    assert table.loc["exp", "total"] == pytest.approx(4.5 + 2.5 + 30.5 + 0.25)
    assert table.loc["figures", "analysis"] == pytest.approx(5.0) and list(table.index) == ["exp", "figures"]


def test_a_baseline_run_sets_the_wall_and_job_times_against_this_one(tmp_path):
    """``baseline_comparison``: both commits, both wall times (first log line to last write) and their
    ratio, and the training time by experiment side by side with an `all training jobs` row.  Would
    catch the two runs swapped, a wall time read from the wrong run, or an experiment only one run has
    dropped."""
    import datetime
    import os

    from regimes.results_page import baseline_comparison

    def run(folder, commit, jobs, wall):
        root = tmp_path / folder
        (root / "results").mkdir(parents=True)
        pd.DataFrame({"git_commit": [commit], "created": ["2026-12-05T00:00:00"]}).to_csv(
            root / "results" / "claims.csv", index=False
        )
        for i, (experiment, seconds) in enumerate(jobs):
            path = root / "logs" / experiment / "train" / f"{i}.log"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("2026-12-05 10:00:00,000 regimes.x INFO rule train\n")
            bench = root / "benchmarks" / "jobs" / experiment / "train" / "mlp" / f"{i}.tsv"
            bench.parent.mkdir(parents=True, exist_ok=True)
            bench.write_text(f"s\th:m:s\n{seconds}\t0:00:00\n")
            start = datetime.datetime(2026, 12, 5, 10, 0, 0).timestamp()
            os.utime(path, (start + wall, start + wall))
        return root

    new = run("new", "aaa", [("linearised", 30.0), ("teacher", 10.0)], wall=60)
    old = run("old", "bbb", [("linearised", 50.0), ("width", 20.0)], wall=80)
    text = baseline_comparison(new, old)
    assert "| commit | aaa | bbb |" in text and "| wall time | 1 min 0 s | 1 min 20 s |" in text
    assert "0.75x the baseline's" in text
    assert "| linearised | 30 | 50 | 0.60 |" in text
    assert "| teacher | 10 |  |  |" in text and "| width |  | 20 |  |" in text
    assert "| all training jobs | 40 | 70 | 0.57 |" in text
