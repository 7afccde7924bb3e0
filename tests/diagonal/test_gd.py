"""The diagonal-model trainer against autograd, the exact limit and itself (docs/science.md secs. 1.1,
1.3)."""

import numpy as np
import pytest
import torch

from regimes.diagonal.exact import implicit_limit
from regimes.diagonal.model import gradient, predictor
from regimes.diagonal.train import train_diagonal

from ..conftest import small_problem


def _stack(seeds, **kw):
    data = [small_problem(seed=s, **kw) for s in seeds]
    return np.stack([d["X"] for d in data]), np.stack([d["y"] for d in data])


@pytest.mark.parametrize("depth", [2, 3, 5])
def test_gradient_equals_autograd(depth):
    torch.manual_seed(0)
    X, y = (torch.as_tensor(a) for a in _stack([0, 1]))
    alpha = torch.tensor([0.3, 1.7], dtype=torch.float64)
    dp = (0.2 * torch.randn(2, X.shape[-1], dtype=torch.float64)).requires_grad_()
    dm = (0.2 * torch.randn(2, X.shape[-1], dtype=torch.float64)).requires_grad_()
    beta = predictor(alpha, dp, dm, depth)
    r = torch.einsum("bnd,bd->bn", X, beta) - y
    (0.5 * (r * r).mean(-1)).sum().backward()
    gp, gm, _, _ = gradient(alpha, dp.detach(), dm.detach(), X, y, depth)
    torch.testing.assert_close(gp, dp.grad, rtol=1e-10, atol=1e-12)
    torch.testing.assert_close(gm, dm.grad, rtol=1e-10, atol=1e-12)


def test_predictor_is_stable_at_large_alpha():
    """beta = w+^D - w-^D formed from offsets: no cancellation at alpha = 100, D = 5."""
    alpha = torch.tensor([100.0], dtype=torch.float64)
    dp = torch.tensor([[1e-9]], dtype=torch.float64)
    dm = torch.zeros_like(dp)
    exact = 5 * 100.0**4 * 1e-9  # derivative times offset, to first order
    assert predictor(alpha, dp, dm, 5).item() == pytest.approx(exact, rel=1e-6)


@pytest.mark.parametrize(
    "depth,alpha", [(2, 1e-4), (2, 0.01), (2, 0.1), (2, 100.0), (3, 0.1), (3, 1.0), (4, 0.3), (5, 0.5)]
)
def test_trained_solution_matches_exact_limit(depth, alpha):
    """Relative distance to argmin Q_alpha^D s.t. X beta = y below 2e-2 at the default step rule."""
    X, y = _stack([0, 1, 2])
    res = train_diagonal(X, y, alpha, depth, max_steps=60000)
    assert res.converged.all() and not res.diverged.any()
    for i in range(3):
        oracle = implicit_limit(X[i], y[i], alpha, depth).beta
        assert np.linalg.norm(res.beta[i] - oracle) / np.linalg.norm(oracle) < 2e-2


@pytest.mark.parametrize("depth,alpha", [(2, 0.01), (4, 0.3)])
def test_distance_to_limit_shrinks_with_the_step(depth, alpha):
    X, y = _stack([0])
    oracle = implicit_limit(X[0], y[0], alpha, depth).beta
    gaps = []
    for shrink in (0.25, 1, 4):
        res = train_diagonal(
            X,
            y,
            alpha,
            depth,
            step_scale=min(1.0, 0.5 / shrink),
            max_rel_change=0.01 / shrink,
            tol=1e-11,
            max_steps=200000,
        )
        assert res.converged.all()
        gaps.append(np.linalg.norm(res.beta[0] - oracle) / np.linalg.norm(oracle))
    assert gaps[0] > 2 * gaps[1] > 4 * gaps[2]


def test_seeds_in_one_batch_equal_separate_runs():
    X, y = _stack([0, 1, 2])
    together = train_diagonal(X, y, 0.05, 2)
    for i in range(3):
        alone = train_diagonal(X[i : i + 1], y[i : i + 1], 0.05, 2)
        np.testing.assert_allclose(together.beta[i], alone.beta[0], rtol=1e-9, atol=1e-12)
        assert together.steps[i] == alone.steps[0]


def test_same_input_same_numbers():
    X, y = _stack([3])
    a, b = train_diagonal(X, y, 0.02, 3), train_diagonal(X, y, 0.02, 3)
    assert np.array_equal(a.beta, b.beta) and np.array_equal(a.steps, b.steps)


def test_unconverged_and_diverged_runs_are_flagged():
    X, y = _stack([0])
    short = train_diagonal(X, y, 0.01, 2, max_steps=5)
    assert not short.converged[0] and not short.diverged[0] and short.steps[0] == 5
    wild = train_diagonal(X, y, 1.0, 2, step_scale=50.0, max_rel_change=10.0, max_steps=2000)
    assert wild.diverged[0] and not wild.converged[0]


def test_bad_arguments_raise():
    X, y = _stack([0])
    with pytest.raises(ValueError, match="alpha"):
        train_diagonal(X, y, -1.0, 2)
    with pytest.raises(ValueError, match="depth"):
        train_diagonal(X, y, 1.0, 1)
