"""Non-linear networks: centring, frozen layers and the generic kernel limit, checked against exact
answers (linear models, where gradient flow's limit is the minimum-norm interpolant)."""

import numpy as np
import pytest
import torch
from torch import nn

from regimes.networks.architectures import Centred, build, relu_student, univariate_network
from regimes.networks.data import univariate_points
from regimes.networks.exact import kernel_prediction, spline_references
from regimes.networks.ntk import empirical_ntk, ntk_from_jacobian, trainable


@pytest.mark.parametrize("alpha", [0.1, 10.0])
def test_centring_makes_the_initial_predictor_zero(alpha):
    x = torch.linspace(-1, 1, 50, dtype=torch.float64)[:, None]
    uni = univariate_network(300, alpha, seed=0)
    assert torch.count_nonzero(uni(x)) == 0
    assert torch.count_nonzero(uni.net(x)) > 0  # the network itself is not zero
    student = relu_student(2, 30, 3, alpha, seed=1, centre=True)
    assert torch.count_nonzero(student(torch.randn(20, 2, dtype=torch.float64))) == 0
    net = build("mlp", (10,), 16, 3, 4, alpha, seed=2, centre=True)
    assert torch.count_nonzero(net(torch.randn(8, 10))) == 0
    assert torch.count_nonzero(build("mlp", (10,), 16, 3, 4, alpha, seed=2)(torch.randn(8, 10))) > 0


def test_centred_network_keeps_its_tangent_kernel_and_moves_after_a_step():
    net = build("mlp", (6,), 12, 3, 3, 1.0, seed=0, dtype=torch.float64)
    centred = Centred(net)
    x = torch.randn(9, 6, dtype=torch.float64)
    assert set(trainable(centred)) == {f"net.{k}" for k in trainable(net)}
    assert torch.allclose(empirical_ntk(centred, x), ntk_from_jacobian(net, x), atol=1e-10)
    with torch.no_grad():
        net[1].weight.add_(0.1)
    assert torch.count_nonzero(centred(x)) > 0


def test_random_features_train_only_the_last_layer():
    model = build("rf", (6,), 12, 3, 3, 1.0, seed=0, dtype=torch.float64)
    assert set(trainable(model)) == {"5.weight", "5.bias"}
    x = torch.randn(7, 6, dtype=torch.float64)
    with torch.no_grad():
        phi = model[:-1](x)
    expected = 3 * (phi @ phi.T + 1.0)  # three outputs, each the last layer's linear kernel (+ bias)
    assert torch.allclose(empirical_ntk(model, x), expected, atol=1e-10)
    assert torch.allclose(ntk_from_jacobian(model, x), expected, atol=1e-10)


def _linear_model(d, seed):
    torch.manual_seed(seed)
    return nn.Linear(d, 1, bias=False).double()


def test_kernel_prediction_of_a_linear_model_is_the_min_norm_interpolant():
    gen = np.random.default_rng(0)
    X, X_new = gen.standard_normal((5, 12)), gen.standard_normal((4, 12))
    y = gen.standard_normal(5)
    model = _linear_model(12, 0)
    w0 = model.weight.detach().numpy()[0]
    w = w0 + np.linalg.lstsq(X, y - X @ w0, rcond=None)[0]  # min ||w - w0|| with X w = y
    assert np.allclose(kernel_prediction(model, X, y, X_new), X_new @ w, atol=1e-10)
    assert np.allclose(kernel_prediction(model, X, y, X), y, atol=1e-10)


def test_univariate_points_and_splines():
    data = univariate_points(7, seed=0)
    x = data["X"][:, 0]
    assert np.all(np.diff(x) > 0) and x.min() >= -1.1 and x.max() <= 1.1
    refs = spline_references(x, data["y"], x)
    assert np.allclose(refs["linear"], data["y"]) and np.allclose(refs["cubic"], data["y"])
