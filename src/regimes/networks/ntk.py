"""Empirical neural tangent kernel on a probe set (Goldwaser & Ge 2023; docs/science.md sec. 2.2).

``Theta(x, x') = sum_o J_o(x) J_o(x')^T`` (summed over outputs).  For networks built from
``nn.Linear`` layers and elementwise activations (``nn.Sequential``) the kernel is a per-layer sum
(docs/science.md sec. 2.4): with ``A_l`` the layer's inputs and ``B_l^o = d f_o / d z_l`` its backward
signals,

    Theta = sum_l sum_o (B_l^o B_l^o^T) * (A_l A_l^T + 1)        (* elementwise, + 1 for the bias)

which needs one backward pass per output and n x n Gram matrices, never the n x P Jacobian.  Any other
model falls back to contracting Jacobians parameter by parameter (``ntk_from_jacobian``).  The distance
between two kernels is ``regimes.kernels.kernel_distance``.

``ntk_layers`` extends the per-layer route to convolutions and to the per-output kernel
``Theta[a, b, o, p] = J_o(x_a) . J_p(x_b)``: a convolution's weight gradient at one input is its backward
signals times its input patches, summed over positions, so its contribution is either that per-input
gradient contracted (small layers) or, per pair of positions, signal-Gram times patch-Gram summed over
the positions (few positions); whichever needs less memory.  It applies to any model whose trainable
parameters all belong to ``nn.Linear`` / ``nn.Conv1d`` / ``nn.Conv2d`` layers (ungrouped), each called
once per forward pass, with parameter-free operations between them (activations, pooling, reshapes).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call, jacrev, vmap

__all__ = [
    "empirical_ntk",
    "ntk_dense",
    "ntk_layers",
    "ntk_from_jacobian",
    "is_dense",
    "per_layer",
    "trainable",
]

_ELEMENTWISE = (
    nn.ReLU,
    nn.Tanh,
    nn.Sigmoid,
    nn.GELU,
    nn.SiLU,
    nn.Identity,
    nn.LeakyReLU,
    nn.Softplus,
    nn.ELU,
)


def trainable(model: nn.Module) -> dict:
    """The parameters that training moves (``requires_grad``); frozen ones are part of the function."""
    return {k: v for k, v in model.named_parameters() if v.requires_grad}


def is_dense(model: nn.Module) -> bool:
    """An ``nn.Sequential`` of ``nn.Linear`` layers and elementwise activations (optionally ``nn.Flatten``
    first)."""
    if not isinstance(model, nn.Sequential):
        return False
    layers = list(model)
    if layers and isinstance(layers[0], nn.Flatten):
        layers = layers[1:]
    return all(isinstance(m, (nn.Linear,) + _ELEMENTWISE) for m in layers) and any(
        isinstance(m, nn.Linear) for m in layers
    )


def ntk_dense(model: nn.Sequential, x: torch.Tensor, params: dict | None = None) -> torch.Tensor:
    """Per-layer NTK of a dense network: ``(n, n)``, summed over outputs; layers whose weight is not in
    ``params`` (frozen) pass signals but add nothing (``ntk_layers`` on a dense network)."""
    return ntk_layers(model, x, params)


_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d)


def per_layer(model: nn.Module, params: dict | None = None) -> bool:
    """Whether ``ntk_layers`` applies: every trainable parameter is the weight or bias of an ungrouped
    ``nn.Linear`` / ``nn.Conv1d`` / ``nn.Conv2d`` (every other module without trainable parameters)."""
    params = trainable(model) if params is None else params
    owned = set()
    for name, module in model.named_modules():
        if isinstance(module, _LAYERS):
            if getattr(module, "groups", 1) != 1 or (
                isinstance(module, (nn.Conv1d, nn.Conv2d)) and isinstance(module.padding, str)
            ):
                return False
            owned |= {f"{name}.{k}" if name else k for k, _ in module.named_parameters(recurse=False)}
    return bool(params) and set(params) <= owned


def _patches(module: nn.Module, a: torch.Tensor) -> torch.Tensor:
    """A layer's input as ``(n, positions, features)``: a linear layer's as it is (one position, or the
    leading axes it is applied over), a convolution's as its receptive-field patches."""
    if isinstance(module, nn.Linear):
        return a.reshape(a.shape[0], -1, a.shape[-1])
    if isinstance(module, nn.Conv1d):
        a = a.unsqueeze(-2)
        kernel, stride = (1, module.kernel_size[0]), (1, module.stride[0])
        padding, dilation = (0, module.padding[0]), (1, module.dilation[0])
    else:
        kernel, stride, padding, dilation = module.kernel_size, module.stride, module.padding, module.dilation
    cols = torch.nn.functional.unfold(a, kernel, dilation=dilation, padding=padding, stride=stride)
    return cols.transpose(1, 2)  # (n, positions, C_in * prod(kernel))


