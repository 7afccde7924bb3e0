"""The univariate network of fig. 7 (regimes.networks.univariate): hand-written gradient, tangent kernel
and kernel limit against autograd and the generic torch.func versions; the balance leaves the function
alone and moves the kernel; batching changes nothing; the trained functions against the splines and the
exact kernel limit."""

import numpy as np
import pytest
import torch
from torch.func import jacrev

from regimes.networks.architectures import univariate_network
from regimes.networks.data import univariate_points
from regimes.networks.exact import kernel_prediction, spline_references
from regimes.networks.ntk import empirical_ntk
from regimes.networks.univariate import (
    _gradient,
    _output,
    init_univariate,
    train_univariate,
    univariate_features,
    univariate_kernel,
    univariate_kernel_limit,
)

PLATEAU = univariate_points(9, seed=0, points="plateau")


def _x(data, members=1):
    return torch.as_tensor(data["X"][:, 0])[None].repeat(members, 1)


def _function(params, x):
    """Autograd's reference: the same network written as plain tensor algebra."""
    return (
        torch.relu(params["w"][:, None, :] * x[:, :, None] + params["b"][:, None, :])
        * params["a"][:, None, :]
    ).sum(-1)


def test_the_plateau_is_the_papers_nine_points():
    x, y = PLATEAU["X"][:, 0], PLATEAU["y"]
    assert np.allclose(x, np.linspace(-np.sqrt(3), np.sqrt(3), 9))
    assert y.tolist() == [0, 0, 0, 1, 1, 1, 0, 0, 0]
    assert np.array_equal(
        univariate_points(9, seed=5, points="plateau")["y"], y
    )  # the seed draws the initialisation only
    with pytest.raises(ValueError, match="odd"):
        univariate_points(8, seed=0, points="plateau")


def test_initialisation_is_the_modules_and_the_balance_keeps_the_function():
    model = univariate_network(50, 0.7, seed=3).net
    params = init_univariate(50, [0.7], [3])
    assert torch.equal(params["w"][0], model[1].weight[:, 0]) and torch.equal(params["b"][0], model[1].bias)
    assert torch.equal(params["a"][0], model[-1].weight[0])
    x = _x(PLATEAU)
    for p in (0.25, 0.5):
        balanced = init_univariate(50, [0.7], [3], balance=p)
        assert torch.allclose(balanced["w"], params["w"] * 50**-p, rtol=1e-14) and torch.allclose(
            balanced["a"], params["a"] * 50**p, rtol=1e-14
        )
        assert torch.allclose(
            _output(balanced, univariate_features(balanced, x)[0]),
            _output(params, univariate_features(params, x)[0]),
            atol=1e-12,
        )


