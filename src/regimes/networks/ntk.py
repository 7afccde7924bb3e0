"""Empirical neural tangent kernel on a probe set (Goldwaser & Ge 2023; docs/science.md sec. 2.2).

``Theta(x, x') = sum_o J_o(x) J_o(x')^T`` (summed over outputs).  For networks built from
``nn.Linear`` layers and elementwise activations (``nn.Sequential``) the kernel is a per-layer sum
(docs/science.md sec. 2.4): with ``A_l`` the layer's inputs and ``B_l^o = d f_o / d z_l`` its backward
signals,

    Theta = sum_l sum_o (B_l^o B_l^o^T) * (A_l A_l^T + 1)        (* elementwise, + 1 for the bias)

which needs one backward pass (vmapped over the outputs) and n x n Gram matrices, never the n x P
Jacobian.  Any other model falls back to contracting Jacobians parameter by parameter
(``ntk_from_jacobian``).  The distance between two kernels is ``regimes.kernels.kernel_distance``.

``ntk_layers`` extends the per-layer route to convolutions and to the per-output kernel
``Theta[a, b, o, p] = J_o(x_a) . J_p(x_b)``: a convolution's weight gradient at one input is its backward
signals times its input patches, summed over positions, so its contribution is either that per-input
gradient contracted, or, per pair of positions, signal-Gram times patch-Gram summed over the positions;
whichever needs fewer multiply-adds (``_costs``) within a memory bound.  It applies to any model whose
trainable parameters all belong to ``nn.Linear`` / ``nn.Conv1d`` / ``nn.Conv2d`` layers (ungrouped),
each called once per forward pass, with parameter-free operations between them (activations, pooling,
reshapes).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call, jacrev, vmap

__all__ = [
    "empirical_ntk",
    "ntk_dense",
    "ntk_layers",
    "jacobian_layers",
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


def _signals(model: nn.Module, x: torch.Tensor, params: dict, caller: str):
    """One forward pass and one backward pass vmapped over the outputs: the outputs ``(n, outputs)`` and,
    for every layer the pass uses, ``(name, module, patches, signals)``: its input patches ``(n, L, F)``
    (``_patches``) and its backward signals ``d f_o / d z_l``, ``(outputs, n, channels, L)``."""
    if not per_layer(model, params):
        raise ValueError(f"{caller}: the model has trainable parameters outside Linear / Conv layers")
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
        raise ValueError(f"{caller}: a layer is called more than once per forward pass")
    used = [(name, m, seen[name][0]) for name, m in layers if seen[name]]
    out = out.reshape(out.shape[0], -1)
    n, outputs = out.shape
    seeds = torch.eye(outputs, dtype=out.dtype, device=out.device).unsqueeze(1).expand(outputs, n, outputs)
    grads = torch.autograd.grad(out, [z for _, _, (_, z) in used], grad_outputs=seeds, is_grads_batched=True)
    found = []
    for (name, module, (a, _)), g in zip(used, grads):
        if isinstance(module, nn.Linear):
            s = g.reshape(outputs, n, -1, g.shape[-1]).transpose(2, 3)
        else:
            s = g.reshape(outputs, n, g.shape[2], -1)
        found.append((name, module, _patches(module, a), s))
    return out.detach(), found


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
    ``"pairs"`` (Grams per pair of positions) or ``"auto"`` (per layer, the one with fewer multiply-adds
    that fits in memory)."""
    if conv_route not in ("auto", "gradients", "pairs"):
        raise ValueError(f"conv_route must be 'auto', 'gradients' or 'pairs', got {conv_route!r}")
    params = trainable(model) if params is None else params
    out, layers = _signals(model, x, params, "ntk_layers")
    n, outputs = out.shape
    shape = (n, n, outputs, outputs) if per_output else (n, n)
    kernel = torch.zeros(shape, dtype=out.dtype, device=out.device)
    for name, module, patches, s in layers:
        prefix = f"{name}." if name else ""
        weight, bias = f"{prefix}weight" in params, f"{prefix}bias" in params and module.bias is not None
        if not (weight or bias):
            continue
        route = _route(conv_route, n, outputs, *s.shape[2:], patches.shape[2], per_output)
        kernel += _CONTRACT[route](s, patches, weight, bias, per_output)
    return kernel.detach()


