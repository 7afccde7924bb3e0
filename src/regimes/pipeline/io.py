"""Atomic result files: a job that is killed midway leaves no file that looks finished.

Every writer writes a temporary file beside the target and renames it into place, with the permissions
the user's umask gives new files (not the temporary file's private 0600); a temporary file left by a
killed job is removed when the target is next written.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "DamagedFile",
    "Arrays",
    "save_dataset",
    "load_provenance",
    "stamp",
    "atomic_path",
    "save_npz",
    "load_npz",
    "save_cells",
    "load_cells",
    "write_json",
    "read_json",
    "write_csv",
    "read_table",
    "column_problem",
]


def _file_mode() -> int:
    """What the user's umask leaves of rw-rw-rw- (reading the umask means setting it: set it back)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


class atomic_path:
    """Context manager yielding a temporary path that replaces ``target`` only on success."""

    def __init__(self, target, suffix: str = ""):
        self.target = Path(target)
        self.suffix = suffix or self.target.suffix

    def __enter__(self) -> Path:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        for stale in self.target.parent.glob(f".{self.target.name}.*.part{self.suffix}"):
            stale.unlink(missing_ok=True)  # left by a killed job: one job writes a target at a time
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.target.name}.", suffix=f".part{self.suffix}", dir=self.target.parent
        )
        os.close(fd)
        self.tmp = Path(tmp)
        return self.tmp

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            os.chmod(self.tmp, _file_mode())
            os.replace(self.tmp, self.target)
        else:
            self.tmp.unlink(missing_ok=True)
        return False


def save_npz(path, **arrays) -> None:
    with atomic_path(path, ".npz") as tmp:
        np.savez(tmp, **arrays)


class DamagedFile(ValueError):
    """A result file a job reads cannot be read as what it should be (cut short, overwritten, empty)."""


def _damaged(path, what: str) -> DamagedFile:
    return DamagedFile(f"{path}: {what}; the file is damaged: delete it and rerun to have it made again")


class Arrays(dict):
    """The arrays of one result file (or one cell of a batch file): an array the reading job asks for and
    the file lacks is refused naming the file and the array (``DamagedFile``), not a bare ``KeyError``."""

    def __init__(self, arrays, path, cell: str = ""):
        super().__init__(arrays)
        self.path, self.cell = path, cell

    def __missing__(self, name):
        where = f" for cell {self.cell}" if self.cell else ""
        raise _damaged(
            self.path, f"has no array {name!r}{where} (it holds {sorted(self)}; made by another version?)"
        )


def load_npz(path) -> dict[str, np.ndarray]:
    """Every array of a ``.npz`` result file; a file that is not a complete archive is refused naming
    it (``DamagedFile``), not left to a traceback deep in numpy, and so is an array it lacks (``Arrays``)."""
    try:
        with np.load(path, allow_pickle=False) as f:
            return Arrays({k: f[k] for k in f.files}, path)
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile) as error:
        raise _damaged(path, f"not a readable .npz archive ({type(error).__name__}: {error})") from None


def save_cells(path, cells: dict[str, dict], **extra) -> None:
    """One batch file for several cells: each cell's arrays stored as ``<cell id>/<name>``."""
    save_npz(
        path,
        **{f"{cell}/{name}": value for cell, arrays in cells.items() for name, value in arrays.items()},
        **extra,
    )


def load_cells(path) -> dict[str, dict[str, np.ndarray]]:
    """A batch file back as ``{cell id: {name: array}}`` (keys without a cell, e.g. provenance, left out)."""
    out: dict[str, dict[str, np.ndarray]] = {}
    for key, value in load_npz(path).items():
        cell, sep, name = key.partition("/")
        if sep:
            out.setdefault(cell, Arrays({}, path, cell))[name] = value
    if not out:
        raise _damaged(path, "holds no cell's arrays")
    return out


def save_dataset(path, data: dict, settings: dict) -> None:
    """A data set's ``.npz`` with its provenance (``settings``: what made it) under ``provenance``."""
    from .provenance import provenance_json

    save_npz(path, **data, provenance=np.asarray(provenance_json(settings)))


