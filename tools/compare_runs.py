"""Compare two runs of the workflow: every ``results/<experiment>/summary.csv`` and ``results/claims.csv``.

    python tools/compare_runs.py RUN_A RUN_B [--rtol 1e-12] [--atol 1e-12]

Tables are matched on their common columns (columns only one side has are listed), rows on the grid's
keys; K is compared by value (``"1"``, ``"1.0"`` and ``1`` are one K), floats with ``numpy.isclose``;
provenance columns (``git_commit``, ``seconds``) are left out.  Exits 1 when a table differs.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

IGNORED = {"git_commit", "seconds"}
KEYS = ["experiment", "task", "dataset", "architecture", "alpha", "depth", "width", "K", "seed"]


def _K(value) -> str:
    text = str(value)
    if text.lower() in ("inf", "infinity"):
        return "inf"
    number = float(text)
    return "inf" if math.isinf(number) else str(int(number))


def compare(a: pd.DataFrame, b: pd.DataFrame, rtol: float, atol: float) -> list[str]:
    problems = []
    only = sorted(set(a.columns) ^ set(b.columns))
    if only:
        print(f"    columns on one side only (not compared): {only}")
    columns = [c for c in a.columns if c in b.columns and c not in IGNORED]
    if len(a) != len(b):
        return [f"{len(a)} rows against {len(b)}"]
    if "K" in columns:
        a, b = a.assign(K=a["K"].map(_K)), b.assign(K=b["K"].map(_K))
    keys = [k for k in KEYS if k in columns]
    if keys:
        a = a.sort_values(keys, kind="stable").reset_index(drop=True)
        b = b.sort_values(keys, kind="stable").reset_index(drop=True)
    for column in columns:
        x, y = a[column], b[column]
        if pd.api.types.is_numeric_dtype(x) and pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(x):
            same = np.isclose(x.to_numpy(float), y.to_numpy(float), rtol=rtol, atol=atol, equal_nan=True)
        else:
            same = (x.astype(str) == y.astype(str)).to_numpy()
        if not same.all():
            i = int(np.flatnonzero(~same)[0])
            problems.append(f"column {column!r}: {int((~same).sum())} rows differ, first {x.iloc[i]!r} against {y.iloc[i]!r}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_a", type=Path)
    parser.add_argument("run_b", type=Path)
    parser.add_argument("--rtol", type=float, default=1e-12)
    parser.add_argument("--atol", type=float, default=1e-12)
    args = parser.parse_args(argv)
    tables = sorted({p.relative_to(args.run_a) for p in args.run_a.glob("results/*/summary.csv")} | {Path("results/claims.csv")})
    failed = False
    for table in tables:
        a_path, b_path = args.run_a / table, args.run_b / table
        if not b_path.exists():
            print(f"{table}: missing in {args.run_b}")
            failed = True
            continue
        print(f"{table}:")
        problems = compare(pd.read_csv(a_path), pd.read_csv(b_path), args.rtol, args.atol)
        for problem in problems:
            print(f"    {problem}")
        print("    equal" if not problems else "    DIFFERENT")
        failed |= bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
