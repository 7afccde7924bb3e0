"""``regimes.pipeline.compare`` (tools/compare_runs.py): two runs of one config compare equal whatever
their provenance; a changed number, row or table in any of them is found and named."""

import shutil

import numpy as np
import pandas as pd
import pytest

from regimes.pipeline.compare import compare_runs, compare_tables, main


def _summary(seed_offset=0.0, trained_at="2026-01-01T00:00:00+00:00", commit="a" * 40):
    rows = [
        {"experiment": "sparse", "alpha": alpha, "depth": 2, "width": 1, "K": K, "seed": seed,
         "test_error": 0.1 * alpha + seed + seed_offset, "converged": True, "l1": np.nan,
         "git_commit": commit, "trained_at": trained_at}
        for alpha in (0.01, 1.0) for K in (1, "inf") for seed in (0, 1)
    ]  # fmt: skip
    return pd.DataFrame(rows)


def _claims(measured=1.04, created="2026-01-01T00:00:00+00:00"):
    return pd.DataFrame(
        {"claim": ["l1 within 5%", "l2 within 1%"], "experiment": ["sparse", "sparse"],
         "measured": [measured, 1e-5], "passed": ["pass", "pass"], "note": ["", "a run failed"],
         "created": [created] * 2}
    )  # fmt: skip


def _run(folder, summary, claims=None):
    (folder / "results" / "sparse").mkdir(parents=True)
    summary.to_csv(folder / "results" / "sparse" / "summary.csv", index=False)
    if claims is not None:
        claims.to_csv(folder / "results" / "claims.csv", index=False)
    return folder


def test_two_runs_of_one_config_compare_equal(tmp_path, capsys):
    """Would catch: provenance (commit, time stamps) counted as a difference; rows in another order, or K
    written ``1.0`` against ``1``, read as different; an empty text cell (a claim's note, read back as
    missing) against an empty one read as different; a claims table missing on both sides reported."""
    a = _run(tmp_path / "a", _summary(), _claims())
    later = _summary(trained_at="2026-06-01T12:00:00+00:00", commit="b" * 40).sample(frac=1, random_state=0)
    later["K"] = later["K"].map(lambda K: "inf" if K == "inf" else f"{K}.0")
    b = _run(tmp_path / "b", later, _claims(created="2026-06-01T12:00:00+00:00"))
    assert main([str(a), str(b)]) == 0
    assert "DIFFERENT" not in capsys.readouterr().out
    (a / "results" / "claims.csv").unlink(), (b / "results" / "claims.csv").unlink()
    assert compare_runs(a, b) == {"results/sparse/summary.csv": []}


@pytest.mark.parametrize("relative", [1e-9, 1e-3])
def test_a_changed_number_is_found_and_named(tmp_path, capsys, relative):
    a = _run(tmp_path / "a", _summary(), _claims())
    changed = _summary()
    changed.loc[5, "test_error"] *= 1 + relative
    b = _run(tmp_path / "b", changed, _claims())
    assert main([str(a), str(b)]) == 1
    out = capsys.readouterr().out
    assert "results/sparse/summary.csv: DIFFERENT" in out
    assert "column 'test_error': 1 of 8 rows differ" in out and "alpha=1, depth=2" in out
    assert "results/claims.csv: equal" in out
    assert compare_tables(_summary(), changed, rtol=10 * relative) == []  # within a looser tolerance


def test_changed_claims_rows_and_missing_tables_are_found(tmp_path):
    a = _run(tmp_path / "a", _summary(), _claims())
    b = _run(tmp_path / "b", _summary().iloc[:-1], _claims(measured=1.06))
    report = compare_runs(a, b)
    assert report["results/sparse/summary.csv"] == ["8 rows against 7"]
    assert "column 'measured'" in report["results/claims.csv"][0]
    assert "experiment=sparse, claim=l1 within 5%" in report["results/claims.csv"][0]
    shutil.rmtree(b / "results" / "sparse")
    assert compare_runs(a, b)["results/sparse/summary.csv"] == [f"missing in {b}"]


