"""Result tables: a failed run is never a number, and a summary holds exactly its grid.

- ``blank_failed``: in a run's row, every metric computed from the trained state is NaN when the run
  diverged or stopped short of its stopping rule (``converged`` False); its status columns (``converged``,
  ``diverged``, ``steps``, the final ``train_loss``) and the exact references stay.
- ``expected_rows`` and ``check_complete``: the summary step refuses a table that is not exactly
  grid x seeds (x tasks, or data sets x architectures), naming what is missing, repeated or unreadable.
Torch-free.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .grid import AXES, cells, format_value, parts, read_value

__all__ = [
    "failed",
    "blank_failed",
    "expected_rows",
    "check_readable",
    "check_types",
    "check_complete",
    "IncompleteTable",
]


class IncompleteTable(ValueError):
    pass


def failed(table: pd.DataFrame) -> pd.Series:
    """Runs that diverged or did not reach their stopping rule."""
    none = pd.Series(False, index=table.index)
    diverged = table["diverged"].astype(bool) if "diverged" in table else none
    unconverged = ~table["converged"].astype(bool) if "converged" in table else none
    return diverged | unconverged


def blank_failed(table: pd.DataFrame, metrics) -> pd.DataFrame:
    """``table`` with ``metrics`` set to NaN in the rows of failed runs (a copy)."""
    out = table.copy()
    columns = [m for m in metrics if m in out.columns]
    out[columns] = out[columns].astype(float)
    out.loc[failed(out), columns] = np.nan
    return out


def _extra_keys(experiment: dict) -> dict[str, list]:
    """The keys besides the grid and the seed that a family's rows carry (``regimes.grid.parts``)."""
    split = parts(experiment)
    return {key: [part[key] for part in split] for key in split[0]}


def expected_rows(experiment: dict) -> pd.DataFrame:
    """One row of keys per run the experiment's config asks for (grid values in their path spelling)."""
    extra = _extra_keys(experiment)
    rows = []
    labels = list(zip(*extra.values())) if extra else [()]
    for cell in cells(experiment["grid"]):
        for seed in experiment["seeds"]:
            for label in labels:
                keys = {ax: format_value(getattr(cell, ax)) for ax in AXES}
                rows.append({**keys, "seed": str(int(seed)), **dict(zip(extra, label))})
    return pd.DataFrame(rows)


def _keys(table: pd.DataFrame, columns) -> pd.DataFrame:
    out = pd.DataFrame(index=table.index)
    for c in columns:
        if c in AXES:
            out[c] = [read_value(c, v) for v in table[c]]
        elif c == "seed":
            out[c] = [str(int(v)) if pd.notna(v) else "nan" for v in table[c]]
        else:
            out[c] = table[c].astype(str)
    return out


def check_readable(frame: pd.DataFrame, path, keys=("alpha", "depth", "width", "K", "seed")) -> None:
    """Refuse a per-batch table with a row cut short: a key left empty, or no ``experiment`` (every
    analysis table writes it last, so a truncated last line lacks it)."""
    columns = [c for c in (*keys, "experiment") if c in frame.columns]
    if "experiment" not in frame.columns or frame[columns].isna().any(axis=None):
        raise IncompleteTable(
            f"{path}: a row is cut short or the file is damaged (truncated?); delete it to have it made again"
        )


def check_types(frames: dict) -> None:
    """Refuse per-batch tables ``{path: frame}`` whose stacked columns mix numbers and text: a batch whose
    column reads as text where the other batches' read as numbers is damaged (one row's ``test_error``
    overwritten by ``abc`` is text in its own file and passes that file's own check)."""
    from .pipeline.io import DamagedFile, column_problem

    for path, frame in frames.items():
        others = [f for p, f in frames.items() if p != path]
        for column in frame.columns:
            if pd.api.types.is_numeric_dtype(frame[column]) or frame[column].isna().all():
                continue
            numeric = [f[column] for f in others if column in f and pd.api.types.is_numeric_dtype(f[column])]
            if any(values.notna().any() for values in numeric):
                problem = column_problem(pd.concat([frame[[column]], *(v.to_frame() for v in numeric)]))
                raise DamagedFile(
                    f"{path}: {problem or f'column {column!r} holds text where numbers belong'} (the other "
                    "batches' tables hold numbers there); the file is damaged: delete it and rerun to have "
                    "it made again"
                )


def check_complete(table: pd.DataFrame, experiment: dict, name: str) -> None:
    """Raise ``IncompleteTable`` unless ``table`` has exactly one row per run the config asks for."""
    expected = expected_rows(experiment)
    columns = list(expected.columns)
    missing_columns = [c for c in columns if c not in table.columns]
    if missing_columns:
        raise IncompleteTable(f"{name}: the analysis tables lack the columns {missing_columns}")
    got = _keys(table, columns)
    repeated = got[got.duplicated()]
    if len(repeated):
        raise IncompleteTable(f"{name}: runs listed twice: {_describe(repeated)}")
    merged = expected.merge(got, how="outer", indicator=True)
    missing, extra = merged[merged["_merge"] == "left_only"], merged[merged["_merge"] == "right_only"]
    if len(missing) or len(extra):
        parts = []
        if len(missing):
            parts.append(f"{len(missing)} run(s) missing: {_describe(missing[columns])}")
        if len(extra):
            parts.append(f"{len(extra)} run(s) not in the config: {_describe(extra[columns])}")
        raise IncompleteTable(
            f"{name}: the analysis tables are not exactly the config's grid x seeds; " + "; ".join(parts)
        )


def _describe(keys: pd.DataFrame, most: int = 5) -> str:
    rows = [
        "_".join(f"{c}~{v}" for c, v in row.items())
        for row in keys.drop(columns="_merge", errors="ignore").to_dict("records")
    ]
    return ", ".join(rows[:most]) + (f" and {len(rows) - most} more" if len(rows) > most else "")