def ntk_layers(
    model: nn.Module,
    x: torch.Tensor,
    params: dict | None = None,
    *,
    per_output: bool = False,
    conv_route: str = "auto",
) -> torch.Tensor:
    """The empirical NTK layer by layer (see the module's docstring), ``(n, n)`` summed over outputs, or
    ``(n, n, outputs, outputs)`` with ``per_output``; layers whose parameters are not in ``params``
    (frozen) pass signals but add nothing.  Requires ``per_layer(model, params)``.  ``conv_route``: how a
    layer applied at several positions contributes, ``"gradients"`` (per-input gradients contracted),
    ``"pairs"`` (Grams per pair of positions) or ``"auto"`` (the one needing less memory)."""
    if conv_route not in ("auto", "gradients", "pairs"):
        raise ValueError(f"conv_route must be 'auto', 'gradients' or 'pairs', got {conv_route!r}")
    from torch.func import functional_call

    params = trainable(model) if params is None else params
    if not per_layer(model, params):
        raise ValueError("ntk_layers: the model has trainable parameters outside Linear / Conv layers")
    layers = [(name, m) for name, m in model.named_modules() if isinstance(m, _LAYERS)]
    seen: dict[str, list] = {name: [] for name, _ in layers}

    def hook(name):
        def record(module, inputs, output):
            if not output.requires_grad:  # the first layer: its output is where the signals start
                output = output.detach().requires_grad_(True)
            seen[name].append((inputs[0].detach(), output))
            return output

        return record

    handles = [m.register_forward_hook(hook(name)) for name, m in layers]
    try:
        values = {k: v.detach() for k, v in model.named_parameters()}
        values.update({k: v.detach() for k, v in params.items()})
        out = functional_call(model, values, (x,))
    finally:
        for handle in handles:
            handle.remove()
    if any(len(v) > 1 for v in seen.values()):
        raise ValueError("ntk_layers: a layer is called more than once per forward pass")
    used = [(name, m, seen[name][0]) for name, m in layers if seen[name]]
    out = out.reshape(out.shape[0], -1)
    n, outputs = out.shape
    eye = torch.eye(outputs, dtype=out.dtype, device=out.device)
    signals = [[] for _ in used]  # per layer, per output: d f_o / d z_l, (n, positions, channels)
    for o in range(outputs):
        grads = torch.autograd.grad(
            out,
            [z for _, _, (_, z) in used],
            grad_outputs=eye[o].expand(n, outputs),
            retain_graph=o < outputs - 1,
        )
        for store, g, (_, module, _) in zip(signals, grads, used):
            if isinstance(module, nn.Linear):
                store.append(g.reshape(n, -1, g.shape[-1]))
            else:
                store.append(g.reshape(n, g.shape[1], -1).transpose(1, 2))
    shape = (n, n, outputs, outputs) if per_output else (n, n)
    kernel = torch.zeros(shape, dtype=out.dtype, device=out.device)
    for (name, module, (a, _)), signal in zip(used, signals):
        prefix = f"{name}." if name else ""
        weight, bias = f"{prefix}weight" in params, f"{prefix}bias" in params and module.bias is not None
        if not (weight or bias):
            continue
        patches = _patches(module, a)  # (n, L, F)
        g = torch.stack(signal)  # (outputs, n, L, C)
        positions, features, channels = patches.shape[1], patches.shape[2], g.shape[-1]
        if positions == 1:  # Gram of signals times Gram of inputs (+ 1 for the bias)
            gram = (
                patches[:, 0] @ patches[:, 0].T
                if weight
                else torch.zeros(n, n, dtype=out.dtype, device=out.device)
            )
            gram = gram + (1.0 if bias else 0.0)
            s = g[:, :, 0]  # (outputs, n, C)
            if per_output:
                kernel += torch.einsum("oac,pbc->abop", s, s) * gram[:, :, None, None]
            else:
                kernel += torch.einsum("oac,obc->ab", s, s) * gram
        elif conv_route == "gradients" or (
            conv_route == "auto" and n * features * channels <= (n * positions) ** 2
        ):  # per-input gradients: (outputs, n, P_l)
            parts = []
            if weight:
                parts.append(torch.einsum("onlc,nlf->oncf", g, patches).reshape(outputs, n, -1))
            if bias:
                parts.append(g.sum(2))
            jac = torch.cat(parts, dim=-1)
            if per_output:
                kernel += torch.einsum("oap,qbp->aboq", jac, jac)
            else:
                kernel += torch.einsum("oap,obp->ab", jac, jac)
        else:  # few positions, wide layer: signal-Gram times patch-Gram, summed over pairs of positions
            pg = torch.einsum("alf,bmf->albm", patches, patches) if weight else 0.0
            pg = pg + (1.0 if bias else 0.0)
            if per_output:
                kernel += torch.einsum("oalc,pbmc,albm->abop", g, g, pg)
            else:
                kernel += torch.einsum("oalc,obmc,albm->ab", g, g, pg)
    return kernel.detach()


