"""Iterative linearisation (Goldwaser & Ge 2023; docs/science.md sec. 2.1) for any torch model.

Every K optimiser steps the anchor is set to the current weights, ``w_a = w``, and the model trained in
between is the first-order Taylor expansion around it,

    f_lin(x; w) = f(x; w_a) + J(x; w_a) (w - w_a),

evaluated with a Jacobian-vector product (``torch.func.jvp``) and differentiated with a vector-Jacobian
product at the anchor (``grad_w L = J(w_a)^T dL/df``): no Jacobian is ever formed.  K = 1 is plain
training (the tangent ``w - w_a`` is zero at every step); K = inf never moves the anchor (the fixed
tangent kernel of the initialisation).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call, jvp, vjp

from ..batched import Runs, Trained
from ..grid import feature_updates, parse_K
from ..kernels import kernel_distance
from .ntk import empirical_ntk, trainable

__all__ = [
    "LinearisedModel",
    "train_iteratively_linearised",
    "loss_fn",
    "feature_updates",
    "minibatches",
    "stacked_minibatches",
]

log = logging.getLogger(__name__)


def loss_fn(kind: str):
    """``mse``: half the squared error to one-hot targets, summed over classes, averaged over examples;
    ``ce``: cross-entropy."""
    if kind == "mse":
        return lambda out, y: 0.5 * ((out - F.one_hot(y, out.shape[-1]).to(out.dtype)) ** 2).sum(-1).mean()
    if kind == "ce":
        return lambda out, y: F.cross_entropy(out, y)
    raise ValueError(f"loss must be 'mse' or 'ce', got {kind!r}")


class LinearisedModel:
    """The Taylor model of ``model`` around an anchor; ``weights`` are the trained parameters."""

    def __init__(self, model: nn.Module):
        self.model = model
        trained = trainable(model)
        self.anchor = {k: v.detach().clone() for k, v in trained.items()}
        self.weights = {k: v.detach().clone().requires_grad_(True) for k, v in trained.items()}

    def _f(self, params, x):
        return functional_call(self.model, params, (x,))

    def relinearise(self) -> None:
        self.anchor = {k: v.detach().clone() for k, v in self.weights.items()}

    def tangent(self) -> dict:
        return {k: (self.weights[k] - self.anchor[k]).detach() for k in self.anchor}

    @torch.no_grad()
    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        out, tangent_out = jvp(lambda p: self._f(p, x), (self.anchor,), (self.tangent(),))
        return out + tangent_out

    def loss_and_grad(self, x, y, loss):
        """``L(f_lin)`` and its gradient in the weights: one jvp forward, one vjp backward at the anchor."""
        out_anchor, pullback = vjp(lambda p: self._f(p, x), self.anchor)
        with torch.no_grad():
            tangent = self.tangent()
            if any(bool(t.any()) for t in tangent.values()):
                _, tangent_out = jvp(lambda p: self._f(p, x), (self.anchor,), (tangent,))
                out = out_anchor.detach() + tangent_out
            else:  # right after re-linearising the Taylor model equals the network
                out = out_anchor.detach()
        out = out.requires_grad_(True)
        value = loss(out, y)
        (g_out,) = torch.autograd.grad(value, out)
        (grads,) = pullback(g_out)
        return value.detach(), out.detach(), grads


@dataclass
class Record:
    rows: list = field(default_factory=list)

    def add(self, **row):
        self.rows.append(row)

    def columns(self) -> dict[str, np.ndarray]:
        keys = self.rows[0].keys() if self.rows else []
        return {k: np.array([r[k] for r in self.rows]) for k in keys}


def stacked_minibatches(n: int, batch_size: int | None, seeds, device=None):
    """Endless index batches of several runs at once, ``(runs, batch_size)``: run ``m``'s rows are
    reshuffled epochs from ``seeds[m]`` (a generator of its own), dropping each epoch's incomplete tail;
    ``None`` (the whole set every time) for ``batch_size=None`` or ``>= n``."""
    if batch_size is None or batch_size >= n:
        while True:
            yield None
    gens = [torch.Generator().manual_seed(int(seed)) for seed in seeds]
    while True:
        orders = torch.stack([torch.randperm(n, generator=gen) for gen in gens])
        orders = orders if device is None else orders.to(device)
        for start in range(0, n - batch_size + 1, batch_size):
            yield orders[:, start : start + batch_size]


def minibatches(n: int, batch_size: int | None, seed: int):
    """One run's batches: its row of :func:`stacked_minibatches`."""
    for index in stacked_minibatches(n, batch_size, [seed]):
        yield None if index is None else index[0]