@pytest.mark.parametrize("balance", [0.0, 0.5])
def test_gradient_and_kernel_equal_autograd(balance):
    """Would catch a wrong mask, a missing x in the first-layer features or a dropped bias term."""
    params = init_univariate(40, [0.3, 2.0], [0, 1], balance=balance)
    x = _x(PLATEAU, 2)
    g = torch.randn(2, 9, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    act, mask = univariate_features(params, x)
    mine = _gradient(params, x, act, mask, g)
    leaves = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    (_function(leaves, x) * g).sum().backward()
    for key in ("w", "b", "a"):
        assert torch.allclose(mine[key], leaves[key].grad, atol=1e-12), key
    J = jacrev(lambda p: _function(p, x))(params)  # (2, 9, 2, 40) per parameter
    direct = sum(
        torch.einsum(
            "mpk,mqk->mpq",
            J[k].diagonal(dim1=0, dim2=2).permute(2, 0, 1),
            J[k].diagonal(dim1=0, dim2=2).permute(2, 0, 1),
        )
        for k in J
    )
    assert torch.allclose(univariate_kernel(params, x), direct, rtol=1e-12)


def test_kernel_and_kernel_limit_equal_the_generic_ones():
    """Against torch.func on the nn.Module (empirical_ntk, kernel_prediction): an independent route."""
    model = univariate_network(60, 1.5, seed=2)
    params = init_univariate(60, [1.5], [2])
    X = torch.as_tensor(PLATEAU["X"])
    assert torch.allclose(univariate_kernel(params, X.T), empirical_ntk(model, X)[None], rtol=1e-10)
    grid = torch.as_tensor(PLATEAU["X_test"][::20, 0])[None]
    mine = univariate_kernel_limit(params, X.T, torch.as_tensor(PLATEAU["y"])[None], grid)[0].numpy()
    theirs = kernel_prediction(model, PLATEAU["X"], PLATEAU["y"], PLATEAU["X_test"][::20])
    assert np.allclose(mine, theirs, atol=1e-9)
    assert np.allclose(
        univariate_kernel_limit(params, X.T, torch.as_tensor(PLATEAU["y"])[None], X.T)[0].numpy(),
        PLATEAU["y"],
        atol=1e-9,
    )  # it interpolates


def test_a_member_of_a_batch_equals_the_same_run_alone():
    """Members finish at different steps (large alpha first) and leave the batch: the others go on
    unchanged."""
    x, y, grid = (np.stack([d] * 3) for d in (PLATEAU["X"][:, 0], PLATEAU["y"], PLATEAU["X_test"][::10, 0]))
    batch = train_univariate(
        x, y, [0.1, 3.0, 10.0], [0, 1, 2], 200, balance=0.5, grid=grid, max_steps=1000, tol=1e-4
    )
    assert batch["steps"].min() < batch["steps"].max() == 1000  # some left early, one ran to the end
    for m, (alpha, seed) in enumerate(zip([0.1, 3.0, 10.0], [0, 1, 2])):
        alone = train_univariate(
            x[:1], y[:1], [alpha], [seed], 200, balance=0.5, grid=grid[:1], max_steps=1000, tol=1e-4
        )
        assert alone["steps"][0] == batch["steps"][m]
        assert np.allclose(alone["prediction"][0], batch["prediction"][m], rtol=1e-10, atol=1e-12)


def test_small_alpha_gives_the_linear_spline_and_large_alpha_the_kernel_limit():
    """The paper's fig. 7 on a narrow net: alpha = 0.03 at the standard balance heads for the linear
    spline, far closer to it than the kernel limit from the same draw; alpha = 100 at p = 1/2 trains to its
    own kernel limit, which differs from the standard balance's.  Would catch a gradient of the wrong
    scale or sign in a layer, or a kernel limit that is not the lazy network's."""
    grid = PLATEAU["X_test"][::4, 0]
    ref = spline_references(PLATEAU["X"][:, 0], PLATEAU["y"], grid)
    x, y = PLATEAU["X"][:, 0][None], PLATEAU["y"][None]
    scale = np.sqrt(np.mean(PLATEAU["y"] ** 2))

    def rms(a):
        return float(np.sqrt(np.mean(np.square(a)))) / scale

    rich = train_univariate(x, y, [0.03], [0], 150, grid=grid[None], max_steps=4000, tol=1e-8)
    assert not rich["diverged"].any()
    assert rms(rich["prediction"][0] - ref["linear"]) < min(
        0.06, 0.6 * rms(rich["kernel_prediction"][0] - ref["linear"])
    )
    lazy = train_univariate(x, y, [100.0], [0], 150, balance=0.5, grid=grid[None], max_steps=2000, tol=1e-6)
    assert lazy["converged"][0] and rms(lazy["prediction"][0] - lazy["kernel_prediction"][0]) < 0.03
    assert rms(rich["kernel_prediction"][0] - lazy["kernel_prediction"][0]) > 0.05


def test_the_jacobian_equals_autograds():
    """The implicit steps' Jacobian (w, b, a in that order): would catch a dropped x or a mislaid block."""
    from regimes.networks.univariate import _jacobian

    params = init_univariate(30, [0.7, 2.0], [0, 1], balance=0.25)
    x = _x(PLATEAU, 2)
    J = jacrev(lambda p: _function(p, x))(params)
    for m in range(2):
        direct = torch.cat([J[k][m, :, m] for k in ("w", "b", "a")], dim=1)
        assert torch.allclose(_jacobian(params, x)[m], direct, atol=1e-12)


def test_implicit_steps_land_on_the_kernel_limit_where_explicit_steps_stop_short():
    """At the standard balance and a large alpha the explicit steps are tiny (the kernel's largest
    eigenvalue grows as alpha^2) and the flow's last decades take far more of them than the budget; with
    implicit steps the run reaches its tolerance in the same budget and lands on the exact kernel-regime
    limit, and at small alpha (rich: kinks move) it trains to the same function as the explicit steps do."""
    grid = PLATEAU["X_test"][::4, 0][None]
    x, y = PLATEAU["X"][:, 0][None], PLATEAU["y"][None]
    scale = np.sqrt(np.mean(PLATEAU["y"] ** 2))
    settings = dict(grid=grid, max_steps=3000, tol=1e-8)
    explicit = train_univariate(x, y, [3.0], [0], 200, **settings)
    implicit = train_univariate(x, y, [3.0], [0], 200, rtol=1e-2, **settings)
    assert not explicit["converged"][0] and implicit["converged"][0] and implicit["implicit_steps"][0] > 0
    gap = np.sqrt(np.mean((implicit["prediction"][0] - implicit["kernel_prediction"][0]) ** 2)) / scale
    assert gap < 0.01
    rich = dict(grid=grid, max_steps=6000, tol=1e-8)
    plain = train_univariate(x, y, [0.1], [0], 60, **rich)
    both = train_univariate(x, y, [0.1], [0], 60, rtol=1e-2, **rich)
    assert both["implicit_steps"][0] > 0  # some were taken on the way
    assert np.sqrt(np.mean((plain["prediction"][0] - both["prediction"][0]) ** 2)) / scale < 1e-3
