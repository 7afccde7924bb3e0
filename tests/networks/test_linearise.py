"""Iterative linearisation against exact facts (docs/science.md secs. 2.1, 2.4)."""

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.func import functional_call, jacrev

from regimes.diagonal.exact import min_l2_interpolant
from regimes.diagonal.train import train_diagonal
from regimes.networks.architectures import build
from regimes.networks.linearise import (
    LinearisedModel,
    feature_updates,
    loss_fn,
    minibatches,
    train_iteratively_linearised,
)

from ..conftest import small_problem


def _data(n=64, d=6, classes=3, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, d, generator=g, dtype=dtype)
    y = torch.randint(0, classes, (n,), generator=g)
    return {"X": X, "y": y, "X_test": X[:16], "y_test": y[:16]}


def _mlp(seed=0, d=6, classes=3, width=16, depth=3):
    return build("mlp", (d,), width, depth, classes, alpha=1.0, seed=seed, dtype=torch.float64)


def _flat(weights):
    return (
        torch.cat([w.detach().reshape(-1) for w in weights.values()])
        if isinstance(weights, dict)
        else np.asarray(weights)
    )


@pytest.mark.parametrize("loss,batch_size,momentum", [("mse", None, 0.0), ("ce", 16, 0.9)])
def test_K1_equals_plain_training_step_by_step(loss, batch_size, momentum):
    data = _data()
    steps = 25
    run = train_iteratively_linearised(
        _mlp(),
        data,
        K=1,
        steps=steps,
        lr=0.05,
        batch_size=batch_size,
        loss=loss,
        momentum=momentum,
        record_every=5,
        probe_size=8,
    )
    plain = _mlp()
    opt = torch.optim.SGD(plain.parameters(), lr=0.05, momentum=momentum)
    criterion = loss_fn(loss)
    batches = minibatches(64, batch_size, 0)
    losses = []
    for step in range(1, steps + 1):
        idx = next(batches)
        xb, yb = (data["X"], data["y"]) if idx is None else (data["X"][idx], data["y"][idx])
        opt.zero_grad()
        criterion(plain(xb), yb).backward()
        opt.step()
        if step % 5 == 0:
            losses.append(float(criterion(plain(data["X"]), data["y"]).detach()))
    np.testing.assert_allclose(
        run["final_weights"], _flat(dict(plain.named_parameters())).numpy(), rtol=1e-10, atol=1e-12
    )
    np.testing.assert_allclose(run["train_loss"][1:], losses, rtol=1e-10)


def test_K_steps_match_the_closed_form_block():
    """Full batch, squared loss: K steps on the linearised model move the weights by
    -[I - (I - eta G)^K] G^+ g with G = J^T J / n (docs/science.md sec. 2.4)."""
    data = _data(n=10, d=4, classes=2)
    model = _mlp(d=4, classes=2, width=5, depth=2)
    params = {k: v.detach() for k, v in model.named_parameters()}
    w0 = _flat(params)
    sizes = [v.numel() for v in params.values()]

    def f(flat):
        chunks = torch.split(flat, sizes)
        p = {k: c.reshape(v.shape) for (k, v), c in zip(params.items(), chunks)}
        return functional_call(model, p, (data["X"],)).reshape(-1)

    J = jacrev(f)(w0)
    n = data["X"].shape[0]
    target = nn.functional.one_hot(data["y"], 2).double().reshape(-1)
    G = J.T @ J / n
    g = J.T @ (f(w0) - target) / n
    eta, K = 0.3, 7
    evals, evecs = torch.linalg.eigh(G)
    keep = evals > 1e-12 * evals.max()
    factor = torch.zeros_like(evals)
    factor[keep] = (1 - (1 - eta * evals[keep]) ** K) / evals[keep]
    expected = w0 - evecs @ (factor * (evecs.T @ g))
    run = train_iteratively_linearised(
        model, data, K=K, steps=K, lr=eta, batch_size=None, loss="mse", record_every=K, probe_size=4
    )
    np.testing.assert_allclose(run["final_weights"], expected.numpy(), rtol=1e-9, atol=1e-11)
    assert run["feature_updates"][-1] == 1


