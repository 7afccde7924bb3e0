"""The training regime of a K axis in words, from its summary's ``optimiser``, ``loss``, ``momentum`` and
``batch_size`` (0: full batch) columns: Goldwaser & Ge 2023 train by plain SGD (or full-batch GD) on the
squared loss at a small step; anything else is a variant outside the paper's regime, and figures and claims
say so.  Torch-free."""

from __future__ import annotations

import pandas as pd

__all__ = ["PAPER_REGIME", "in_paper_regime", "describe"]

PAPER_REGIME = {"optimiser": "sgd", "loss": "mse", "momentum": 0.0}
_NAMES = {"sgd": "SGD", "adam": "Adam", "mse": "squared loss", "ce": "cross-entropy"}


def _first(rows: pd.DataFrame, column: str, default):
    if column not in rows or rows[column].isna().all():
        return default
    values = rows[column].dropna().unique()
    if len(values) > 1:
        raise ValueError(f"one K axis trained with several values of {column!r}: {list(values)}")
    return values[0]


def in_paper_regime(rows: pd.DataFrame) -> bool:
    """Whether the rows (one experiment) were trained as Goldwaser & Ge train: plain SGD (no momentum)
    on the squared loss."""
    return all(_first(rows, key, None) == value for key, value in PAPER_REGIME.items())


def describe(rows: pd.DataFrame) -> str:
    """``SGD, squared loss`` (``GD`` where every step takes the whole training set) or, outside the paper's
    regime, ``variant: Adam, cross-entropy``."""
    optimiser, loss = _first(rows, "optimiser", "?"), _first(rows, "loss", "?")
    momentum = float(_first(rows, "momentum", 0.0))
    full_batch = optimiser == "sgd" and int(_first(rows, "batch_size", -1)) == 0
    name = "GD" if full_batch else _NAMES.get(optimiser, optimiser)
    words = name + (f" (momentum {momentum:g})" if momentum else "")
    words += f", {_NAMES.get(loss, loss)}"
    return words if in_paper_regime(rows) else f"variant: {words}"
