"""Do the verdicts hold on another machine?  Two runs of one commit and config, compared claim by claim.

Usage: python tools/machine_verdicts.py RUN_A RUN_B --name-a TEXT --name-b TEXT
                                        [--out docs/verdicts_across_machines.md]

Float32 training rounds differently on different processors (another instruction set, another BLAS
kernel), and the difference grows along a training run; a claim whose interval sits near its threshold can
then pass on one machine and fail on the other.  One machine can stand in for two: the same run with the
math libraries held to another instruction set (``MKL_ENABLE_INSTRUCTIONS=AVX2`` and
``ATEN_CPU_CAPABILITY=avx2`` on a machine with AVX-512) rounds as a machine without AVX-512 would.

The page it writes gives, from the two runs' tables: which tables are equal (``regimes.pipeline.compare``,
rtol 1e-9), how many claims pass and how many are close (``regimes.claims.CLOSE``: the interval within its
own width of the threshold) on each, every claim whose verdict differs, and every claim close on either.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from regimes.claims import CLOSE  # noqa: E402
from regimes.pipeline.compare import compare_runs, paired_claims  # noqa: E402

RTOL = 1e-9


def _commits(run: Path) -> list[str]:
    commits = set()
    for path in sorted((run / "results").glob("*/summary.csv")):
        table = pd.read_csv(path, usecols=lambda c: c == "git_commit")
        commits |= set(table.get("git_commit", pd.Series(dtype=str)).dropna().astype(str))
    return sorted(commits)


def _reading(row, suffix: str) -> str:
    value, low, high = (row[f"{c}_{suffix}"] for c in ("measured", "low", "high"))
    if pd.isna(value):
        return f"no number: {row[f'passed_{suffix}']}"
    return f"{value:.4g} [{low:.4g}, {high:.4g}] {row[f'passed_{suffix}']}"


def _table(rows: pd.DataFrame, name_a: str, name_b: str) -> list[str]:
    out = [
        f"| experiment | claim | threshold | {name_a} | margin | {name_b} | margin |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for _, row in rows.iterrows():
        out.append(
            f"| {row['experiment']} | {row['claim']} | {row['side']} {row['threshold']:g} | "
            f"{_reading(row, 'a')} | {row['margin_a']:.2f} | {_reading(row, 'b')} | {row['margin_b']:.2f} |"
        )
    return out


def page(run_a: Path, run_b: Path, name_a: str, name_b: str) -> str:
    report = compare_runs(run_a, run_b, rtol=RTOL, atol=RTOL)
    equal = sorted(t for t, problems in report.items() if not problems)
    differ = sorted(t for t, problems in report.items() if problems)
    paired = paired_claims(run_a, run_b)
    kind = paired["kind_a"].fillna(paired["kind_b"])
    paired = paired[kind != "check"]
    both = paired[paired["passed_a"].notna() & paired["passed_b"].notna()].copy()
    both["side"], both["threshold"] = both["side_a"], both["threshold_a"]
    moved = both[both["moved"]]
    close = both[(both["margin_a"].abs() < CLOSE) | (both["margin_b"].abs() < CLOSE)]
    commits = sorted(set(_commits(run_a)) | set(_commits(run_b)))

    def count(suffix: str) -> str:
        run = paired[paired[f"passed_{suffix}"].notna()]
        n_pass = int((run[f"passed_{suffix}"] == "pass").sum())
        n_close = int((run[f"margin_{suffix}"].abs() < CLOSE).sum())
        return f"{n_pass} of {len(run)} pass, {n_close} close"

    lines = [
        "# Verdicts on two machines",
        "",
        f"Written by `tools/machine_verdicts.py` (its docstring says how one machine stands in for two) from "
        f"two runs of commit {', '.join(c[:7] for c in commits)} with one config: **A** {name_a}; "
        f"**B** {name_b}. The papers' claims and this project's hypotheses (checks of the code left out); "
        f"close: the interval within {CLOSE:g} of its own width of the threshold (`margin`, signed by the "
        "verdict).",
        "",
        f"- Tables equal to rtol {RTOL:g}: {len(equal)} of {len(report)}; differing: "
        f"{', '.join(f'`{t}`' for t in differ) or 'none'}.",
        f"- Claims: A {count('a')}; B {count('b')}; {len(both)} in both.",
        f"- Verdicts that differ: {len(moved)}.",
        "",
        "## Claims whose verdict differs",
        "",
    ]
    lines += _table(moved, "A", "B") if len(moved) else ["None."]
    lines += ["", "## Claims close on either machine", ""]
    lines += _table(close, "A", "B") if len(close) else ["None."]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run_a", type=Path, help="a run's folder (the config's outdir), holding results/")
    parser.add_argument("run_b", type=Path)
    parser.add_argument("--name-a", required=True, help="what machine A is, in words")
    parser.add_argument("--name-b", required=True)
    parser.add_argument("--out", type=Path, default=Path("docs/verdicts_across_machines.md"))
    args = parser.parse_args(argv)
    for run in (args.run_a, args.run_b):
        if not (run / "results" / "claims.csv").exists():
            parser.error(f"{run} has no results/claims.csv: give a finished run's outdir")
    args.out.write_text(page(args.run_a, args.run_b, args.name_a, args.name_b))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
