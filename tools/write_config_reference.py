"""Write docs/config.md, the config reference, from the schema (``regimes.pipeline.config_reference``).

python tools/write_config_reference.py          # rewrite docs/config.md
python tools/write_config_reference.py --check  # exit 1 if docs/config.md differs (the tests run it)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from regimes.pipeline.config_reference import config_reference

PAGE = Path(__file__).resolve().parents[1] / "docs" / "config.md"

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/config.md is not current")
    args = parser.parse_args()
    text = config_reference()
    if args.check:
        current = PAGE.exists() and PAGE.read_text() == text
        advice = "out of date: run python tools/write_config_reference.py"
        print(f"{PAGE}: {'current' if current else advice}")
        sys.exit(0 if current else 1)
    PAGE.write_text(text)
    print(f"wrote {PAGE}")
