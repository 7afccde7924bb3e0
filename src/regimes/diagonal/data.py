"""Sparse regression data, generated from a seed (nothing is downloaded).

Sparse regression (Woodworth et al. 2020, sec. 4; docs/science.md sec. 1.4): ``X`` i.i.d. N(0, 1),
``beta_star``
r*-sparse with entries ``1 / sqrt(r*)`` on a random support (unit l2 norm), training labels
``y = X beta_star + noise * N(0, 1)``, a noiseless test set.  Rows are drawn from their own stream, so
the data set with n rows is a prefix of the one with more rows: sample-complexity curves compare nested
designs.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sparse_regression", "population_error"]


def sparse_regression(
    seed: int, n: int, d: int, sparsity: int, noise: float, n_test: int
) -> dict[str, np.ndarray]:
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
    """``||beta - beta_star||^2`` (the expected squared prediction error for isotropic X), along the last
    axis."""
    diff = np.asarray(beta) - np.asarray(beta_star)
    return np.sum(diff * diff, axis=-1)
