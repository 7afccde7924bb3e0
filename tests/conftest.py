from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


def small_problem(seed=0, n=20, d=60, sparsity=2, noise=0.1):
    from regimes.data import sparse_regression

    return sparse_regression(seed, n, d, sparsity, noise, n_test=50)


@pytest.fixture
def problem():
    return small_problem()


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
