"""Write docs/api.md, the API reference, from the package's docstrings (``regimes.pipeline.api_reference``).

python tools/write_api_reference.py          # rewrite docs/api.md
python tools/write_api_reference.py --check  # exit 1 if docs/api.md differs (the tests run it)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from regimes.pipeline.api_reference import api_reference

PAGE = Path(__file__).resolve().parents[1] / "docs" / "api.md"

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/api.md is not current")
    args = parser.parse_args()
    text = api_reference()
    if args.check:
        current = PAGE.exists() and PAGE.read_text() == text
        advice = "out of date: run python tools/write_api_reference.py"
        print(f"{PAGE}: {'current' if current else advice}")
        sys.exit(0 if current else 1)
    PAGE.write_text(text)
    print(f"wrote {PAGE}")