def ntk_from_jacobian(
    model: nn.Module,
    x: torch.Tensor,
    params: dict | None = None,
    chunk: int = 64,
    *,
    per_output: bool = False,
) -> torch.Tensor:
    """NTK by Jacobian contraction (``torch.func.jacrev``), probe points in chunks: the generic route and the
    reference; ``per_output``: ``(n, n, outputs, outputs)``."""
    params = {k: v.detach() for k, v in (trainable(model) if params is None else params).items()}

    def f(p, xi):
        return functional_call(model, p, (xi[None],))[0]

    jac_fn = vmap(jacrev(f), in_dims=(None, 0))
    jacs = []
    for start in range(0, x.shape[0], chunk):
        j = jac_fn(params, x[start : start + chunk])
        jacs.append(
            torch.cat([v.reshape(v.shape[0], v.shape[1], -1) for v in j.values()], dim=-1)
        )  # (c, outputs, P)
    J = torch.cat(jacs)  # (n, outputs, P)
    return torch.einsum("aop,bqp->aboq", J, J) if per_output else torch.einsum("aop,bop->ab", J, J)


def empirical_ntk(
    model: nn.Module, x: torch.Tensor, params: dict | None = None, *, per_output: bool = False
) -> torch.Tensor:
    """``Theta = sum_o J_o J_o^T`` on the probe points ``x`` (``per_output``: ``J_o J_p^T`` for every pair
    of outputs, ``(n, n, outputs, outputs)``): layer by layer where ``per_layer`` applies, by Jacobian
    contraction otherwise (a centred network, ``net - frozen copy``, has the tangent kernel of ``net``)."""
    inner = getattr(model, "net", None)
    if isinstance(inner, nn.Module) and not any(
        v.requires_grad for k, v in model.named_parameters() if not k.startswith("net.")
    ):
        params = None if params is None else {k.removeprefix("net."): v for k, v in params.items()}
        return empirical_ntk(inner, x, params, per_output=per_output)
    if per_layer(model, params):
        return ntk_layers(model, x, params, per_output=per_output)
    return ntk_from_jacobian(model, x, params, per_output=per_output)
