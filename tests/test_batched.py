"""The pieces every batched trainer shares."""

import math

import numpy as np
import torch

from regimes.batched import is_diverged, power_step
from regimes.kernels import kernel_distance


def test_power_step_finds_each_runs_top_eigenvalue():
    """Warm power iteration on a batch of PSD matrices converges to each one's largest eigenvalue
    (what would catch a normalisation over the wrong axis, which mixes the runs)."""
    g = torch.Generator().manual_seed(0)
    B = torch.randn(3, 6, 6, generator=g, dtype=torch.float64)
    A = B @ B.transpose(1, 2) * torch.tensor([1.0, 10.0, 1e-3], dtype=torch.float64)[:, None, None]
    v = torch.full((3, 6), 6**-0.5, dtype=torch.float64)
    for _ in range(500):
        lam, v = power_step(lambda u: torch.einsum("rij,rj->ri", A, u), v)
    np.testing.assert_allclose(lam.numpy(), torch.linalg.eigvalsh(A)[:, -1].numpy(), rtol=1e-8)
    np.testing.assert_allclose(v.norm(dim=1).numpy(), 1.0)


def test_power_step_on_one_vector_and_on_zero():
    A = torch.diag(torch.tensor([3.0, 1.0], dtype=torch.float64))
    lam, v = power_step(lambda u: A @ u, torch.tensor([1.0, 1.0], dtype=torch.float64))
    assert float(lam) == math.sqrt(10.0) and v.shape == (2,)
    lam, v = power_step(lambda u: 0 * u, torch.ones(2, 4, dtype=torch.float64))
    assert (lam == 0).all() and torch.isfinite(v).all()  # no division by zero


def test_divergence_is_a_non_finite_loss_or_a_huge_rise():
    loss = torch.tensor([0.5, math.inf, math.nan, 2e6, 1e6])
    assert is_diverged(loss, torch.ones(5)).tolist() == [False, True, True, True, False]
    assert is_diverged(float("nan"), 1.0) and is_diverged(2e6, 1.0) and not is_diverged(0.1, 1.0)


def test_kernel_distance_takes_arrays_and_tensors_alike():
    g = np.random.default_rng(0)
    a = g.standard_normal((5, 5))
    a, b = a @ a.T, np.eye(5)
    direct = 1 - np.sum(a * b) / (np.linalg.norm(a) * np.linalg.norm(b))
    assert kernel_distance(torch.tensor(a), torch.tensor(b)) == kernel_distance(a, b)
    assert abs(kernel_distance(a, b) - direct) < 1e-12
    assert kernel_distance(a, 3 * a) < 1e-15 and 0 <= kernel_distance(a, -a) <= 1
