"""Classification data that needs no download: scikit-learn's digits and mnist1d's generator.

Features are standardised with the training set's mean and standard deviation.
"""

from __future__ import annotations

import numpy as np

__all__ = ["classification_dataset", "DATASETS"]

DATASETS = ("digits", "mnist1d")
SHAPES = {"digits": (1, 8, 8), "mnist1d": (1, 40)}


def _digits(seed: int, n_train: int, n_test: int):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(y))
    if n_train + n_test > len(y):
        raise ValueError(f"digits has {len(y)} samples; n_train + n_test = {n_train + n_test}")
    tr, te = order[:n_train], order[n_train : n_train + n_test]
    return X[tr], y[tr], X[te], y[te]


def _mnist1d(seed: int, n_train: int, n_test: int):
    from mnist1d.data import get_dataset_args, make_dataset  # generated locally; get_dataset would download

    args = get_dataset_args()
    args.seed = seed
    args.num_samples = n_train + n_test
    args.train_split = n_train / (n_train + n_test)
    data = make_dataset(args)
    return data["x"], data["y"], data["x_test"], data["y_test"]


def classification_dataset(name: str, seed: int, n_train: int, n_test: int) -> dict[str, np.ndarray]:
    """``X, y, X_test, y_test, seed, shape`` (``shape``: the input's (channels, length[, width]))."""
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, got {name!r}")
    X, y, X_test, y_test = (_digits if name == "digits" else _mnist1d)(seed, n_train, n_test)
    X, X_test = np.asarray(X, float), np.asarray(X_test, float)
    mean, std = X.mean(0), X.std(0)
    std[std == 0] = 1.0
    return {
        "X": (X - mean) / std,
        "y": np.asarray(y, np.int64),
        "X_test": (X_test - mean) / std,
        "y_test": np.asarray(y_test, np.int64),
        "seed": np.asarray(int(seed)),
        "shape": np.asarray(SHAPES[name]),
    }