def test_a_nan_against_a_number_and_a_new_column_differ():
    other = _summary()
    other.loc[0, "l1"] = 1.0
    assert "column 'l1'" in compare_tables(_summary(), other)[0]
    noted = _claims()
    noted.loc[0, "note"] = "a run failed"
    assert "column 'note'" in compare_tables(_claims(), noted)[0]  # an empty note against a note
    assert compare_tables(_summary(), _summary().assign(extra=1.0)) == ["columns on one side only: ['extra']"]


def test_claims_whose_verdict_moved_between_two_runs_are_listed(tmp_path, capsys):
    """Would catch a verdict compared as text with its formatting, a claim matched across experiments, a
    'not run' row counted as a verdict, or a moved verdict left unsaid."""
    from regimes.pipeline.compare import verdicts

    def claims(passed, low):
        return pd.DataFrame(
            {"claim": ["near its threshold", "far from it", "unchecked"],
             "experiment": ["nonlinear", "sparse", ""], "passed": [passed, "pass", "not run"],
             "low": [low, 0.5, np.nan], "high": [low + 0.2, 0.6, np.nan], "threshold": [1.0, 1.0, np.nan],
             "margin": [(1.0 - low - 0.2) / 0.2, 2.0, np.nan]}
        )  # fmt: skip

    a = _run(tmp_path / "a", _summary(), claims("pass", 0.79))
    b = _run(tmp_path / "b", _summary(), claims("FAIL", 0.81))
    moved = verdicts(a, b)
    assert moved["claim"].tolist() == ["near its threshold"]
    assert moved.loc[0, ["passed_a", "passed_b"]].tolist() == ["pass", "FAIL"]
    assert moved.loc[0, "high_b"] == pytest.approx(1.01) and moved.loc[0, "threshold"] == 1.0
    assert main([str(a), str(b)]) == 1
    assert "1 claims with a different verdict" in capsys.readouterr().out
    assert verdicts(a, a).empty and verdicts(a, tmp_path / "nowhere").empty


def test_the_machines_page_lists_moved_and_close_verdicts_and_leaves_checks_out(tmp_path):
    """tools/machine_verdicts.py.  Would catch: a moved verdict left off the page, a close claim (on
    either run) left out of its table, a check of the code counted among the claims, a claim matched
    across experiments, or the tables' equality misread."""
    import importlib.util
    from pathlib import Path

    tools = Path(__file__).resolve().parents[2] / "tools"
    spec = importlib.util.spec_from_file_location("machine_verdicts", tools / "machine_verdicts.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)

    def claims(low_near, low_close):
        return pd.DataFrame(
            {"claim": ["near its threshold", "close on one side", "far from it", "an identity"],
             "experiment": ["nonlinear", "sparse", "sparse", "sparse"],
             "kind": ["paper", "hypothesis", "paper", "check"],
             "measured": [low_near + 0.1, low_close + 0.1, 0.55, 0.0],
             "low": [low_near, low_close, 0.5, 0.0], "high": [low_near + 0.2, low_close + 0.2, 0.6, 0.0],
             "side": [">="] * 3 + ["<="], "threshold": [0.8, 0.2, 0.2, 1e-9], "seeds": [5] * 4,
             "passed": ["pass" if low_near >= 0.8 else "FAIL", "pass", "pass", "pass"],
             "margin": [(low_near - 0.8) / 0.2, (low_close - 0.2) / 0.2, 1.5, 10.0], "note": [""] * 4}
        )  # fmt: skip

    a = _run(tmp_path / "a", _summary(), claims(0.81, 0.5))
    b = _run(tmp_path / "b", _summary(seed_offset=1e-3), claims(0.79, 0.25))
    text = tool.page(a, b, "this machine", "another")
    assert "Verdicts that differ: 1." in text
    assert "Tables equal to rtol 1e-09: 0 of 2" in text  # the summary differs, and so do the claims
    moved = text.split("## Claims whose verdict differs")[1].split("## Claims close")[0]
    close = text.split("## Claims close on either machine")[1]
    assert "near its threshold" in moved and "close on one side" not in moved
    assert "near its threshold" in close and "close on one side" in close and "far from it" not in close
    assert "an identity" not in text
    assert "A 3 of 3 pass, 1 close; B 2 of 3 pass, 2 close" in text
