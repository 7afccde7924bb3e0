"""Write the two reference pages generated from the code: docs/config.md from the config schema
(``regimes.pipeline.config_reference``) and docs/api.md from the docstrings
(``regimes.pipeline.api_reference``).

python tools/write_references.py          # rewrite both
python tools/write_references.py --check  # exit 1 if either is not what the code gives (the tests run it)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from regimes.pipeline.api_reference import api_reference
from regimes.pipeline.config_reference import config_reference

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = {"config.md": config_reference, "api.md": api_reference}

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a page is not current")
    args = parser.parse_args()
    stale = []
    for name, make in PAGES.items():
        page, text = DOCS / name, make()
        if args.check:
            current = page.exists() and page.read_text() == text
            print(f"{page}: {'current' if current else 'out of date: run python tools/write_references.py'}")
            stale += [] if current else [name]
        else:
            page.write_text(text)
            print(f"wrote {page}")
    sys.exit(1 if stale else 0)
