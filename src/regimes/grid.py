"""The grid: cells ``(alpha, depth, width, K)``, their names in file paths, and batches (docs/science.md sec.
3).

One formatter for every float in a path (``alpha~0.001``, never ``0.30000000000000004``), and one
spelling of K: an integer, or the string ``"inf"`` for K = infinity, in configs, cells, ids and tables
alike (``read_table`` in ``regimes.pipeline.io`` reads the K column back as that text).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "INF",
    "format_value",
    "read_value",
    "parse_K",
    "K_order",
    "feature_updates",
    "Cell",
    "alphas",
    "cells",
    "cell_id",
    "parse_cell_id",
    "AXES",
    "parts",
    "part_folder",
    "batches",
    "batch_id",
    "batch_cells",
    "cell_arrays",
    "split_cells",
    "run_status",
]

INF = "inf"
AXES = ("alpha", "depth", "width", "K")


def format_value(x) -> str:
    """Path-safe, round-trip-stable text for a grid value: 12 significant digits, no exponent."""
    if isinstance(x, str):
        if x == INF:
            return INF
        raise ValueError(f"not a grid value: {x!r}")
    if isinstance(x, (bool, np.bool_)):
        raise ValueError(f"not a grid value: {x!r}")
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if math.isinf(x):
        return INF
    return np.format_float_positional(float(f"{x:.12g}"), trim="-")


def read_value(axis: str, value) -> str:
    """A grid value read back from a table (a number, or text such as ``"inf"`` or ``"1.0"``) in its path
    spelling (``format_value``): alpha as a float, the other axes as integers, K = inf as ``"inf"``,
    a missing value as ``"nan"``."""
    if not isinstance(value, str) and value != value:  # NaN
        return "nan"
    text = str(value).strip().lower()
    if text in (INF, "infinity") or (not isinstance(value, str) and math.isinf(float(value))):
        return INF
    return format_value(float(value) if axis == "alpha" else int(float(value)))


def parse_K(K) -> float:
    """K as a number: an integer >= 1, or ``math.inf`` for ``"inf"`` (the fixed tangent kernel)."""
    if K == INF or (isinstance(K, float) and math.isinf(K)):
        return math.inf
    if isinstance(K, (int, np.integer)) and not isinstance(K, bool) and K >= 1:
        return int(K)
    if isinstance(K, str) and K.isdigit() and int(K) >= 1:
        return int(K)
    raise ValueError(f"K must be an integer >= 1 or {INF!r}, got {K!r}")


def K_order(K) -> float:
    """Sort key of a K value in any of its spellings (K = inf last)."""
    return float(parse_K(K))


def feature_updates(K, steps: int) -> int:
    """How many times the anchor moves in ``steps`` steps: ``floor(steps / K)``, 0 for K = inf."""
    K = parse_K(K)
    return 0 if math.isinf(K) else steps // K


@dataclass(frozen=True)
class Cell:
    alpha: float
    depth: int
    width: int
    K: int | str

    @property
    def id(self) -> str:
        return cell_id(self.alpha, self.depth, self.width, self.K)

    def as_dict(self) -> dict:
        return {"alpha": self.alpha, "depth": self.depth, "width": self.width, "K": self.K}


def cell_id(alpha, depth, width, K) -> str:
    values = {"alpha": alpha, "depth": depth, "width": width, "K": K}
    return "_".join(f"{axis}~{format_value(value)}" for axis, value in values.items())


def parse_cell_id(text: str) -> Cell:
    parts = dict(p.split("~", 1) for p in text.split("_"))
    K = parts["K"]
    return Cell(float(parts["alpha"]), int(parts["depth"]), int(parts["width"]), K if K == INF else int(K))


def alphas(grid: dict, depth: int) -> list:
    """The grid's alphas at ``depth``: ``grid["alpha"]`` is a list (every depth the same) or a mapping
    from each depth to its own list (Woodworth et al. fig. 6 sweeps alpha over a different range at each
    depth, about the same range of ``alpha^D``)."""
    values = grid["alpha"]
    if isinstance(values, dict):
        if int(depth) not in {int(k) for k in values}:
            raise ValueError(
                f"the grid's alpha lists are for depths {sorted(int(k) for k in values)}, not {depth}"
            )
        return list(next(v for k, v in values.items() if int(k) == int(depth)))
    return list(values)


def cells(grid: dict) -> list[Cell]:
    """Every combination of the grid's axes, in a stable order (alpha at each depth from ``alphas``)."""
    if isinstance(grid["alpha"], dict):
        return [
            Cell(float(a), int(D), int(w), K)
            for D, w, K in itertools.product(grid["depth"], grid["width"], grid["K"])
            for a in alphas(grid, D)
        ]
    return [Cell(float(a), int(D), int(w), K) for a, D, w, K in itertools.product(*(grid[ax] for ax in AXES))]


# Jobs.  One training job holds a batch: a run of consecutive alphas (in the grid's order) at one
# (depth, width) and a run of consecutive K values (one K by default; the network family holds every K
# of a row in one ensemble), so that a job's start-up (Python, torch) is paid once for several cells and
# the cells can share one tensor program.  A batch of one cell is named exactly like its cell, so any
# single cell can be asked for (and rerun) alone.