def load_provenance(path) -> dict:
    """The provenance record stored in a result file (``provenance`` entry), or ``{}``."""
    with np.load(path, allow_pickle=False) as f:
        return json.loads(str(f["provenance"])) if "provenance" in f.files else {}


def stamp(frame: pd.DataFrame, trained, experiment: str) -> pd.DataFrame:
    """An analysis table with the provenance of the training file it comes from: the workflow commit and
    the time the cells were trained; ``experiment`` last (a row cut short lacks it)."""
    record = load_provenance(trained)
    frame = frame.drop(columns=["git_commit", "trained_at", "experiment"], errors="ignore")
    return frame.assign(
        git_commit=record.get("git_commit", "unknown"),
        trained_at=record.get("created", "unknown"),
        experiment=experiment,
    )


def write_json(path, obj) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, default=_jsonable) + "\n")


def read_json(path):
    return json.loads(Path(path).read_text())


def write_csv(path, frame: pd.DataFrame) -> None:
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False)


# Columns that must read back as numbers wherever a table has them.
NUMERIC = ("alpha", "depth", "width", "seed", "steps", "T", "n")


# The columns the project's tables write as text, and those it writes as True / False; every other column
# holds numbers (NaN where a run failed).
TEXT = frozenset(
    "K architecture claim created dataset experiment git_commit init kind loss note optimiser passed points "
    "side source task trained_at".split()
)
BOOLEAN = frozenset(
    "capped chosen converged diverged interpolated is_data oracle_converged plateau reached_loss".split()
)


def column_problem(table: pd.DataFrame) -> str:
    """What is wrong with a table's column types, or "": a True / False column holding anything else, or
    a column of numbers holding text (a value overwritten, a row shifted)."""
    import pandas as pd

    for column in table.columns:
        values = table[column]
        if column in TEXT or pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        given = values.dropna()
        if column in BOOLEAN:
            bad = given[~given.astype(str).isin(["True", "False"])]
            if len(bad):
                where = f"{bad.iloc[0]!r} (line {bad.index[0] + 2})"
                return f"column {column!r} holds {where} where True/False belong"
            continue
        numbers = pd.to_numeric(given, errors="coerce")
        bad = given[numbers.isna()]
        if len(bad) and (numbers.notna().any() or column in NUMERIC):
            return f"column {column!r} holds {bad.iloc[0]!r} (line {bad.index[0] + 2}) where numbers belong"
    return ""


def read_table(path) -> pd.DataFrame:
    """A result table, with the grid's K column read back in its one spelling (``"1"``, ``"inf"``: text),
    never as a float.  An empty or unparsable file, or a grid column that is not numeric, is refused
    naming the file (``DamagedFile``)."""
    import pandas as pd

    try:
        text = Path(path).read_bytes().decode()
        _check_rows(path, text)
        table = pd.read_csv(io.StringIO(text), dtype={"K": str})
    except FileNotFoundError:
        raise
    except (
        pd.errors.EmptyDataError,
        pd.errors.ParserError,
        csv.Error,
        UnicodeDecodeError,
        ValueError,
    ) as error:
        raise _damaged(path, f"not a readable table ({type(error).__name__}: {error})") from None
    wrong = [c for c in NUMERIC if c in table and not pd.api.types.is_numeric_dtype(table[c])]
    if wrong:
        raise _damaged(path, f"column(s) {wrong} hold text where numbers belong")
    problem = column_problem(table)
    if problem:
        raise _damaged(path, problem)
    if "K" in table and not table["K"].dropna().map(lambda k: k == "inf" or k.isdigit()).all():
        raise _damaged(path, "column K holds values other than integers and 'inf'")
    return table


def _check_rows(path, text: str) -> None:
    """Refuse a table (``text``, read from ``path``) whose last line is cut: every writer ends each row
    with a line end, and pandas would read a row cut short as a shorter row, its last fields empty."""
    if text and not text.endswith("\n"):
        raise _damaged(path, "the last row is cut short (no line end)")
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    for number, row in enumerate(rows, start=2):
        if header is not None and row and len(row) != len(header):
            raise _damaged(path, f"line {number} has {len(row)} fields, the header {len(header)}")


def _jsonable(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"not JSON serialisable: {type(x)}")
