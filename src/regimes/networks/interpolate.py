"""Full-batch training of a network to interpolation along gradient flow (Woodworth et al. 2020, sec. 7;
docs/science.md sec. 1.7): the students of the circle teacher and the univariate network.

``train_to_interpolation`` follows gradient flow on ``L = mean (f(x) - y)^2 / 2`` with the step chosen
from the curvature, as the diagonal and matrix trainers do: ``step_scale / lambda_max(Theta / n)`` (the
tangent kernel's top eigenvalue, by a warm power iteration with one jvp and one vjp a step), and no
layer's weight matrix may change by more than ``max_rel_change`` of its norm in one step (biases, which
may start at 0, follow their layer).
"""

from __future__ import annotations

import logging

import numpy as np
import torch
from torch import nn
from torch.func import functional_call, jvp, vjp

from ..batched import Progress, is_diverged, power_step
from ..device import resolve
from ..kernels import kernel_distance
from .ntk import empirical_ntk, trainable

__all__ = ["train_to_interpolation"]

log = logging.getLogger(__name__)


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
    progress = Progress(log, label, log_every)
    step = 0
    for step in range(max_steps + 1):
        out, pullback = vjp(f, weights)
        r = out - y
        loss = float(0.5 * (r * r).mean())
        initial = loss if initial is None else initial
        if is_diverged(loss, initial):
            diverged = True
            break
        if loss <= tol * initial:
            converged = True
            break
        if step == max_steps:
            break
        (grads,) = pullback(r / n)
        for _ in range(20 if step == 0 else 1):  # power iteration, warm-started; converged at the start
            norm, v = power_step(lambda u: jvp(f, (weights,), (pullback(u)[0],))[1], v)
            lam = float(norm) / n
        eta = step_scale / max(lam, 1e-300)
        for k, g in grads.items():  # weight matrices only: a bias starting at 0 would freeze the step
            gnorm, wnorm = float(g.norm()), float(weights[k].norm())
            if g.ndim >= 2 and gnorm > 0 and wnorm > 0:
                eta = min(eta, max_rel_change * wnorm / gnorm)
        weights = {k: w - eta * grads[k] for k, w in weights.items()}
        flow_time += eta
        progress(step, 1, 1, loss / initial)
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
        "seconds": progress.seconds(),
    }


