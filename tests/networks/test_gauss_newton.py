"""Iterative linearisation against damped Gauss-Newton: the round's closed form against training the
Taylor model step by step, and the K = inf round against the pseudo-inverse computed directly.

What these catch: a wrong spectral filter (the K-step sum, the 1/n), a step in the wrong sign or units,
a Jacobian whose rows do not match the outputs' order, a damped step solved in the wrong space.
"""

import math

import numpy as np
import torch

from regimes.networks.architectures import build
from regimes.networks.gauss_newton import (
    damped_gauss_newton_step,
    flat_jacobian,
    gauss_newton_runs,
    linearisation_step,
)
from regimes.networks.linearise import train_iteratively_linearised
from regimes.networks.ntk import trainable


def _problem(n=12, seed=0):
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 6, generator=gen, dtype=torch.float64)
    y = torch.randint(0, 3, (n,), generator=gen)
    model = build("mlp", (6,), 5, 2, 3, 1.0, seed, dtype=torch.float64)
    template = {k: v.detach() for k, v in trainable(model).items()}
    w = torch.cat([v.reshape(-1) for v in template.values()])
    f, J = flat_jacobian(model, w, X, template)
    r = f - torch.nn.functional.one_hot(y, 3).double().reshape(-1)
    return model, X, y, w, J, r


def test_jacobian_matches_finite_differences():
    model, X, y, w, J, _ = _problem()
    template = {k: v.detach() for k, v in trainable(model).items()}
    v = torch.randn(w.numel(), generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    h = 1e-7
    up, _ = flat_jacobian(model, w + h * v, X, template)
    down, _ = flat_jacobian(model, w - h * v, X, template)
    np.testing.assert_allclose(J @ v, (up - down) / (2 * h), rtol=1e-6, atol=1e-8)


def test_a_round_equals_K_steps_of_gradient_descent_on_the_taylor_model():
    model, X, y, w, J, r = _problem()
    n = X.shape[0]
    lr = 0.5 / float(torch.linalg.eigvalsh(J @ J.T / n)[-1])
    for K in (1, 7, 40):
        trained = train_iteratively_linearised(
            build("mlp", (6,), 5, 2, 3, 1.0, 0, dtype=torch.float64),
            {"X": X, "y": y, "X_test": X, "y_test": y},
            K=K,
            steps=K,
            lr=lr,
            loss="mse",
            record_every=K,
            probe_size=4,
        )
        np.testing.assert_allclose(
            trained["final_weights"] - w.numpy(),
            linearisation_step(J, r, lr, K, n).numpy(),
            rtol=1e-8,
            atol=1e-11,
        )


def test_the_K_inf_round_is_the_pseudo_inverse_gauss_newton_step():
    _, X, _, _, J, r = _problem()
    n = X.shape[0]
    pinv = -torch.linalg.pinv(J) @ r
    np.testing.assert_allclose(linearisation_step(J, r, 0.1, "inf", n), pinv, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(damped_gauss_newton_step(J, r, 0.0, n), pinv, rtol=1e-10, atol=1e-12)
    # and many finite steps converge to it (the residual's null-space part never moves)
    lr = 1.0 / float(torch.linalg.eigvalsh(J @ J.T / n)[-1])
    np.testing.assert_allclose(linearisation_step(J, r, lr, 10**7, n), pinv, rtol=1e-5, atol=1e-7)


def test_the_damped_step_solves_the_regularised_normal_equations():
    _, X, _, _, J, r = _problem()
    n, P = X.shape[0], J.shape[1]
    mu = 0.3
    direct = -torch.linalg.solve(J.T @ J / n + mu * torch.eye(P, dtype=J.dtype), J.T @ r / n)
    np.testing.assert_allclose(damped_gauss_newton_step(J, r, mu, n), direct, rtol=1e-8, atol=1e-11)


def test_runs_follow_both_methods_and_agree_where_the_damping_matches():
    model, X, y, *_ = _problem(n=30)
    data = {"X": X, "y": y, "X_test": X, "y_test": y}
    inf = gauss_newton_runs(build("mlp", (6,), 5, 2, 3, 1.0, 0, dtype=torch.float64), data, "inf", rounds=3)
    assert inf["mu"] == 0.0 and np.allclose(inf["cosine"][1:], 1.0)  # the same step at K = inf
    one = gauss_newton_runs(
        build("mlp", (6,), 5, 2, 3, 1.0, 0, dtype=torch.float64), data, 1, rounds=3, step_scale=0.5
    )
    assert math.isclose(float(one["mu"]), 1.0 / float(one["lr"]))
    assert (
        one["il_train_loss"][-1] < one["il_train_loss"][0]
        and one["gn_train_loss"][-1] < one["gn_train_loss"][0]
    )
    assert (one["cosine"][1:] > 0.5).all()
