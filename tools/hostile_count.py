"""Count how hostile input is met: every case of tests/pipeline/bad_configs.yaml against the config check,
and damaged result files against the readers, each classed as

- ``named``: refused up front, the message holding every word the case expects (key, value, allowed);
- ``refused otherwise``: refused, but the message lacks some of those words, or a traceback of another
  kind (``ValueError``, ``KeyError``, ...) where a ``ConfigError`` / a message naming the file belongs;
- ``accepted``: taken without a word.

Run it against any version of the package (``PYTHONPATH=<checkout>/src``) to compare versions on the
same cases:

    PYTHONPATH=src python tools/hostile_count.py [--smoke config/smoke.yaml]
"""

from __future__ import annotations

import argparse
import collections
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _set(config, dotted, value):
    *path, last = dotted.split(".")
    node = config
    for key in path:
        node = node.setdefault(key, {})
    node[last] = value


def config_case(case: dict, smoke: Path, folder: Path) -> tuple[str, str]:
    from regimes.pipeline import config as module

    try:
        if "text" in case:
            path = folder / "bad.yaml"
            path.write_text(case["text"])
            module.validate(module.read_yaml(path))
        elif "override" in case:
            module.validate(module.resolve_config([smoke], [case["override"]]))
        else:
            config = yaml.safe_load(smoke.read_text())
            for dotted, value in case.get("set", {}).items():
                _set(config, dotted, value)
            for dotted in case.get("drop", []):
                *path, last = dotted.split(".")
                node = config
                for key in path:
                    node = node[key]
                del node[last]
            module.validate(config)
    except module.ConfigError as error:
        text = str(error)
        missing = [w for w in case["expect"] if w not in text]
        wrong = [w for w in case.get("absent", []) if w in text]
        if missing or wrong:
            return "refused otherwise", f"{text} (missing {missing}, should not hold {wrong})"
        return "named", ""
    except Exception as error:  # a traceback of another kind
        return "refused otherwise", f"{type(error).__name__}: {error}"
    return "accepted", ""


def _table(path: Path) -> None:
    from regimes.pipeline.io import write_csv

    frame = {"alpha": [0.5, 1.0], "K": ["1", "inf"], "seed": [0, 1], "test_error": [0.1, 0.2]}
    write_csv(path, pd.DataFrame({**frame, "converged": [True, False], "experiment": ["sparse", "sparse"]}))


TABLE_DAMAGES = {
    "emptied": lambda text: "",
    "text in a grid column": lambda text: text.replace("0.5", "half", 1),
    "K in another spelling": lambda text: text.replace(",inf,", ",infinity,", 1),
    "an unclosed quote": lambda text: text + '"unclosed,quote\n',
    "text in a column of numbers": lambda text: text.replace(",0.2,", ",abc,"),
    "a boolean reading maybe": lambda text: text.replace("False", "maybe"),
    "the last bytes cut": lambda text: text[:-4],
    "the last row cut at a field": lambda text: text.replace(",False,sparse", ""),
}


def table_case(damage, folder: Path) -> tuple[str, str]:
    from regimes.pipeline.io import read_table

    path = folder / "analysis.csv"
    _table(path)
    path.write_text(damage(path.read_text()))
    try:
        read_table(path)
    except Exception as error:
        named = str(path) in str(error)
        return ("named" if named else "refused otherwise"), f"{type(error).__name__}: {error}"[:160]
    return "accepted", ""


def _npz_cut(path: Path, fraction: float) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * fraction)])


NPZ_DAMAGES = {
    "cut in half": lambda path: _npz_cut(path, 0.5),
    "emptied": lambda path: _npz_cut(path, 0.0),
    "an array missing": None,  # a file of another layout: the reader asks for an array it lacks
}


def npz_case(name: str, folder: Path) -> tuple[str, str]:
    from regimes.pipeline.io import load_cells, save_cells

    path = folder / "batch.npz"
    save_cells(path, {"alpha~0.1_depth~2_width~1_K~1": {"beta": np.arange(1000.0)}})
    try:
        if NPZ_DAMAGES[name] is None:
            load_cells(path)["alpha~0.1_depth~2_width~1_K~1"]["seeds"]
        else:
            NPZ_DAMAGES[name](path)
            load_cells(path)
    except Exception as error:
        named = str(path) in str(error)
        return ("named" if named else "refused otherwise"), f"{type(error).__name__}: {error}"[:160]
    return "accepted", ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", default=str(ROOT / "config" / "smoke.yaml"), help="the base config")
    parser.add_argument("--cases", default=str(ROOT / "tests" / "pipeline" / "bad_configs.yaml"))
    parser.add_argument("--verbose", action="store_true", help="print every case not named")
    args = parser.parse_args(argv)
    cases = yaml.safe_load(Path(args.cases).read_text())
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for case in cases:
            verdict, text = config_case(case, Path(args.smoke), folder)
            counts["config"][verdict] += 1
            if args.verbose and verdict != "named":
                print(f"config {verdict}: {case['name']}: {text[:200]}")
        for name, damage in TABLE_DAMAGES.items():
            verdict, text = table_case(damage, folder)
            counts["table"][verdict] += 1
            if args.verbose and verdict != "named":
                print(f"table {verdict}: {name}: {text}")
        for name in NPZ_DAMAGES:
            verdict, text = npz_case(name, folder)
            counts["npz"][verdict] += 1
            if args.verbose and verdict != "named":
                print(f"npz {verdict}: {name}: {text}")
    print("| input | cases | named | refused otherwise | accepted |")
    print("|---|---|---|---|---|")
    for kind, counter in counts.items():
        total = sum(counter.values())
        row = [counter[v] for v in ("named", "refused otherwise", "accepted")]
        print(f"| {kind} | {total} | " + " | ".join(map(str, row)) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