def _evaluate(lin: LinearisedModel, X, y, loss, chunk=2048):
    total, correct = 0.0, 0
    for i in range(0, X.shape[0], chunk):
        out = lin(X[i : i + chunk])
        total += float(loss(out, y[i : i + chunk])) * out.shape[0]
        correct += int((out.argmax(-1) == y[i : i + chunk]).sum())
    return total / X.shape[0], correct / X.shape[0]


def train_iteratively_linearised(
    model: nn.Module,
    data: dict,
    *,
    K,
    steps: int,
    lr: float | None = None,
    step_scale: float = 1.0,
    batch_size: int | None = None,
    loss: str = "mse",
    momentum: float = 0.0,
    optimiser: str = "sgd",
    seed: int = 0,
    record_every: int = 50,
    probe_size: int = 100,
    log_every: float = 10.0,
) -> Trained:
    """Train ``model`` for ``steps`` optimiser steps (``sgd`` with ``momentum``, or ``adam``),
    re-linearising every ``K`` (``"inf"``: never).

    ``lr=None`` takes ``step_scale / lambda_max(Theta_0 / m)`` from the initial NTK on the ``m`` probe points:
    the linearised model diverges beyond about twice that, so every K is trained at a stable rate.

    ``data``: tensors ``X, y, X_test, y_test`` on the model's device.  ``batch_size=None`` is full batch.
    Records every ``record_every`` steps (and at the end): train/test loss and accuracy of the trained
    (linearised) model, the kernel distance of the anchor's NTK from the initial one and from the
    previous record's, and the relative weight change ``||w - w_0|| / ||w_0||``.
    """
    K_num = parse_K(K)
    criterion = loss_fn(loss)
    lin = LinearisedModel(model)
    X, y = data["X"], data["y"]
    n = X.shape[0]
    probe_gen = torch.Generator().manual_seed(int(seed) + 7919)
    probe = X[torch.randperm(n, generator=probe_gen)[:probe_size].to(X.device)]
    w0 = torch.cat([v.detach().reshape(-1) for v in lin.weights.values()])
    theta0 = empirical_ntk(model, probe, lin.anchor)
    if lr is None:
        lr = step_scale / float(torch.linalg.eigvalsh(theta0.double() / probe.shape[0])[-1])
    if optimiser == "sgd":
        opt = torch.optim.SGD(list(lin.weights.values()), lr=lr, momentum=momentum)
    elif optimiser == "adam":
        opt = torch.optim.Adam(list(lin.weights.values()), lr=lr)
    else:
        raise ValueError(f"optimiser must be 'sgd' or 'adam', got {optimiser!r}")
    theta_prev = theta0
    record = Record()
    run = Runs(1, device=X.device, log=log, log_every=log_every)  # one run, no loss rule: a budget
    batches = minibatches(n, batch_size, seed)

    def snapshot(step):
        nonlocal theta_prev
        theta = theta0 if math.isinf(K_num) else empirical_ntk(model, probe, lin.anchor)
        train_loss, train_acc = _evaluate(lin, X, y, criterion)
        test_loss, test_acc = _evaluate(lin, data["X_test"], data["y_test"], criterion)
        w = torch.cat([v.detach().reshape(-1) for v in lin.weights.values()])
        record.add(
            step=step,
            train_loss=train_loss,
            train_acc=train_acc,
            test_loss=test_loss,
            test_acc=test_acc,
            kernel_distance=kernel_distance(theta0, theta),
            anchor_distance=kernel_distance(theta_prev, theta),
            weight_change=float((w - w0).norm() / w0.norm()),
            feature_updates=feature_updates(K, step),
        )
        theta_prev = theta

    snapshot(0)
    for step in range(1, steps + 1):
        idx = next(batches)
        xb, yb = (X, y) if idx is None else (X[idx.to(X.device)], y[idx.to(X.device)])
        value, _, grads = lin.loss_and_grad(xb, yb, criterion)
        if bool(run.observe(value.reshape(1))):  # diverged (regimes.batched.is_diverged)
            log.warning("loss is %s at step %d: stopping, recorded as diverged", value.item(), step)
            break
        for k, w in lin.weights.items():
            w.grad = grads[k]
        opt.step()
        if not math.isinf(K_num) and step % K_num == 0:
            lin.relinearise()
        if step % record_every == 0 or step == steps:
            snapshot(step)
        run.advance()
        run.report(step)
    out = record.columns()
    out["diverged"] = np.asarray(bool(run.diverged[0]))
    out["lr"] = np.asarray(lr)
    out["seconds"] = np.asarray(run.progress.seconds())
    out["final_weights"] = torch.cat([v.detach().reshape(-1) for v in lin.weights.values()]).cpu().numpy()
    return Trained(out)
