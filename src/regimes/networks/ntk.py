"""Empirical neural tangent kernel on a probe set (Goldwaser & Ge 2023; docs/science.md sec. 2.2).

``Theta(x, x') = sum_o J_o(x) J_o(x')^T`` (summed over outputs).  For networks built from
``nn.Linear`` layers and elementwise activations (``nn.Sequential``) the kernel is a per-layer sum
(docs/science.md sec. 2.4): with ``A_l`` the layer's inputs and ``B_l^o = d f_o / d z_l`` its backward
signals,

    Theta = sum_l sum_o (B_l^o B_l^o^T) * (A_l A_l^T + 1)        (* elementwise, + 1 for the bias)

which needs one backward pass per output and n x n Gram matrices, never the n x P Jacobian.  Any other
model falls back to contracting Jacobians parameter by parameter (``ntk_from_jacobian``).  The distance
between two kernels is ``regimes.kernels.kernel_distance``.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call, jacrev, vmap

__all__ = ["empirical_ntk", "ntk_dense", "ntk_from_jacobian", "is_dense", "trainable"]

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
    ``params`` (frozen) pass signals but add nothing."""
    params = trainable(model) if params is None else params
    h = x
    inputs, pre, trained = [], [], []
    for name, module in model.named_children():
        if isinstance(module, nn.Flatten):
            h = module(h)
        elif isinstance(module, nn.Linear):
            inputs.append(h.detach())
            weight = params.get(f"{name}.weight", module.weight)
            bias = params.get(f"{name}.bias", module.bias)
            trained.append(f"{name}.weight" in params)
            z = torch.nn.functional.linear(
                h.detach() if not pre else h, weight.detach(), None if bias is None else bias.detach()
            )
            if not z.requires_grad:
                z.requires_grad_(True)
            pre.append((z, f"{name}.bias" in params))
            h = z
        else:
            h = module(h)
    out = h
    n, outputs = out.shape
    kernel = torch.zeros(n, n, dtype=out.dtype, device=out.device)
    eye = torch.eye(outputs, dtype=out.dtype, device=out.device)
    # Backward signals d f_o / d z_l, one backward pass per output o.
    back = [[] for _ in pre]
    for o in range(outputs):
        grads = torch.autograd.grad(
            out, [z for z, _ in pre], grad_outputs=eye[o].expand(n, outputs), retain_graph=o < outputs - 1
        )
        for store, g in zip(back, grads):
            store.append(g)
    for a, (_, has_bias), b, moves in zip(inputs, pre, back, trained):
        if not moves:
            continue
        gram_in = a @ a.T
        if has_bias:
            gram_in = gram_in + 1.0
        signal = torch.cat(b, dim=1)  # (n, outputs * width_l)
        kernel += (signal @ signal.T) * gram_in
    return kernel.detach()


def ntk_from_jacobian(
    model: nn.Module, x: torch.Tensor, params: dict | None = None, chunk: int = 64
) -> torch.Tensor:
    """NTK by Jacobian contraction (``torch.func.jacrev``), probe points in chunks: the generic route and the
    reference."""
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
    return torch.einsum("aop,bop->ab", J, J)


def empirical_ntk(model: nn.Module, x: torch.Tensor, params: dict | None = None) -> torch.Tensor:
    """``Theta = sum_o J_o J_o^T`` on the probe points ``x``: the per-layer formula when it applies
    (a centred network, ``net - frozen copy``, has the tangent kernel of ``net``)."""
    inner = getattr(model, "net", None)
    if isinstance(inner, nn.Module) and not any(
        v.requires_grad for k, v in model.named_parameters() if not k.startswith("net.")
    ):
        params = None if params is None else {k.removeprefix("net."): v for k, v in params.items()}
        return empirical_ntk(inner, x, params)
    if is_dense(model):
        return ntk_dense(model, x, params)
    return ntk_from_jacobian(model, x, params)