@pytest.mark.parametrize("K", [1, 3, 50, "inf"])
def test_linear_model_is_unchanged_by_linearisation(K):
    data = _data()
    torch.manual_seed(3)
    linear = nn.Sequential(nn.Linear(6, 3)).double()
    reference = train_iteratively_linearised(
        linear, data, K=1, steps=30, lr=0.1, batch_size=16, record_every=10, probe_size=8
    )
    run = train_iteratively_linearised(
        linear, data, K=K, steps=30, lr=0.1, batch_size=16, record_every=10, probe_size=8
    )
    np.testing.assert_allclose(run["final_weights"], reference["final_weights"], rtol=1e-10, atol=1e-12)


def test_K_inf_keeps_the_initial_kernel_and_K1_moves_it():
    data = _data()
    frozen = train_iteratively_linearised(
        _mlp(), data, K="inf", steps=60, lr=0.05, record_every=20, probe_size=16
    )
    moving = train_iteratively_linearised(
        _mlp(), data, K=1, steps=60, lr=0.05, record_every=20, probe_size=16
    )
    assert np.all(frozen["kernel_distance"] < 1e-12) and frozen["feature_updates"][-1] == 0
    assert moving["kernel_distance"][-1] > 1e-4 and moving["feature_updates"][-1] == 60


def test_taylor_model_matches_network_at_the_anchor_and_to_first_order():
    model = _mlp()
    lin = LinearisedModel(model)
    x = torch.randn(5, 6, dtype=torch.float64)
    torch.testing.assert_close(lin(x), model(x))
    with torch.no_grad():
        for k in lin.weights:
            lin.weights[k] += 1e-4 * torch.randn_like(lin.weights[k])
    moved = functional_call(model, {k: v.detach() for k, v in lin.weights.items()}, (x,))
    assert (lin(x) - moved).abs().max() < 1e-5 * moved.abs().max()  # second-order difference


def test_feature_updates():
    assert (
        feature_updates(1, 100) == 100 and feature_updates(30, 100) == 3 and feature_updates("inf", 100) == 0
    )


def test_lr_from_the_initial_kernel_is_reported():
    run = train_iteratively_linearised(
        _mlp(), _data(), K="inf", steps=10, lr=None, step_scale=1.0, record_every=5, probe_size=16
    )
    assert 0 < float(run["lr"]) < math.inf and not run["diverged"]


@pytest.mark.parametrize("depth", [2, 3])
def test_diagonal_K_inf_reaches_min_l2_at_every_alpha(depth):
    data = [small_problem(seed=s) for s in (0, 1)]
    X, y = np.stack([d["X"] for d in data]), np.stack([d["y"] for d in data])
    for alpha in (1e-3, 0.1, 10.0):
        res = train_diagonal(X, y, alpha, depth, K="inf", max_steps=60000)
        assert res.converged.all()
        for i in range(2):
            l2 = min_l2_interpolant(X[i], y[i])
            assert np.linalg.norm(res.beta[i] - l2) / np.linalg.norm(l2) < 1e-3


def test_diagonal_K1_is_the_plain_trainer_and_K_moves_toward_kernel():
    data = [small_problem(seed=0)]
    X, y = np.stack([d["X"] for d in data]), np.stack([d["y"] for d in data])
    a = train_diagonal(X, y, 0.01, 2)
    b = train_diagonal(X, y, 0.01, 2, K=1)
    assert np.array_equal(a.beta, b.beta)
    l1_norms = [np.abs(train_diagonal(X, y, 0.01, 2, K=K).beta[0]).sum() for K in (1, 100, "inf")]
    assert l1_norms[0] < l1_norms[1] < l1_norms[2]