def _span(values) -> str:
    values = [format_value(v) for v in values]
    return values[0] if len(values) == 1 else f"{values[0]}-{values[-1]}"


def batch_id(alphas, depth, width, K) -> str:
    """``alpha~0.001-10_depth~2_width~1_K~1`` (first and last alpha of the batch; ``K~1-inf`` for a run
    of K values), or the cell id."""
    alphas = list(alphas)
    Ks = list(K) if isinstance(K, (list, tuple)) else [K]
    return f"alpha~{_span(alphas)}_depth~{format_value(depth)}_width~{format_value(width)}_K~{_span(Ks)}"


def _chunks(values, size, key):
    size = len(values) if size is None else int(size)
    if size < 1:
        raise ValueError(f"{key} must be an integer >= 1, got {size!r}")
    return [values[i : i + size] for i in range(0, len(values), size)]


def parts(experiment: dict) -> list[dict[str, str]]:
    """What an experiment's runs are split into besides the grid, each part as its keys: one per task
    (matrix), one per data set and architecture (network, gauss_newton), a single part with no keys
    (the other families).  The one place the families differ here: the stages' folders
    (``part_folder``) and the summary's key columns follow it."""
    model = experiment["model"]
    if model == "matrix":
        return [{"task": task} for task in experiment["data"]["tasks"]]
    if model in ("network", "gauss_newton"):
        return [
            {"dataset": d, "architecture": a}
            for d, a in itertools.product(experiment["data"], experiment["architectures"])
        ]
    return [{}]


def part_folder(part: dict[str, str]) -> str:
    """A part's folder below a stage's (``completion``, ``digits-mlp``; ``""`` for a single part)."""
    return "-".join(part.values())


def batches(grid: dict, alphas_per_job: int | None = None, Ks_per_job: int | None = 1) -> list[str]:
    """The grid's batches: every (depth, width), its alphas in chunks of ``alphas_per_job`` (all by
    default) and its K values in chunks of ``Ks_per_job`` (one by default; ``None``: all)."""
    K_chunks = _chunks(list(grid["K"]), Ks_per_job, "Ks_per_job")
    return [
        batch_id(a, D, w, Ks)
        for D, w in itertools.product(grid["depth"], grid["width"])
        for Ks in K_chunks
        for a in _chunks(alphas(grid, D), alphas_per_job, "alphas_per_job")
    ]


def _range(batch, axis, text, names):
    lo, _, hi = text.partition("-")
    missing = [v for v in (lo, hi or lo) if v not in names]
    if missing:
        raise ValueError(f"batch {batch!r}: {axis} {missing[0]} is not in the grid's {axis} values {names}")
    i, j = names.index(lo), names.index(hi or lo)
    if j < i:
        raise ValueError(
            f"batch {batch!r}: {axis} {hi} comes before {lo} in the grid's {axis} values {names}"
        )
    return i, j + 1


def batch_cells(batch: str, grid: dict) -> list[Cell]:
    """The cells a batch id names, in the grid's order (K outer, alpha inner); its alphas and K values
    must be the grid's."""
    parts = dict(p.split("~", 1) for p in batch.split("_"))
    depth, width = int(parts["depth"]), int(parts["width"])
    at_depth = alphas(grid, depth)
    i, j = _range(batch, "alpha", parts["alpha"], [format_value(a) for a in at_depth])
    k, m = _range(batch, "K", parts["K"], [format_value(K) for K in grid["K"]])
    return [Cell(float(a), depth, width, K) for K in list(grid["K"])[k:m] for a in at_depth[i:j]]


def cell_arrays(seeds, result: dict) -> dict:
    """A trainer's result (``regimes.batched.Trained``: per-run arrays by name) as the arrays stored for a
    cell: ``seeds`` first."""
    return {"seeds": np.array(seeds), **{k: np.asarray(v) for k, v in result.items()}}


def split_cells(cells, seeds, arrays: dict, **extra) -> dict:
    """A stacked run's per-run arrays (members ordered cell by cell, ``seeds`` within each) as one dict
    per cell id, ``seeds`` first; arrays of another length (a batch's ``seconds``) go to every cell as
    they are; ``extra`` arrays of one value per seed are added to each cell."""
    runs = len(cells) * len(seeds)
    out = {}
    for c, cell in enumerate(cells):
        rows = slice(c * len(seeds), (c + 1) * len(seeds))
        out[cell.id] = {
            "seeds": np.asarray(seeds),
            **extra,
            **{
                k: (v[rows] if isinstance(v, np.ndarray) and v.ndim and len(v) == runs else v)
                for k, v in arrays.items()
                if k != "seeds"
            },
        }
    return out


def run_status(trained: dict, i: int) -> dict:
    """How run ``i`` of a cell ended: final loss, converged, diverged, steps (and flow time if kept)."""
    out = {
        "train_loss": float(trained["train_loss"][i]),
        "converged": bool(trained["converged"][i]),
        "diverged": bool(trained["diverged"][i]),
        "steps": int(trained["steps"][i]),
    }
    if "flow_time" in trained:
        out["flow_time"] = float(trained["flow_time"][i])
    return out