def jacobian_layers(
    model: nn.Module, x: torch.Tensor, params: dict | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """The outputs ``(n, outputs)`` and the Jacobian ``(n, outputs, P)`` in the weights ``params`` (their
    order, each flattened as stored), layer by layer: a layer's weight gradient at one input is its
    backward signals times its input patches (summed over positions), its bias gradient the signals summed
    over positions.  Requires ``per_layer(model, params)``."""
    params = trainable(model) if params is None else params
    out, layers = _signals(model, x, params, "jacobian_layers")
    blocks = {}
    for name, _, patches, s in layers:
        prefix = f"{name}." if name else ""
        if f"{prefix}weight" in params:
            blocks[f"{prefix}weight"] = _weight_gradients(s, patches)
        if f"{prefix}bias" in params:
            blocks[f"{prefix}bias"] = _bias_gradients(s)
    return out, torch.cat([blocks[k] for k in params], dim=-1)


def _weight_gradients(s: torch.Tensor, patches: torch.Tensor) -> torch.Tensor:
    """Per-input weight gradients ``(n, o, C * F)`` of a layer from its signals ``s`` ``(o, n, C, L)`` and
    input patches ``(n, L, F)``: ``(n, o C, L) @ (n, L, F)``, one product per probe."""
    o, n, C, L = s.shape
    return torch.bmm(s.permute(1, 0, 2, 3).reshape(n, o * C, L), patches).reshape(n, o, -1)


def _bias_gradients(s: torch.Tensor) -> torch.Tensor:
    """Per-input bias gradients ``(n, o, C)``: the signals summed over positions."""
    return s.sum(-1).transpose(0, 1)


# Two ways to contract a layer's signals ``s`` (outputs o, n, channels C, positions L) and input patches
# ``p`` (n, L, features F) into its share of the kernel.  "gradients": the per-input weight gradients
# ``J[a, o] = s[o, a] @ p[a]`` (C x F), contracted over the parameters in one matrix product.  "pairs": a
# Gram matrix of the patches and one of the signals per pair of positions, contracted over the positions;
# it never forms the C x F gradients, which have rank at most L.  ``_route`` picks, for a layer at one
# position, the pairs (two n x n Grams); summed over outputs, the one with fewer multiply-adds that fits in
# memory; per output, the gradients (the pairs' contraction per output, fewer multiply-adds on
# mnist1d's ConvNet, ran 3-5x slower than the gradients' single matrix product on 2 cores).
_MEMORY = 2**26  # floats (256 MiB in float32) the pairs route may hold at once


def _costs(n, o, C, L, F, per_output):
    """Multiply-adds of the two routes for one layer, and the floats the pairs route holds."""
    form = o * n * L * C * F
    if per_output:
        gradients = form + n * n * o * o * (C * F + C)
        pairs = n * n * (L * L * F + L * L * o * C + L * o * o * C) if L > 1 else n * n * (F + o * o * C)
    else:
        gradients = form + n * n * o * (C * F + C)
        pairs = n * n * L * L * (F + o * C)
    return gradients, pairs, n * n * L * L


def _route(conv_route, n, o, C, L, F, per_output):
    if conv_route != "auto":
        return conv_route
    if L == 1:
        return "pairs"
    if per_output:
        return "gradients"
    gradients, pairs, memory = _costs(n, o, C, L, F, per_output)
    return "pairs" if pairs <= gradients and memory <= _MEMORY else "gradients"


def _by_gradients(s, patches, weight, bias, per_output):
    o, n = s.shape[:2]
    parts = ([_weight_gradients(s, patches)] if weight else []) + ([_bias_gradients(s)] if bias else [])
    if not per_output:
        flat = [j.reshape(n, -1) for j in parts]
        return sum(j @ j.T for j in flat)
    jac = (torch.cat(parts, dim=-1) if len(parts) > 1 else parts[0]).reshape(n * o, -1)
    return (jac @ jac.T).reshape(n, o, n, o).permute(0, 2, 1, 3)


def _by_pairs(s, patches, weight, bias, per_output):
    o, n, C, L = s.shape
    flat = patches.reshape(n * L, -1)
    gram = (
        (flat @ flat.T).reshape(n, L, n, L)
        if weight
        else torch.zeros(n, L, n, L, dtype=s.dtype, device=s.device)
    )
    if bias:
        gram = gram + 1.0
    if L == 1:
        gram = gram.reshape(n, n)
        if per_output:
            flat_s = s.reshape(o * n, C)
            return (flat_s @ flat_s.T).reshape(o, n, o, n).permute(1, 3, 0, 2) * gram[:, :, None, None]
        flat_s = s.permute(1, 0, 2, 3).reshape(n, o * C)
        return (flat_s @ flat_s.T) * gram
    if not per_output:
        flat_s = s.permute(1, 3, 0, 2).reshape(n * L, o * C)
        return torch.einsum("albm,albm->ab", gram, (flat_s @ flat_s.T).reshape(n, L, n, L))
    # K[a, b, o, p] = sum_{l, m, c} s[o, a, c, l] gram[a, l, b, m] s[p, b, c, m], in chunks of b:
    # T[b, a, l, p, c] = sum_m gram[a, l, b, m] s[p, b, c, m], then K[a, b] = s[:, a] . T[b, a]
    by_b = s.permute(1, 3, 0, 2).reshape(n, L, o * C)  # (b, m, p c)
    by_a = s.permute(1, 0, 3, 2).reshape(n, o, L * C)  # (a, o, l c)
    kernel = torch.empty(n, n, o, o, dtype=s.dtype, device=s.device)
    chunk = max(1, _MEMORY // (n * L * o * C))
    for start in range(0, n, chunk):
        b = slice(start, start + chunk)
        t = torch.bmm(gram[:, :, b].permute(2, 0, 1, 3).reshape(-1, n * L, L), by_b[b])  # (b, a l, p c)
        t = t.reshape(-1, n, L, o, C).permute(1, 2, 4, 0, 3).reshape(n, L * C, -1)  # (a, l c, b p)
        kernel[:, b] = torch.bmm(by_a, t).reshape(n, o, -1, o).permute(0, 2, 1, 3)
    return kernel


_CONTRACT = {"gradients": _by_gradients, "pairs": _by_pairs}


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
