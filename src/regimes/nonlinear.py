"""Non-linear networks between the regimes (Woodworth et al. 2020, sec. 7; SPEC 1.7).

- ``circle_teacher``: points on the unit circle labelled by a small ReLU teacher; ReLU students of
  several depths with He initialisation times alpha, trained by full-batch gradient descent to
  interpolation; test loss and the change of the tangent kernel against ``alpha^D``.
- ``univariate``: a wide one-hidden-layer ReLU network on a handful of points on a line, centred so the
  predictor is zero at initialisation; small alpha interpolates like a linear spline, large alpha like
  a smooth (cubic-like) spline.

``train_to_interpolation`` follows gradient flow on ``L = mean (f(x) - y)^2 / 2`` with the step chosen
from the curvature, as the diagonal and matrix trainers do: ``step_scale / lambda_max(Theta / n)`` (the
tangent kernel's top eigenvalue, by a warm power iteration with one jvp and one vjp a step), and no
layer's weight matrix may change by more than ``max_rel_change`` of its norm in one step (biases, which
may start at 0, follow their layer).
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, jacrev, jvp, vjp, vmap

from .device import resolve
from .networks import Centred, mlp
from .ntk import empirical_ntk, kernel_distance, trainable

__all__ = [
    "relu_student",
    "univariate_network",
    "train_to_interpolation",
    "kernel_prediction",
]

log = logging.getLogger(__name__)


def _scale_weights(model: nn.Module, alpha: float, gen: torch.Generator, bias_std: float = 0.0) -> None:
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, nn.Linear):
                fan_in = module.weight.shape[1]
                module.weight.copy_(torch.randn(module.weight.shape, generator=gen, dtype=module.weight.dtype) * math.sqrt(2.0 / fan_in) * alpha)
                if module.bias is not None:
                    module.bias.copy_(torch.randn(module.bias.shape, generator=gen, dtype=module.bias.dtype) * bias_std * alpha)


def relu_student(d_in: int, width: int, depth: int, alpha: float, seed: int, *, centre: bool = False, dtype=torch.float64) -> nn.Module:
    """A ReLU MLP with ``depth`` weight layers of ``width`` units, one output, He-normal weights times
    ``alpha`` and zero biases; ``centre=True`` subtracts its initial function."""
    model = mlp(d_in, width, depth, 1).to(dtype)
    _scale_weights(model, alpha, torch.Generator().manual_seed(int(seed)))
    return Centred(model) if centre else model


def univariate_network(width: int, alpha: float, seed: int, *, dtype=torch.float64) -> nn.Module:
    """``x -> sum_j a_j relu(w_j x + b_j)`` with He-normal ``w, a`` and ``b ~ N(0, 1)``, all times
    ``alpha`` (kinks spread over the data), centred: exactly zero at initialisation."""
    model = mlp(1, width, 2, 1).to(dtype)
    gen = torch.Generator().manual_seed(int(seed))
    _scale_weights(model, alpha, gen, bias_std=1.0)
    with torch.no_grad():
        model[-1].bias.zero_()
    return Centred(model)


def train_to_interpolation(
    model: nn.Module,
    X,
    y,
    *,
    step_scale: float = 0.5,
    max_rel_change: float = 0.01,
    tol: float = 1.0e-9,
    max_steps: int = 20000,
    probe=None,
    device=None,
    log_every: float = 10.0,
    label: str = "",
) -> dict:
    """Full-batch gradient descent along the flow until ``L <= tol * L_0``.  Returns the final loss,
    steps, flow time, converged / diverged flags and the kernel distance between the tangent kernels
    (on ``probe``, default the training inputs) at initialisation and at the end."""
    dev = resolve(device)
    model = model.to(dev)
    dtype = next(model.parameters()).dtype
    X = torch.as_tensor(np.asarray(X), dtype=dtype, device=dev)
    y = torch.as_tensor(np.asarray(y), dtype=dtype, device=dev).reshape(-1)
    probe = X if probe is None else torch.as_tensor(np.asarray(probe), dtype=dtype, device=dev)
    n = X.shape[0]
    weights = {k: v.detach().clone() for k, v in trainable(model).items()}
    theta0 = empirical_ntk(model, probe, weights)

    def f(params):
        return functional_call(model, params, (X,)).reshape(-1)

    v = torch.randn(n, generator=torch.Generator().manual_seed(0), dtype=dtype).to(dev)
    v = v / v.norm()
    initial = None
    converged = diverged = False
    flow_time = 0.0
    start = last = time.perf_counter()
    step = 0
    for step in range(max_steps + 1):
        out, pullback = vjp(f, weights)
        r = out - y
        loss = float(0.5 * (r * r).mean())
        initial = loss if initial is None else initial
        if not math.isfinite(loss) or loss > 1e6 * initial:
            diverged = True
            break
        if loss <= tol * initial:
            converged = True
            break
        if step == max_steps:
            break
        (grads,) = pullback(r / n)
        for _ in range(20 if step == 0 else 1):  # power iteration, warm-started; converged at the start
            (jtv,) = pullback(v)
            _, jjtv = jvp(f, (weights,), (jtv,))
            lam = float(jjtv.norm()) / n
            v = jjtv / max(float(jjtv.norm()), 1e-300)
        eta = step_scale / max(lam, 1e-300)
        for k, g in grads.items():  # weight matrices only: a bias starting at 0 would freeze the step
            gnorm, wnorm = float(g.norm()), float(weights[k].norm())
            if g.ndim >= 2 and gnorm > 0 and wnorm > 0:
                eta = min(eta, max_rel_change * wnorm / gnorm)
        weights = {k: w - eta * grads[k] for k, w in weights.items()}
        flow_time += eta
        now = time.perf_counter()
        if now - last > log_every:
            last = now
            log.info("%s step %d: loss / initial %.2e", label, step, loss / initial)
    theta = empirical_ntk(model, probe, weights)
    with torch.no_grad():
        for k, w in weights.items():
            model.get_parameter(k).copy_(w)
    return {
        "train_loss": loss,
        "steps": step,
        "flow_time": flow_time,
        "converged": converged,
        "diverged": diverged,
        "kernel_distance": kernel_distance(theta0, theta),
        "seconds": time.perf_counter() - start,
    }


def kernel_prediction(model: nn.Module, X, y, X_new) -> np.ndarray:
    """The kernel-regime limit at ``X_new``: gradient flow on the model linearised at its current
    weights converges to ``f(x) + Theta(x, X) Theta(X, X)^+ (y - f(X))`` (the minimum-norm step)."""
    params = {k: v.detach() for k, v in trainable(model).items()}
    dtype = next(iter(params.values())).dtype
    X = torch.as_tensor(np.asarray(X), dtype=dtype)
    X_new = torch.as_tensor(np.asarray(X_new), dtype=dtype)
    y = torch.as_tensor(np.asarray(y), dtype=dtype).reshape(-1)

    def single(p, xi):
        return functional_call(model, p, (xi[None],)).reshape(())

    per_example = vmap(jacrev(single), in_dims=(None, 0))

    def jacobian(x, chunk=64):  # example by example: memory grows with the chunk, not with x squared
        parts = []
        for start in range(0, x.shape[0], chunk):
            jac = per_example(params, x[start : start + chunk])
            parts.append(torch.cat([j.reshape(j.shape[0], -1) for j in jac.values()], dim=1))
        return torch.cat(parts)

    J, J_new = jacobian(X), jacobian(X_new)
    with torch.no_grad():
        residual = y - model(X).reshape(-1)
        coef = torch.linalg.lstsq(J @ J.T, residual[:, None], driver="gelsd").solution[:, 0]
        return (model(X_new).reshape(-1) + J_new @ (J.T @ coef)).numpy()
