"""Write docs/results.md (and docs/figures/*.png) from a run of the workflow (``regimes.results_page``).

    python tools/write_results.py [RUN] [--out docs/results.md] [--bench benchmarks/results.md]
                                  [--baseline BASELINE_RUN]

RUN is the run's folder (its config's ``outdir``: ``.`` for config.yaml, the default); BASELINE_RUN,
a run of another commit on the same machine to set its times against.
"""

import argparse
import sys
from pathlib import Path

from regimes.results_page import results_page

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", nargs="?", type=Path, default=ROOT)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "results.md")
    parser.add_argument("--bench", type=Path, default=ROOT / "benchmarks" / "results.md")
    parser.add_argument("--command", default="make reproduce", help="how the run was made, for the page")
    parser.add_argument("--baseline", type=Path, help="a run of another commit to compare times with")
    args = parser.parse_args(argv)
    if not (args.run / "results" / "claims.csv").exists():
        parser.error(f"{args.run} holds no results/claims.csv: give the folder of a finished run")
    page = results_page(
        args.run,
        ROOT / "workflow" / "report",
        args.out.parent / "figures",
        args.bench,
        args.command,
        baseline=args.baseline,
    )
    args.out.write_text(page)
    print(f"wrote {args.out} ({len(page.splitlines())} lines) from {args.run}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
