"""Data of the network experiments, none downloaded (docs/science.md secs. 1.7 and 2.3).

- classification: scikit-learn's digits, mnist1d's generator and, from local copies, MNIST and
  CIFAR-10 (``regimes.networks.local``), features standardised with the training set's mean and
  standard deviation;
- ``circle_teacher``: points on the unit circle labelled by a small ReLU teacher (Woodworth et al. fig. 6);
- ``univariate_points``: a handful of points on a line, random or the paper's plateau (fig. 7).
"""

from __future__ import annotations

import numpy as np

from .registry import DATASETS, resolve

__all__ = [
    "classification_dataset",
    "DATASETS",
    "load_digits",
    "load_mnist1d",
    "circle_teacher",
    "univariate_points",
]


def load_digits(seed: int, n_train: int, n_test: int):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    order = np.random.default_rng(seed).permutation(len(y))
    if n_train + n_test > len(y):
        raise ValueError(f"digits has {len(y)} samples; n_train + n_test = {n_train + n_test}")
    tr, te = order[:n_train], order[n_train : n_train + n_test]
    return X[tr], y[tr], X[te], y[te]


def load_mnist1d(seed: int, n_train: int, n_test: int):
    from mnist1d.data import get_dataset_args, make_dataset  # generated locally; get_dataset would download

    args = get_dataset_args()
    args.seed = seed
    args.num_samples = n_train + n_test
    args.train_split = n_train / (n_train + n_test)
    data = make_dataset(args)
    return data["x"], data["y"], data["x_test"], data["y_test"]


def classification_dataset(
    name: str, seed: int, n_train: int, n_test: int, path=None, key: str | None = None
) -> dict[str, np.ndarray]:
    """``X, y, X_test, y_test, seed, shape`` (``shape``: the input's (channels, length[, width])) of a
    registered data set (``regimes.networks.registry``), inputs flattened and standardised.  A data set
    read from a local copy (MNIST, CIFAR-10) needs ``path``; ``key`` names it in errors.  Inputs are
    float64, float32 above 10^7 values (the full MNIST and CIFAR-10; training casts to float32 anyway)."""
    if name not in DATASETS:
        raise ValueError(f"dataset must be one of {tuple(DATASETS)} (registered), got {name!r}")
    entry = DATASETS[name]
    key = key or f"data.{name}.path"
    if entry.local:
        if path is None:
            raise ValueError(
                f"config key '{key}' is missing: data set {name!r} is read from a local copy (never "
                "downloaded); set it to the copy's folder"
            )
        X, y, X_test, y_test = resolve(entry.loader)(seed, n_train, n_test, path=path, key=key)
    elif path is not None:
        raise ValueError(
            f"config key '{key}': value {str(path)!r} is not allowed; data set {name!r} is generated, not "
            "read from a copy (leave path out)"
        )
    else:
        X, y, X_test, y_test = resolve(entry.loader)(seed, n_train, n_test)
    dtype = np.float32 if np.size(X) + np.size(X_test) > 10**7 else np.float64
    X = np.asarray(X, dtype).reshape(len(X), -1)
    X_test = np.asarray(X_test, dtype).reshape(len(X_test), -1)
    mean, std = X.mean(0), X.std(0)
    std[std == 0] = 1.0
    return {
        "X": (X - mean) / std,
        "y": np.asarray(y, np.int64),
        "X_test": (X_test - mean) / std,
        "y_test": np.asarray(y_test, np.int64),
        "seed": np.asarray(int(seed)),
        "shape": np.asarray(DATASETS[name].shape),
    }


def _circle(angles: np.ndarray) -> np.ndarray:
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


def circle_teacher(n_train: int, n_test: int, teacher_width: int, seed: int, label_rms: float = 1.0) -> dict:
    """``n_train`` points drawn uniformly at random on the unit circle (Woodworth et al. fig. 6) and
    ``n_test`` fresh ones, labelled by a ReLU network ``x -> sum_j a_j relu(w_j . x)`` with
    ``teacher_width`` units (``w_j`` standard normal, ``a_j = +-1``); labels scaled to rms ``label_rms`` on
    the test points, the zero predictor's test RMSE (the students' scale is absolute: the labels' is a
    reading of the paper's set-up, docs/teacher_readings.md)."""
    gen = np.random.default_rng(seed)
    W = gen.standard_normal((teacher_width, 2))
    a = gen.choice([-1.0, 1.0], size=teacher_width)

    def teacher(X):
        return np.maximum(X @ W.T, 0.0) @ a

    X = _circle(gen.uniform(0, 2 * np.pi, n_train))
    X_test = _circle(gen.uniform(0, 2 * np.pi, n_test))
    scale = np.sqrt(np.mean(teacher(X_test) ** 2)) / label_rms
    return {
        "X": X,
        "y": teacher(X) / scale,
        "X_test": X_test,
        "y_test": teacher(X_test) / scale,
        "seed": seed,
    }


def univariate_points(n: int, seed: int, points: str = "random") -> dict:
    """Points of a line and a grid of 401 test points across them.  ``random``: ``n`` sorted,
    well-separated ``x`` in [-1, 1] and standard-normal ``y`` (from ``seed``).  ``plateau`` (Woodworth et
    al. 2020, fig. 7): ``x`` evenly spaced in [-sqrt 3, sqrt 3], ``y = 1`` at the three middle points and 0
    elsewhere (``n`` odd; the same for every seed, which then draws only the initialisation)."""
    if points == "plateau":
        if n % 2 == 0 or n < 3:
            raise ValueError(f"the plateau needs an odd n >= 3 (a middle point), got {n}")
        x = np.linspace(-np.sqrt(3.0), np.sqrt(3.0), n)
        y = np.zeros(n)
        y[n // 2 - 1 : n // 2 + 2] = 1.0
    elif points == "random":
        gen = np.random.default_rng(seed)
        x = np.sort(np.linspace(-1, 1, n) + gen.uniform(-0.3, 0.3, n) / n)
        y = gen.standard_normal(n)
    else:
        raise ValueError(f"points must be 'plateau' or 'random', got {points!r}")
    grid = np.linspace(x[0], x[-1], 401)
    return {"X": x[:, None], "y": y, "X_test": grid[:, None], "seed": seed, "points": points}
