"""The mirror integrator of the diagonal flow (regimes.diagonal.mirror) against the exact limit, the flow's
conservation law, the weight-space trainer and itself."""

import numpy as np
import pytest

from regimes.diagonal.exact import implicit_limit
from regimes.diagonal.mirror import train_mirror
from regimes.diagonal.train import train_diagonal

from ..conftest import small_problem


def _gap(beta, exact):
    return np.linalg.norm(beta - exact) / np.linalg.norm(exact)


@pytest.mark.parametrize("depth", [2, 3, 4])
@pytest.mark.parametrize("alpha", [0.02, 0.3, 5.0])
def test_limit_is_the_minimiser_of_Q(depth, alpha):
    """Every step keeps s in the row space of X: where the loss reaches 0 is argmin Q_alpha^D (docs/science.md
    sec. 1.3)."""
    p = small_problem(seed=1)
    run = train_mirror(p["X"][None], p["y"][None], alpha, depth, tol=1e-20, max_steps=3000)
    assert run["converged"][0]
    assert _gap(run["beta"][0], implicit_limit(p["X"], p["y"], alpha, depth).beta) < 1e-7


@pytest.mark.parametrize("depth", [2, 3, 5])
def test_weights_keep_the_flow_conservation_law(depth):
    """Gradient flow conserves w+ w- = alpha^2 (D = 2) and w+^(2-D) + w-^(2-D) = 2 alpha^(2-D) (D >= 3)."""
    p = small_problem(seed=0)
    alpha = 0.1
    run = train_mirror(p["X"][None], p["y"][None], alpha, depth, max_steps=400)
    wp, wm = run["w_plus"][0], run["w_minus"][0]
    assert np.max(np.abs(wp**depth - wm**depth - run["beta"][0])) < 1e-10 * max(
        1.0, np.abs(run["beta"][0]).max()
    )
    if depth == 2:
        np.testing.assert_allclose(wp * wm, alpha**2, rtol=1e-12)
    else:
        np.testing.assert_allclose(
            wp ** (2 - depth) + wm ** (2 - depth), 2 * alpha ** (2 - depth), rtol=1e-12
        )
    assert np.abs(np.log(wp / alpha)).max() > 1.0  # the weights did move far from alpha


def test_kernel_regime_takes_two_steps_and_the_saddles_of_small_alpha_converge():
    """Large alpha: the flow is linear, one step lands on the limit (a second confirms it).  Small
    alpha: the flow passes saddle after saddle (coordinates switch on one by one) and still converges."""
    p = small_problem(seed=2)
    lazy = train_mirror(p["X"][None], p["y"][None], 10.0, 2)
    rich = train_mirror(p["X"][None], p["y"][None], 1e-3, 3, max_steps=3000)
    assert lazy["converged"][0] and lazy["steps"][0] <= 3
    assert rich["converged"][0]


def test_agrees_with_gradient_descent_on_the_weights():
    """The same flow by two integrators: gd on the weights (small steps) lands within its own
    discretisation error of the mirror integrator's limit."""
    p = small_problem(seed=3)
    mirror = train_diagonal(p["X"][None], p["y"][None], 0.1, 2, integrator="mirror")
    gd = train_diagonal(
        p["X"][None], p["y"][None], 0.1, 2, step_scale=0.1, max_rel_change=1e-3, max_steps=200000
    )
    assert mirror.converged[0] and gd.converged[0]
    assert _gap(gd.beta[0], mirror.beta[0]) < 3e-3
    assert mirror.steps[0] < gd.steps[0] / 100


def test_runs_sharing_a_problem_equal_runs_alone():
    data = [small_problem(seed=s) for s in (0, 1)]
    X, y = np.stack([d["X"] for d in data]), np.stack([d["y"] for d in data])
    alphas = np.array([0.01, 0.3, 3.0] * 2)
    group = np.repeat([0, 1], 3)
    together = train_diagonal(X, y, alphas, 3, integrator="mirror", group=group)
    for i, (a, g) in enumerate(zip(alphas, group)):
        alone = train_diagonal(X[g : g + 1], y[g : g + 1], a, 3, integrator="mirror")
        np.testing.assert_allclose(together.beta[i], alone.beta[0], rtol=1e-9, atol=1e-12)
        assert together.steps[i] == alone.steps[0]


def test_mirror_needs_K_1_and_a_known_integrator():
    p = small_problem(seed=0)
    with pytest.raises(ValueError, match="K = 1"):
        train_diagonal(p["X"][None], p["y"][None], 0.1, 2, integrator="mirror", K=10)
    with pytest.raises(ValueError, match="integrator"):
        train_diagonal(p["X"][None], p["y"][None], 0.1, 2, integrator="rk4")
    with pytest.raises(ValueError, match="nonlinearity"):
        train_mirror(p["X"][None], p["y"][None], 0.1, 2, nonlinearity=1.5)


@pytest.mark.parametrize("depth", [2, 3, 4, 7])
def test_torch_link_is_the_numpy_link(depth):
    """``mirror.link`` / ``link_prime`` (torch, on the trainer's device) and ``potential.h`` / ``h_prime``
    (numpy, the oracle's) are twins: one formula, pinned equal over the domain, edges included."""
    import torch

    from regimes.diagonal.mirror import link, link_prime
    from regimes.diagonal.potential import h, h_prime

    top = 8.0 if depth == 2 else 1 - 1e-9
    s = np.concatenate([np.linspace(-top, top, 2001), [0.0, 1e-12, -1e-9, 1e-5]])
    np.testing.assert_allclose(link(torch.tensor(s), depth).numpy(), h(s, depth), rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(link_prime(torch.tensor(s), depth).numpy(), h_prime(s, depth), rtol=1e-13)
