"""The empirical NTK against J J^T and the kernel distance's properties (docs/science.md secs. 2.2, 2.4)."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from regimes.kernels import kernel_distance
from regimes.networks.architectures import build
from regimes.networks.ntk import empirical_ntk, is_dense, ntk_dense, ntk_from_jacobian, ntk_layers, per_layer


def _explicit_ntk(model, x, per_output=False):
    """Row by row with autograd: the definition, no shared code with the routes under test (trainable
    parameters only; ``per_output``: ``(n, n, outputs, outputs)``)."""
    params = [p for p in model.parameters() if p.requires_grad]
    rows = []
    for i in range(x.shape[0]):
        out = model(x[i : i + 1])[0]
        rows.append(
            torch.stack(
                [
                    torch.cat([g.reshape(-1) for g in torch.autograd.grad(out[o], params, retain_graph=True)])
                    for o in range(out.shape[0])
                ]
            )
        )
    J = torch.stack(rows)  # (n, outputs, P)
    return torch.einsum("aop,bqp->aboq", J, J) if per_output else torch.einsum("aop,bop->ab", J, J)


@pytest.mark.parametrize("depth,width,seed", [(1, 7, 0), (2, 9, 1), (4, 5, 2)])
def test_dense_ntk_equals_jacobian_contraction(depth, width, seed):
    model = build("mlp", (6,), width, depth, 3, alpha=1.3, seed=seed, dtype=torch.float64)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))  # non-zero biases too
    x = torch.randn(11, 6, dtype=torch.float64)
    assert is_dense(model)
    reference = _explicit_ntk(model, x)
    torch.testing.assert_close(ntk_dense(model, x), reference, rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(ntk_from_jacobian(model, x, chunk=4), reference, rtol=1e-10, atol=1e-10)


ARCHITECTURES = [
    ("mlp", (1, 10), 6, 3),
    ("rf", (1, 10), 6, 3),  # every layer frozen but the last
    ("cnn", (1, 12), 3, 3),
    ("cnn", (1, 4, 4), 3, 3),
    ("lenet", (1, 12), 3, 3),
    ("lenet", (1, 8, 8), 3, 3),
    ("lenet5", (3, 32, 32), 2, 5),
    ("vgg11", (3, 32, 32), 1, 9),
]


@pytest.mark.parametrize("arch,shape,width,depth", ARCHITECTURES, ids=lambda v: str(v))
@pytest.mark.parametrize("route", ["gradients", "pairs"])
def test_the_per_layer_kernel_of_every_architecture_is_the_definition(arch, shape, width, depth, route):
    """Dense and convolutional layers (a convolution by per-input gradients, or by Grams per pair of
    positions), output-summed and per output, frozen layers left out: equal to the row-by-row definition
    to float64 rounding.  What this would catch: a patch laid out in another order than the convolution's
    weight, a stride, padding or dilation lost, a bias counted at each position or not at all."""
    model = build(arch, shape, width, depth, 4, alpha=1.0, seed=0, dtype=torch.float64)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))  # non-zero biases too
    x = torch.randn(5, int(np.prod(shape)), dtype=torch.float64)
    assert per_layer(model)
    for per_output in (False, True):
        reference = _explicit_ntk(model, x, per_output)
        got = ntk_layers(model, x, per_output=per_output, conv_route=route)
        torch.testing.assert_close(got, reference, rtol=1e-9, atol=1e-9 * reference.abs().max().item())
    torch.testing.assert_close(empirical_ntk(model, x), ntk_from_jacobian(model, x), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("arch,shape,width,depth", ARCHITECTURES, ids=lambda v: str(v))
def test_the_per_layer_jacobian_of_every_architecture_is_jacrevs(arch, shape, width, depth):
    """``jacobian_layers`` against ``torch.func.jacrev``, column for column in the parameters' order (frozen
    layers left out), to float64 rounding.  What this would catch: a weight's gradient flattened in
    another order than the weight, a block out of the parameters' order, a frozen layer's block kept."""
    from torch.func import functional_call, jacrev

    from regimes.networks.ntk import jacobian_layers, trainable

    model = build(arch, shape, width, depth, 4, alpha=1.0, seed=0, dtype=torch.float64)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    x = torch.randn(3, int(np.prod(shape)), dtype=torch.float64)
    params = {k: v.detach() for k, v in trainable(model).items()}
    out, jac = jacobian_layers(model, x, params)
    reference = jacrev(lambda p: functional_call(model, p, (x,)))(params)  # name -> (n, outputs, *shape)
    expected = torch.cat([reference[k].reshape(3, 4, -1) for k in params], dim=-1)
    torch.testing.assert_close(out, model(x).detach(), rtol=1e-12, atol=1e-12)
    torch.testing.assert_close(jac, expected, rtol=1e-10, atol=1e-10 * expected.abs().max().item())


def test_the_pairs_route_in_chunks_and_the_route_by_cost(monkeypatch):
    """The per-output pairs route split into one probe per chunk (a memory bound far below the kernel)
    equals the definition; summed over outputs the automatic route takes the cheaper contraction of each
    layer that fits.  What this would catch: a chunk written to the wrong columns, a route chosen against
    its cost or its memory."""
    from regimes.networks import ntk

    model = build("cnn", (1, 12), 3, 3, 4, alpha=1.0, seed=0, dtype=torch.float64)
    x = torch.randn(5, 12, dtype=torch.float64)
    reference = _explicit_ntk(model, x, True)
    monkeypatch.setattr(ntk, "_MEMORY", 50)
    got = ntk_layers(model, x, per_output=True, conv_route="pairs")
    torch.testing.assert_close(got, reference, rtol=1e-9, atol=1e-9 * reference.abs().max().item())
    # mnist1d's ConvNet on 100 probes, summed over outputs: its middle convolution (25 channels, 10
    # positions, 75 features) is cheaper by gradients, its last (5 positions) by pairs
    monkeypatch.setattr(ntk, "_MEMORY", 2**26)
    assert ntk._route("auto", 100, 10, 25, 10, 75, per_output=False) == "gradients"
    assert ntk._route("auto", 100, 10, 25, 5, 75, per_output=False) == "pairs"
    monkeypatch.setattr(ntk, "_MEMORY", 100)  # the pairs' Grams do not fit: gradients
    assert ntk._route("auto", 100, 10, 25, 5, 75, per_output=False) == "gradients"


def test_a_model_with_parameters_outside_linear_and_conv_layers_takes_the_jacobian_route():
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 5), torch.nn.LayerNorm(5), torch.nn.ReLU(), torch.nn.Linear(5, 2)
    ).double()
    x = torch.randn(6, 4, dtype=torch.float64)
    assert not per_layer(model)
    with pytest.raises(ValueError, match="outside Linear / Conv layers"):
        ntk_layers(model, x)
    torch.testing.assert_close(empirical_ntk(model, x), _explicit_ntk(model, x), rtol=1e-10, atol=1e-10)
    torch.testing.assert_close(
        empirical_ntk(model, x, per_output=True), _explicit_ntk(model, x, True), rtol=1e-10, atol=1e-10
    )


def test_ntk_at_other_parameters():
    model = build("mlp", (4,), 6, 3, 2, alpha=1.0, seed=0, dtype=torch.float64)
    other = {k: v.detach() + 0.3 for k, v in model.named_parameters()}
    x = torch.randn(6, 4, dtype=torch.float64)
    moved = build("mlp", (4,), 6, 3, 2, alpha=1.0, seed=0, dtype=torch.float64)
    with torch.no_grad():
        for k, p in moved.named_parameters():
            p.copy_(other[k])
    torch.testing.assert_close(ntk_dense(model, x, other), _explicit_ntk(moved, x), rtol=1e-10, atol=1e-10)


def _psd(seed, n=8):
    g = torch.Generator().manual_seed(seed)
    A = torch.randn(n, n + 2, generator=g, dtype=torch.float64)
    return A @ A.T


def test_kernel_distance_zero_for_identical_and_scaled():
    K = _psd(0)
    assert kernel_distance(K, K) == pytest.approx(0.0, abs=1e-12)
    assert kernel_distance(K, 7.5 * K) == pytest.approx(0.0, abs=1e-12)
    K2 = _psd(1)
    assert kernel_distance(K, K2) == pytest.approx(kernel_distance(3.0 * K, 0.2 * K2), abs=1e-12)
    assert kernel_distance(K, K2) > 0.01


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_kernel_distance_in_unit_interval(a, b):
    d = kernel_distance(_psd(a), _psd(b))
    assert 0.0 <= d <= 1.0
