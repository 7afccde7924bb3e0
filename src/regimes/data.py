"""Synthetic data sets, generated from a seed (nothing is downloaded).

Sparse regression (Woodworth et al. 2020, sec. 4; SPEC 1.4): ``X`` i.i.d. N(0, 1), ``beta_star``
r*-sparse with entries ``1 / sqrt(r*)`` on a random support (unit l2 norm), training labels
``y = X beta_star + noise * N(0, 1)``, a noiseless test set.  Rows are drawn from their own stream, so
the data set with n rows is a prefix of the one with more rows: sample-complexity curves compare nested
designs.

The non-linear experiments (SPEC 1.7): points on the unit circle labelled by a ReLU teacher, and a handful
of points on a line.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sparse_regression", "population_error", "circle_teacher", "univariate_points"]


def sparse_regression(seed: int, n: int, d: int, sparsity: int, noise: float, n_test: int) -> dict[str, np.ndarray]:
    """Return ``X, y, beta_star, X_test, y_test, seed`` as float64 arrays (``seed`` as a 0-d int)."""
    if not 0 < sparsity <= d:
        raise ValueError(f"sparsity must be in [1, d={d}], got {sparsity}")
    if n < 1 or d < 1 or n_test < 1:
        raise ValueError(f"n, d and n_test must be positive, got n={n}, d={d}, n_test={n_test}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    support_rng, train_rng, noise_rng, test_rng = (
        np.random.default_rng(s) for s in np.random.SeedSequence(int(seed)).spawn(4)
    )
    beta_star = np.zeros(d)
    beta_star[support_rng.choice(d, size=sparsity, replace=False)] = 1.0 / np.sqrt(sparsity)
    X = train_rng.standard_normal((n, d))
    y = X @ beta_star + noise * noise_rng.standard_normal(n)
    X_test = test_rng.standard_normal((n_test, d))
    return {
        "X": X,
        "y": y,
        "beta_star": beta_star,
        "X_test": X_test,
        "y_test": X_test @ beta_star,
        "seed": np.asarray(int(seed)),
    }


def population_error(beta: np.ndarray, beta_star: np.ndarray) -> np.ndarray:
    """``||beta - beta_star||^2`` (the expected squared prediction error for isotropic X), along the last axis."""
    diff = np.asarray(beta) - np.asarray(beta_star)
    return np.sum(diff * diff, axis=-1)


def _circle(angles: np.ndarray) -> np.ndarray:
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


def circle_teacher(n_train: int, n_test: int, teacher_width: int, seed: int) -> dict:
    """``n_train`` evenly spaced points on the unit circle at a random rotation (and ``n_test`` evenly
    spaced test points) labelled by a ReLU network ``x -> sum_j a_j relu(w_j . x)`` with
    ``teacher_width`` units; labels have unit rms on the test points.  Even spacing keeps the kernel of
    the training points well conditioned (random points can fall within a few hundredths of a radian of
    each other, which no kernel-regime run fits in an affordable number of steps)."""
    gen = np.random.default_rng(seed)
    W = gen.standard_normal((teacher_width, 2))
    a = gen.choice([-1.0, 1.0], size=teacher_width)

    def teacher(X):
        return np.maximum(X @ W.T, 0.0) @ a

    X = _circle(gen.uniform(0, 2 * np.pi) + np.linspace(0, 2 * np.pi, n_train, endpoint=False))
    X_test = _circle(np.linspace(0, 2 * np.pi, n_test, endpoint=False))
    scale = np.sqrt(np.mean(teacher(X_test) ** 2))
    return {"X": X, "y": teacher(X) / scale, "X_test": X_test, "y_test": teacher(X_test) / scale, "seed": seed}


def univariate_points(n: int, seed: int) -> dict:
    """``n`` points with sorted, well-separated ``x`` in [-1, 1] and standard-normal ``y``."""
    gen = np.random.default_rng(seed)
    x = np.sort(np.linspace(-1, 1, n) + gen.uniform(-0.3, 0.3, n) / n)
    y = gen.standard_normal(n)
    grid = np.linspace(x[0], x[-1], 401)
    return {"X": x[:, None], "y": y, "X_test": grid[:, None], "seed": seed}
