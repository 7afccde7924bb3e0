"""Compare two runs of the workflow table by table: does a rerun reproduce the numbers?

    python -m regimes.pipeline.compare RUN_A RUN_B [--rtol 1e-12] [--atol 1e-12]

The tables are every ``results/<experiment>/summary.csv`` and ``sample_complexity.csv`` and
``results/claims.csv`` that either run has.  Rows are matched on their keys (the grid's axes, the seed,
the task, data set and architecture, the claim), grid values by their path spelling (``"1"``, ``"1.0"``
and ``1`` are one K; ``regimes.grid.read_value``); numbers are compared with ``numpy.isclose`` (NaN
equal to NaN), everything else as text.  Provenance columns (``PROVENANCE``: which commit, when, how
long) are left out, so two runs of one config compare equal.  Exits 1 when a table differs or is on one
side only, naming the table, the column and the first row that differ.  Claims whose verdict differs
between the runs (pass in one, FAIL in the other: on two machines, float rounding can move an interval
that sits near its threshold across it) are listed apart, with both intervals (``verdicts``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from ..grid import AXES, read_value

__all__ = [
    "PROVENANCE",
    "KEYS",
    "TABLES",
    "compare_tables",
    "compare_runs",
    "paired_claims",
    "verdicts",
    "main",
]

PROVENANCE = frozenset({"git_commit", "seconds", "trained_at", "created"})
KEYS = ("experiment", "claim", "task", "dataset", "architecture", *AXES, "n", "seed")
TABLES = ("results/*/summary.csv", "results/*/sample_complexity.csv", "results/claims.csv")


def _with_keys(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = table.copy()
    for key in keys:
        if key in AXES:
            out[key] = [read_value(key, v) for v in out[key]]
        else:
            out[key] = out[key].astype(str)
    return out.sort_values(keys, kind="stable").reset_index(drop=True) if keys else out


def _numeric(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)


def compare_tables(a: pd.DataFrame, b: pd.DataFrame, rtol: float = 1e-12, atol: float = 1e-12) -> list[str]:
    """What differs between two versions of one table (empty: equal).  Each problem names the column,
    how many rows differ and the first of them by its keys."""
    problems = []
    one_side = sorted((set(a.columns) ^ set(b.columns)) - PROVENANCE)
    if one_side:
        problems.append(f"columns on one side only: {one_side}")
    if len(a) != len(b):
        return [*problems, f"{len(a)} rows against {len(b)}"]
    columns = [c for c in a.columns if c in b.columns and c not in PROVENANCE]
    keys = [k for k in KEYS if k in columns]
    a, b = _with_keys(a, keys), _with_keys(b, keys)
    if keys and not a[keys].equals(b[keys]):
        first = int(np.flatnonzero((a[keys] != b[keys]).any(axis=1))[0])
        return [*problems, f"different rows: {dict(a.loc[first, keys])} against {dict(b.loc[first, keys])}"]
    for column in columns:
        if column in keys:
            continue
        x, y = a[column], b[column]
        if _numeric(x) and _numeric(y):
            same = np.isclose(x.to_numpy(float), y.to_numpy(float), rtol=rtol, atol=atol, equal_nan=True)
        else:
            # Text; a missing value (an empty note) equals a missing value.
            same = ((x.astype(str) == y.astype(str)).fillna(False) | (x.isna() & y.isna())).to_numpy(bool)
        if not same.all():
            i = int(np.flatnonzero(~same)[0])
            where = ", ".join(f"{k}={a.loc[i, k]}" for k in keys) or f"row {i}"
            problems.append(
                f"column {column!r}: {int((~same).sum())} of {len(same)} rows differ; first at {where}: "
                f"{x.iloc[i]!r} against {y.iloc[i]!r}"
            )
    return problems


def _tables(run: Path) -> set[Path]:
    return {path.relative_to(run) for pattern in TABLES for path in run.glob(pattern)}


def compare_runs(run_a, run_b, rtol: float = 1e-12, atol: float = 1e-12) -> dict[str, list[str]]:
    """Table (relative path) -> its problems, for every table either run has (empty list: equal)."""
    run_a, run_b = Path(run_a), Path(run_b)
    out = {}
    for table in sorted(_tables(run_a) | _tables(run_b)):
        missing = [str(run) for run in (run_a, run_b) if not (run / table).exists()]
        if missing:
            out[str(table)] = [f"missing in {missing[0]}"]
            continue
        out[str(table)] = compare_tables(pd.read_csv(run_a / table), pd.read_csv(run_b / table), rtol, atol)
    return out


def paired_claims(run_a, run_b) -> pd.DataFrame:
    """Every claim of either run's ``results/claims.csv``, matched on experiment and claim: its columns
    suffixed ``_a`` and ``_b`` (NaN on the side that lacks it), and ``moved``, True where the claim has a
    verdict (pass or FAIL) in both runs and they differ.  Empty where either run has no claims table."""
    paths = [Path(run) / "results" / "claims.csv" for run in (run_a, run_b)]
    if not all(path.exists() for path in paths):
        return pd.DataFrame(columns=["experiment", "claim", "moved"])
    a, b = (pd.read_csv(path, keep_default_na=False, na_values=[""]) for path in paths)
    for table in (a, b):
        table["experiment"] = table["experiment"].fillna("") if "experiment" in table else ""
        for column in ("low", "high", "margin", "threshold"):
            if column not in table:
                table[column] = np.nan
    # In run A's order (an outer merge sorts its keys), then the claims run B alone has.
    a["_row_a"], b["_row_b"] = range(len(a)), range(len(b))
    both = a.merge(b, on=["experiment", "claim"], how="outer", suffixes=("_a", "_b"))
    both = both.sort_values(["_row_a", "_row_b"], na_position="last", kind="stable")
    both = both.drop(columns=["_row_a", "_row_b"]).reset_index(drop=True)
    decided = both["passed_a"].isin({"pass", "FAIL"}) & both["passed_b"].isin({"pass", "FAIL"})
    return both.assign(moved=decided & (both["passed_a"] != both["passed_b"]))


def verdicts(run_a, run_b) -> pd.DataFrame:
    """The claims whose verdict differs between two runs (``paired_claims``): ``experiment, claim,
    passed_a, low_a, high_a, margin_a, passed_b, low_b, high_b, margin_b, threshold``; empty where both
    agree or either run has no claims table."""
    columns = ["passed", "low", "high", "margin"]
    out = ["experiment", "claim", *[f"{c}_a" for c in columns], *[f"{c}_b" for c in columns], "threshold"]
    both = paired_claims(run_a, run_b)
    if both.empty:
        return pd.DataFrame(columns=out)
    return both.loc[both["moved"]].rename(columns={"threshold_a": "threshold"})[out].reset_index(drop=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_a", type=Path, help="a run's folder (the config's outdir), holding results/")
    parser.add_argument("run_b", type=Path)
    parser.add_argument("--rtol", type=float, default=1e-12)
    parser.add_argument("--atol", type=float, default=1e-12)
    args = parser.parse_args(argv)
    for run in (args.run_a, args.run_b):
        if not (run / "results").is_dir():
            parser.error(f"{run} has no results/ folder: give the run's outdir (runs/smoke, or .)")
    report = compare_runs(args.run_a, args.run_b, args.rtol, args.atol)
    for table, problems in report.items():
        print(f"{table}: {'equal' if not problems else 'DIFFERENT'}")
        for problem in problems:
            print(f"    {problem}")
    differing = sum(bool(p) for p in report.values())
    print(f"{len(report) - differing} of {len(report)} tables equal (rtol {args.rtol:g}, atol {args.atol:g})")
    moved = verdicts(args.run_a, args.run_b)
    if len(moved):
        print(f"{len(moved)} claims with a different verdict (pass in one run, FAIL in the other):")
        for row in moved.itertuples():
            print(
                f"    [{row.experiment}] {row.claim}: {row.passed_a} [{row.low_a:.4g}, {row.high_a:.4g}] "
                f"against {row.passed_b} [{row.low_b:.4g}, {row.high_b:.4g}] (threshold {row.threshold:g})"
            )
    return 1 if differing or not report else 0


if __name__ == "__main__":
    sys.exit(main())
