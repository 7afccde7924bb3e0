"""Every network of the project: an MLP, mnist1d's ConvNet and LeNet-like CNNs (the K-axis and
non-linear experiments), the papers' LeNet-5 and VGG11-like networks (the paper tier),
ReLU students of the circle teacher, and the univariate network (Woodworth et al. 2020, sec. 7;
Goldwaser & Ge 2023; docs/science.md secs. 1.7 and 2.3).

``depth`` counts weight layers (an MLP of depth 3 has two hidden layers; a CNN of depth 3 has two conv
blocks and a linear head); ``width`` is the hidden width (CNN: channels of the first conv block).
Initialisation is He (Kaiming) times ``alpha`` for every weight (``he_init``): normal, or uniform where
the paper says so (``vgg11``, registered with ``init="he_uniform"``); biases zero unless drawn.
``rf`` (random features) is the MLP with every layer but the last frozen at initialisation: training only
the last layer, the kernel-end baseline of the non-linear experiments.  ``Centred`` subtracts a network's
initial function.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from .registry import ARCHITECTURES, resolve

__all__ = [
    "ARCHITECTURES",
    "build",
    "mlp",
    "mlp_builder",
    "cnn",
    "lenet",
    "lenet5",
    "vgg11",
    "Centred",
    "he_init",
    "relu_student",
    "univariate_network",
]


def mlp(d_in: int, width: int, depth: int, d_out: int) -> nn.Sequential:
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}")
    layers: list[nn.Module] = [nn.Flatten()]
    sizes = [d_in] + [width] * (depth - 1)
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), nn.ReLU()]
    layers.append(nn.Linear(sizes[-1], d_out))
    return nn.Sequential(*layers)


def mlp_builder(shape, width: int, depth: int, d_out: int) -> nn.Sequential:
    """The MLP on flattened inputs of ``shape`` (the registry's builder signature)."""
    return mlp(math.prod(shape), width, depth, d_out)


def cnn(shape: tuple[int, ...], width: int, depth: int, d_out: int) -> nn.Sequential:
    """mnist1d's reference ConvNet, generalised: (depth - 1) convolutions of ``width`` channels, stride 2
    and padding 1 (kernel 5 first, then 3; 3 throughout on images), each with a ReLU, then a linear head.
    On mnist1d (40 points) at width 25 and depth 4 it is the data set's own 5 210-parameter model."""
    if depth < 2:
        raise ValueError(f"a CNN needs depth >= 2 (one convolution and the head), got {depth}")
    spatial = list(shape[1:])
    conv = nn.Conv1d if len(spatial) == 1 else nn.Conv2d
    layers: list[nn.Module] = [nn.Unflatten(1, tuple(shape))]
    channels = shape[0]
    for block in range(depth - 1):
        kernel = 5 if (block == 0 and len(spatial) == 1) else 3
        spatial = [(s + 2 - kernel) // 2 + 1 for s in spatial]
        if min(spatial) < 1:
            raise ValueError(f"depth {depth} strides the input {tuple(shape)} away")
        layers += [conv(channels, width, kernel, stride=2, padding=1), nn.ReLU()]
        channels = width
    layers += [nn.Flatten(), nn.Linear(channels * math.prod(spatial), d_out)]
    return nn.Sequential(*layers)


def lenet(shape: tuple[int, ...], width: int, depth: int, d_out: int) -> nn.Sequential:
    """LeNet-like: (depth - 1) blocks of conv + ReLU + 2x max-pool (channels doubling from ``width``),
    then a linear head."""
    if depth < 2:
        raise ValueError(f"a CNN needs depth >= 2 (one conv block and the head), got {depth}")
    spatial = shape[1:]
    conv, pool = (nn.Conv1d, nn.MaxPool1d) if len(spatial) == 1 else (nn.Conv2d, nn.MaxPool2d)
    kernel = 5 if len(spatial) == 1 else 3
    layers: list[nn.Module] = [nn.Unflatten(1, tuple(shape))]
    channels = shape[0]
    size = list(spatial)
    for block in range(depth - 1):
        out = width * 2**block
        layers += [conv(channels, out, kernel, padding=kernel // 2), nn.ReLU(), pool(2)]
        channels = out
        size = [s // 2 for s in size]
        if min(size) < 1:
            raise ValueError(f"depth {depth} pools the input {tuple(shape)} away")
    layers += [nn.Flatten(), nn.Linear(channels * math.prod(size), d_out)]
    return nn.Sequential(*layers)


def _conv_pool(spatial):
    return (nn.Conv1d, nn.MaxPool1d) if len(spatial) == 1 else (nn.Conv2d, nn.MaxPool2d)


def lenet5(shape: tuple[int, ...], width: int, depth: int, d_out: int) -> nn.Sequential:
    """LeNet-5 (Goldwaser & Ge's CIFAR-10 network): conv 5x5 (``width`` channels, 6 in LeNet-5) + ReLU +
    2x max-pool, conv 5x5 (16/6 ``width``) + ReLU + pool, then linear layers of 120 and 84 units (scaled
    by ``width`` / 6) and the head: 5 weight layers, so ``depth`` must be 5.  The first convolution pads
    by 2 on inputs smaller than 32 (LeNet-5's own treatment of MNIST's 28 x 28)."""
    if depth != 5:
        raise ValueError(f"lenet5 has 5 weight layers: depth must be 5, got {depth}")
    spatial = list(shape[1:])
    conv, pool = _conv_pool(spatial)
    scale = width / 6
    c1, c2, f1, f2 = width, max(1, round(16 * scale)), max(1, round(120 * scale)), max(1, round(84 * scale))
    pad = 2 if min(spatial) < 32 else 0
    size = [((s + 2 * pad - 4) // 2 - 4) // 2 for s in spatial]
    if min(size) < 1:
        raise ValueError(f"lenet5 needs inputs of at least 12 x 12; got {tuple(shape)}")
    return nn.Sequential(
        nn.Unflatten(1, tuple(shape)),
        conv(shape[0], c1, 5, padding=pad),
        nn.ReLU(),
        pool(2),
        conv(c1, c2, 5),
        nn.ReLU(),
        pool(2),
        nn.Flatten(),
        nn.Linear(c2 * math.prod(size), f1),
        nn.ReLU(),
        nn.Linear(f1, f2),
        nn.ReLU(),
        nn.Linear(f2, d_out),
    )


VGG11 = (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M")


def vgg11(shape: tuple[int, ...], width: int, depth: int, d_out: int) -> nn.Sequential:
    """Woodworth et al.'s VGG11-like network (fig. 6d, 8): 64-M-128-M-256-256-M-512-512-M-512-512-M-FC,
    3x3 convolutions without bias (channels scaled by ``width`` / 64), ReLU, 2x max-pools, one linear
    head: 9 weight layers, so ``depth`` must be 9.  Needs inputs of at least 32 x 32 (five pools)."""
    if depth != 9:
        raise ValueError(
            f"vgg11 has 9 weight layers (8 convolutions and the head): depth must be 9, got {depth}"
        )
    spatial = list(shape[1:])
    if min(spatial) < 32:
        raise ValueError(f"vgg11 pools five times: it needs inputs of at least 32 x 32, got {tuple(shape)}")
    conv, pool = _conv_pool(spatial)
    layers: list[nn.Module] = [nn.Unflatten(1, tuple(shape))]
    channels = shape[0]
    for item in VGG11:
        if item == "M":
            layers.append(pool(2))
            spatial = [s // 2 for s in spatial]
        else:
            out = max(1, round(item * width / 64))
            layers += [conv(channels, out, 3, padding=1, bias=False), nn.ReLU()]
            channels = out
    layers += [nn.Flatten(), nn.Linear(channels * math.prod(spatial), d_out)]
    return nn.Sequential(*layers)


class Centred(nn.Module):
    """``f(x; w) - f(x; w_0)``: the network minus a frozen copy of itself at initialisation, so the
    predictor is exactly zero at initialisation while the tangent kernel is the network's own."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net
        self.initial = copy.deepcopy(net).requires_grad_(False)

    def forward(self, x):
        return self.net(x) - self.initial(x)


def he_init(
    model: nn.Module, alpha: float, gen: torch.Generator, bias_std: float | None = None, uniform: bool = False
) -> None:
    """He weights times ``alpha`` for every linear and convolutional layer, drawn in layer order from
    ``gen`` in the layer's dtype: normal, ``N(0, 2 / fan_in) * alpha``, or with ``uniform``
    ``U(-sqrt(6 / fan_in), sqrt(6 / fan_in)) * alpha`` (the same variance).  Biases: zero with
    ``bias_std=None`` (no draw); otherwise drawn after their layer's weight, ``N(0, bias_std^2) * alpha``."""
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, (nn.Linear, nn.Conv1d, nn.Conv2d)):
                fan_in = module.weight[0].numel()
                if uniform:
                    bound = math.sqrt(6.0 / fan_in)
                    draw = (
                        torch.rand(module.weight.shape, generator=gen, dtype=module.weight.dtype) * 2 - 1
                    ) * bound
                else:
                    draw = torch.randn(
                        module.weight.shape, generator=gen, dtype=module.weight.dtype
                    ) * math.sqrt(2.0 / fan_in)
                module.weight.copy_(draw * alpha)
                if module.bias is None:
                    continue
                if bias_std is None:
                    module.bias.zero_()
                else:
                    module.bias.copy_(
                        torch.randn(module.bias.shape, generator=gen, dtype=module.bias.dtype)
                        * bias_std
                        * alpha
                    )


def build(
    architecture: str,
    shape,
    width: int,
    depth: int,
    d_out: int,
    alpha: float,
    seed: int,
    dtype=torch.float32,
    centre: bool = False,
) -> nn.Module:
    """The network with He-normal weights scaled by ``alpha`` and zero biases, from ``seed``;
    ``centre=True`` wraps it in :class:`Centred`."""
    shape = tuple(int(s) for s in shape)
    gen = torch.Generator().manual_seed(int(seed))
    if architecture not in ARCHITECTURES:
        raise ValueError(
            f"architecture must be one of {tuple(ARCHITECTURES)} (registered), got {architecture!r}"
        )
    entry = ARCHITECTURES[architecture]
    model = resolve(entry.builder)(shape, width, depth, d_out)
    he_init(model, alpha, gen, uniform=entry.init == "he_uniform")
    if entry.last_layer_only:
        *hidden, _ = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d))]
        for module in hidden:
            module.requires_grad_(False)
    model = model.to(dtype)
    return Centred(model) if centre else model


def relu_student(
    d_in: int, width: int, depth: int, alpha: float, seed: int, *, centre: bool = False, dtype=torch.float64
) -> nn.Module:
    """A ReLU MLP with ``depth`` weight layers of ``width`` units, one output, He-normal weights times
    ``alpha`` and zero biases; ``centre=True`` subtracts its initial function."""
    model = mlp(d_in, width, depth, 1).to(dtype)
    he_init(
        model, alpha, torch.Generator().manual_seed(int(seed)), bias_std=0.0
    )  # the draws of the zero biases kept: same weights as ever
    return Centred(model) if centre else model


def univariate_network(width: int, alpha: float, seed: int, *, dtype=torch.float64) -> nn.Module:
    """``x -> sum_j a_j relu(w_j x + b_j)`` with He-normal ``w, a`` and ``b ~ N(0, 1)``, all times
    ``alpha`` (kinks spread over the data), centred: exactly zero at initialisation.  The output layer's
    bias is zero and frozen (the paper's parameters are ``(w, b, a)``).  The reference module of
    :mod:`regimes.networks.univariate`, which trains the same network by hand."""
    model = mlp(1, width, 2, 1).to(dtype)
    gen = torch.Generator().manual_seed(int(seed))
    he_init(model, alpha, gen, bias_std=1.0)
    with torch.no_grad():
        model[-1].bias.zero_()
    model[-1].bias.requires_grad_(False)
    return Centred(model)
