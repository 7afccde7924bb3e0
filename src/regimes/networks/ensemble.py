"""An ensemble of networks of one architecture trained as one tensor program (Goldwaser & Ge 2023;
docs/science.md sec. 2.1).

Members share the architecture's shapes and differ in everything else: initialisation (alpha, seed),
minibatch order (their seed), the anchor schedule (their K) and the learning rate.  Every parameter is
stored stacked, member first, ``(M, *shape)``, and the network is evaluated for all members at once:
linear layers as batched matrix products, convolutions as one grouped convolution (``groups = M``).
Members never mix, so each member's numbers are those of the same model trained alone
(``regimes.networks.linearise.train_iteratively_linearised``) to float32 rounding.

One linearised step costs one forward pass that carries each layer's tangent beside its output
(``Ensemble.linearised``): the primal is the anchor's output ``f(x; w_a)``, the tangent
``J(x; w_a)(w - w_a)``; one backward pass through the primal gives ``J^T dL/df``
(``linearised_gradients``).  K = 1 members have a zero tangent; K = inf members never move
their anchor.  A member whose loss diverges (``regimes.batched.is_diverged``) is recorded as diverged,
its weights zeroed, and leaves the computation; so does a member that interpolates where training stops
there (``until_interpolation``), its weights kept.  Each step costs only the arithmetic of the members
still training, and they go on as they were: bit for bit through linear layers (batched matrix products),
to float32 rounding through convolutions (one grouped convolution, whose algorithm may change with the
number of groups).

Architectures: ``nn.Sequential`` stacks of ``Flatten``, ``Unflatten``, ``Linear``, ``Conv1d``,
``Conv2d``, pooling and elementwise activations (every built-in one), optionally ``Centred``.  Any other
model is trained member by member (``supports`` says which).
"""

from __future__ import annotations

import copy
import logging
import math
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.autograd.forward_ad as fwAD
import torch.nn.functional as F
from torch import nn

from ..batched import Runs, Trained
from ..grid import feature_updates, parse_K
from ..kernels import kernel_distance
from .architectures import Centred
from .linearise import stacked_minibatches
from .ntk import _ELEMENTWISE, empirical_ntk
from .records import HISTORY

__all__ = [
    "Member",
    "supports",
    "Ensemble",
    "train_ensemble",
    "member_losses",
    "linearised_gradients",
    "dense",
    "dense_gradients",
    "OPTIMISERS",
]

log = logging.getLogger(__name__)

OPTIMISERS = ("sgd", "adam")
_POOL = (nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d)


@dataclass(frozen=True)
class Member:
    """One run of the ensemble: its seed (initialisation and minibatch order), K and learning rate
    (``None``: ``step_scale / lambda_max`` of its own initial NTK, with its own ``step_scale`` if given)."""

    seed: int
    K: int | str
    lr: float | None = None
    step_scale: float | None = None


def _layers(model: nn.Module):
    net = model.net if isinstance(model, Centred) else model
    return list(net.named_children()) if isinstance(net, nn.Sequential) else None


def supports(model: nn.Module) -> bool:
    """Whether ``model`` can be trained stacked (else: member by member)."""
    layers = _layers(model)
    if not layers:
        return False
    allowed = (nn.Flatten, nn.Unflatten, nn.Linear, nn.Conv1d, nn.Conv2d) + _ELEMENTWISE + _POOL
    plain_convs = all(
        m.groups == 1 and m.padding_mode == "zeros"
        for _, m in layers
        if isinstance(m, (nn.Conv1d, nn.Conv2d))
    )
    return plain_convs and all(isinstance(m, allowed) for _, m in layers)


def _stack(models, name):
    return torch.stack([dict(m.named_parameters())[name].detach() for m in models])


class Ensemble:
    """Stacked parameters of ``models`` (one architecture) and their joint forward pass.

    ``trained``: name -> ``(M, *shape)`` tensors of the parameters training moves; ``frozen``: the
    others (and, for ``Centred`` models, the frozen initial copy under ``initial.``).
    """

    def __init__(self, models: list[nn.Module]):
        if not all(supports(m) for m in models):
            raise ValueError(
                "every member must be an nn.Sequential of supported layers "
                "(regimes.networks.ensemble.supports)"
            )
        self.centred = isinstance(models[0], Centred)
        self.layers = _layers(models[0])
        prefix = "net." if self.centred else ""
        self.trained, self.frozen = {}, {}
        for name, p in models[0].named_parameters():
            if name.startswith("initial."):
                continue
            (self.trained if p.requires_grad else self.frozen)[name.removeprefix(prefix)] = _stack(
                models, name
            )
        if self.centred:
            self.initial = {
                name.removeprefix("initial."): _stack(models, name)
                for name, _ in models[0].named_parameters()
                if name.startswith("initial.")
            }
        self.size = len(models)

    def select(self, idx: torch.Tensor | slice) -> Ensemble:
        """The members ``idx`` (indices, or a slice: views) as an ensemble of their own (the same
        layers)."""
        other = copy.copy(self)
        other.trained = {k: v[idx] for k, v in self.trained.items()}
        other.frozen = {k: v[idx] for k, v in self.frozen.items()}
        if self.centred:
            other.initial = {k: v[idx] for k, v in self.initial.items()}
        other.size = next(iter(other.trained.values())).shape[0]
        return other

    def member_params(self, params: dict, m: int) -> dict:
        """Member ``m``'s parameters under the template model's names (for its NTK)."""
        prefix = "net." if self.centred else ""
        return {prefix + k: v[m] for k, v in params.items()}

    def _net(self, params: dict, x: torch.Tensor, frozen: dict, layers=None) -> torch.Tensor:
        M = x.shape[0]
        for name, module in self.layers if layers is None else layers:
            if isinstance(module, nn.Flatten):
                x = x.reshape(M, x.shape[1], -1)
            elif isinstance(module, nn.Unflatten):
                x = x.reshape(M, x.shape[1], *module.unflattened_size)
            elif isinstance(module, (nn.Linear, nn.Conv1d, nn.Conv2d)):
                w = params.get(f"{name}.weight", frozen.get(f"{name}.weight"))
                b = params.get(f"{name}.bias", frozen.get(f"{name}.bias"))
                x = self._layer(module, x, w, b)
            elif isinstance(module, _POOL):
                shape = x.shape
                out = module(x.reshape(shape[0] * shape[1], *shape[2:]))
                x = out.reshape(shape[0], shape[1], *out.shape[1:])
            else:
                x = module(x)
        return x

    def forward(self, params: dict, x: torch.Tensor) -> torch.Tensor:
        """Outputs ``(M, B, classes)`` of every member on its own inputs ``x``: ``(M, B, *input)``."""
        out = self._net(params, x, self.frozen)
        if self.centred:
            with torch.no_grad():
                initial = self._net(self.initial, x, {})
            out = out - initial
        return out

    def linearised(self, anchor: dict, tangent: dict | None, x: torch.Tensor):
        """``f(x; w_a)`` (with its autograd graph to ``anchor``) and ``J(x; w_a) t`` in one pass.

        Each layer's output and its tangent go forward together, the tangent under ``no_grad`` (it is
        never differentiated): a layer ``z = W h + b`` carries ``dz = W dh + dW h + db`` (a linear layer as
        two batched products, the second added in place; a convolution as two grouped convolutions); ReLU
        passes ``dz`` where ``z > 0``, max-pooling where it
        picked.  ``tangent=None``: every tangent is zero (right after re-linearising), only the primal
        is computed.  ``linearised_dual`` is the same with forward-mode AD, the reference.
        """
        M = x.shape[0]
        h, dh = x, None
        for name, module in self.layers:
            if isinstance(module, (nn.Flatten, nn.Unflatten)):
                shape = (
                    (M, x.shape[1], -1)
                    if isinstance(module, nn.Flatten)
                    else (M, x.shape[1], *module.unflattened_size)
                )
                h = h.reshape(shape)
                dh = None if dh is None else dh.reshape(shape)
            elif isinstance(module, (nn.Linear, nn.Conv1d, nn.Conv2d)):
                w = anchor.get(f"{name}.weight", self.frozen.get(f"{name}.weight"))
                b = anchor.get(f"{name}.bias", self.frozen.get(f"{name}.bias"))
                dw = None if tangent is None else tangent.get(f"{name}.weight")
                db = None if tangent is None else tangent.get(f"{name}.bias")
                z = self._layer(module, h, w, b)
                with torch.no_grad():
                    if dw is not None and dh is not None and isinstance(module, nn.Linear):
                        dz = torch.bmm(dh, w.detach().transpose(1, 2)).baddbmm_(
                            h.detach(), dw.transpose(1, 2)
                        )
                    elif dw is not None and dh is not None:
                        dz = self._layer(module, dh, w.detach(), None).add_(
                            self._layer(module, h.detach(), dw, None)
                        )
                    elif dw is not None:
                        dz = self._layer(module, h.detach(), dw, None)
                    elif dh is not None:
                        dz = self._layer(module, dh, w.detach(), None)
                    else:
                        dz = None
                    if db is not None and dz is not None:
                        dz = dz + db.reshape(M, 1, -1, *([1] * (dz.dim() - 3)))
                h, dh = z, dz
            elif isinstance(module, nn.ReLU):
                z = h
                h = torch.relu(z)
                if dh is not None:
                    with torch.no_grad():
                        # dh where z > 0, else 0: ReLU's own backward kernel (10x a mask-and-multiply)
                        dh = torch.ops.aten.threshold_backward(dh, z.detach(), 0.0)
            elif isinstance(module, (nn.MaxPool1d, nn.MaxPool2d)):
                shape = h.shape
                pool = F.max_pool1d if isinstance(module, nn.MaxPool1d) else F.max_pool2d
                out, idx = pool(
                    h.reshape(shape[0] * shape[1], *shape[2:]),
                    module.kernel_size,
                    module.stride,
                    module.padding,
                    module.dilation,
                    module.ceil_mode,
                    return_indices=True,
                )
                h = out.reshape(shape[0], shape[1], *out.shape[1:])
                if dh is not None:
                    with torch.no_grad():
                        flat = dh.reshape(shape[0] * shape[1], shape[2], -1)
                        dh = flat.gather(2, idx.reshape(idx.shape[0], idx.shape[1], -1)).reshape(h.shape)
            else:  # other elementwise maps and average pooling: the tangent by a jvp of the module
                z = h
                h = self._net({}, z, {}, [(name, module)]) if isinstance(module, _POOL) else module(z)
                if dh is not None:
                    with torch.no_grad():
                        fn = (
                            (lambda u: self._net({}, u, {}, [(name, module)]))
                            if isinstance(module, _POOL)
                            else module
                        )
                        dh = torch.func.jvp(fn, (z.detach(),), (dh,))[1]
        if self.centred:
            with torch.no_grad():
                initial = self._net(self.initial, x, {})
            h = h - initial
        return h, (torch.zeros_like(h) if dh is None else dh)

    def linearised_dual(self, anchor: dict, tangent: dict, x: torch.Tensor):
        """``linearised`` by forward-mode AD (``torch.autograd.forward_ad``) through ``forward``: the
        reference."""
        with fwAD.dual_level():
            dual = {k: fwAD.make_dual(anchor[k], tangent[k]) for k in anchor}
            out = self.forward(dual, x)
            primal, tangent_out = fwAD.unpack_dual(out)
        if tangent_out is None:
            tangent_out = torch.zeros_like(primal)
        return primal, tangent_out

    @staticmethod
    def _layer(module, h, w, b):
        """A linear or convolutional layer of every member at once: ``h (M, B, C, ...)``, ``w (M, out, C,
        ...)``."""
        M = h.shape[0]
        if isinstance(module, nn.Linear):
            return (
                torch.bmm(h, w.transpose(1, 2))
                if b is None
                else torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))
            )
        B, spatial = h.shape[1], h.shape[3:]
        grouped = h.transpose(0, 1).reshape(B, M * h.shape[2], *spatial)
        conv = F.conv1d if isinstance(module, nn.Conv1d) else F.conv2d
        out = conv(
            grouped,
            w.reshape(-1, *w.shape[2:]),
            None if b is None else b.reshape(-1),
            module.stride,
            module.padding,
            module.dilation,
            M * module.groups,
        )
        return out.reshape(B, M, -1, *out.shape[2:]).transpose(0, 1)


def member_losses(kind: str, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Each member's mean loss ``(M,)`` (``regimes.networks.linearise.loss_fn``: ``mse`` half the squared
    error to one-hot targets summed over classes, or ``ce`` cross-entropy)."""
    if kind == "mse":
        return _squared_loss(out, y)[0]
    if kind == "ce":
        return (
            F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1), reduction="none")
            .reshape(y.shape)
            .mean(-1)
        )
    raise ValueError(f"loss must be 'mse' or 'ce', got {kind!r}")


def _squared_loss(out: torch.Tensor, y: torch.Tensor):
    """Each member's ``mse`` loss ``(M,)`` and its residual, the outputs less the one-hot targets."""
    residual = out - F.one_hot(y, out.shape[-1]).to(out.dtype)
    return 0.5 * (residual**2).sum(-1).mean(-1), residual


def _loss_and_cotangent(kind: str, out: torch.Tensor, y: torch.Tensor):
    """Each member's loss at the outputs ``out`` and ``dL/df``, the gradient of their sum in ``out``:
    for ``mse`` written out, ``(f - onehot(y)) / B`` (the numbers autograd gives, to the last bit: its
    ``0.5 / B * 2 (f - onehot)`` rounds as ``(1 / B) (f - onehot)``); for ``ce`` by autograd."""
    if kind == "mse":
        losses, residual = _squared_loss(out.detach(), y)
        return losses, residual.mul_(1.0 / out.shape[-2])
    out = out.detach().requires_grad_(True)
    with torch.enable_grad():
        losses = member_losses(kind, out, y)
        (g,) = torch.autograd.grad(losses.sum(), out)
    return losses.detach(), g


def linearised_gradients(
    ens: Ensemble,
    anchor: dict,
    params: dict,
    x: torch.Tensor,
    y: torch.Tensor,
    loss: str,
    zero_tangent: bool = False,
):
    """Each member's loss of its Taylor model around ``anchor`` at ``params`` on its own ``(x, y)``, and
    the gradients in the weights, ``J(w_a)^T dL/df``: one pass forward (``Ensemble.linearised``; the
    tangent skipped when ``zero_tangent``), one backward through the anchor's outputs."""
    anchor = {k: v.detach().requires_grad_(True) for k, v in anchor.items()}
    tangent = None if zero_tangent else {k: params[k] - anchor[k].detach() for k in params}
    primal, tangent_out = ens.linearised(anchor, tangent, x)
    losses, g_out = _loss_and_cotangent(loss, primal if zero_tangent else primal.detach() + tangent_out, y)
    return losses, dict(zip(anchor, torch.autograd.grad(primal, list(anchor.values()), g_out)))


def dense(ens: Ensemble) -> bool:
    """Whether ``ens`` is a stack of linear layers and ReLUs (after an optional ``Flatten``), not
    centred: the networks ``dense_gradients`` computes by hand."""
    kinds = [type(m) for _, m in ens.layers]
    if kinds and kinds[0] is nn.Flatten:
        kinds = kinds[1:]
    return (
        not ens.centred
        and bool(kinds)
        and kinds[-1] is nn.Linear
        and all(k is (nn.Linear if i % 2 == 0 else nn.ReLU) for i, k in enumerate(kinds))
    )


def dense_gradients(
    ens: Ensemble,
    anchor: dict,
    params: dict,
    x: torch.Tensor,
    y: torch.Tensor,
    loss: str,
    zero_tangent: bool = False,
    plain: int = 0,
):
    """``linearised_gradients`` for a ``dense`` ensemble, written out: no autograd graph, and no tangent
    for the first ``plain`` members (whose weights are their anchor's: K = 1) nor, with
    ``zero_tangent``, for any member.

    Forward, each linear layer ``z = W h + b`` of the anchor carries its tangent ``dz = W dh + dW h +
    db`` and each ReLU its 0/1 derivative ``s = sign(relu(z))`` (0 where ``z <= 0``, as ReLU's own
    backward); then ``g = dL/df`` goes back through the anchor's weights, ``dL/dW = g^T h``,
    ``dL/db = sum g``, ``g <- (g W) s``.  The same numbers as ``linearised_gradients`` to float32
    rounding (the order of the sums differs)."""
    M = x.shape[0]
    P = M if zero_tangent else plain  # members [P:] carry a tangent
    weights = [(n, m) for n, m in ens.layers if isinstance(m, nn.Linear)]
    h = x.reshape(M, x.shape[1], -1)
    dh = None
    inputs, slopes, matrices = [], [], []  # each linear layer's input and anchor weight, each ReLU's slope

    def tail(t):  # the members with a tangent (no slice to make when that is all of them)
        return t if P == 0 else t[P:]

    with torch.no_grad():
        for i, (name, _) in enumerate(weights):
            w = anchor.get(f"{name}.weight", ens.frozen.get(f"{name}.weight"))
            b = anchor.get(f"{name}.bias", ens.frozen.get(f"{name}.bias"))
            matrices.append(w)
            wt = w.transpose(1, 2)
            z = torch.bmm(h, wt) if b is None else torch.baddbmm(b.unsqueeze(1), h, wt)
            if P < M:
                dw = params.get(f"{name}.weight")
                db = params.get(f"{name}.bias")
                dz = None if dh is None else torch.bmm(dh, tail(wt))
                if dw is not None:
                    dwt = (tail(dw) - tail(w)).transpose(1, 2)
                    dz = torch.bmm(tail(h), dwt) if dz is None else dz.baddbmm_(tail(h), dwt)
                if db is not None:
                    diff = (tail(db) - tail(b)).unsqueeze(1)
                    dz = diff.expand_as(tail(z)).clone() if dz is None else dz.add_(diff)
                dh = dz
            inputs.append(h)
            if i < len(weights) - 1:
                h = z.relu_()
                s = torch.sign(h)
                slopes.append(s)
                if dh is not None:
                    dh = dh.mul_(tail(s))
            else:
                h = z
        if dh is None:
            out = h
        elif P == 0:
            out = h + dh
        else:
            out = h.clone()
            out[P:] += dh
    losses, g = _loss_and_cotangent(loss, out, y)
    grads = {}
    with torch.no_grad():
        for i in range(len(weights) - 1, -1, -1):
            name = weights[i][0]
            if f"{name}.weight" in anchor:
                grads[f"{name}.weight"] = torch.bmm(g.transpose(1, 2), inputs[i])
            if f"{name}.bias" in anchor:
                grads[f"{name}.bias"] = g.sum(1)
            if i:
                g = torch.bmm(g, matrices[i]).mul_(slopes[i - 1])
    return losses, {k: grads[k] for k in anchor}


class _Optimiser:
    """SGD with momentum or Adam on stacked parameters, a learning rate per member: the update rules of
    ``torch.optim.SGD`` (dampening 0) and ``torch.optim.Adam`` (no weight decay) member by member, in
    their order of operations (Adam's first moment by ``lerp``, as PyTorch's own).

    Each rule is a handful of ``torch._foreach_*`` operations over the parameter tensors (PyTorch's
    multi-tensor path), the members' learning rates broadcast as ``(M, 1, ...)`` views."""

    def __init__(self, kind, params, lr, momentum=0.0, betas=(0.9, 0.999), eps=1e-8):
        if kind not in OPTIMISERS:
            raise ValueError(f"optimiser must be one of {OPTIMISERS}, got {kind!r}")
        self.kind, self.params, self.lr, self.momentum, self.betas, self.eps = (
            kind,
            params,
            lr,
            momentum,
            betas,
            eps,
        )
        self.M = len(lr)
        self.keys = list(params)
        self.state = {}
        self.t = 0
        self._unit_rates = None

    def _rates(self, scale=1.0):
        """The members' learning rates (times ``scale``) shaped to broadcast over each parameter (kept
        for ``scale = 1`` until the members change)."""
        if scale == 1.0 and self._unit_rates is not None:
            return self._unit_rates
        rates = [(self.lr * scale).reshape(self.M, *[1] * (self.params[k].dim() - 1)) for k in self.keys]
        if scale == 1.0:
            self._unit_rates = rates
        return rates

    @torch.no_grad()
    def step(self, grads):
        self.t += 1
        g = [grads[k] for k in self.keys]
        p = [self.params[k] for k in self.keys]
        if self.kind == "sgd":
            if self.momentum:
                buf = self.state.get("buf")
                if buf is None:
                    buf = self.state["buf"] = [t.clone() for t in g]
                else:
                    torch._foreach_mul_(buf, self.momentum)
                    torch._foreach_add_(buf, g)
                g = buf
            torch._foreach_sub_(p, torch._foreach_mul(g, self._rates()))
            return
        b1, b2 = self.betas
        m = self.state.setdefault("m", [torch.zeros_like(t) for t in g])
        v = self.state.setdefault("v", [torch.zeros_like(t) for t in g])
        torch._foreach_lerp_(m, g, 1 - b1)
        torch._foreach_mul_(v, b2)
        torch._foreach_addcmul_(v, g, g, value=1 - b2)
        denom = torch._foreach_sqrt(v)
        torch._foreach_div_(denom, math.sqrt(1 - b2**self.t))
        torch._foreach_add_(denom, self.eps)
        update = torch._foreach_div(m, denom)
        torch._foreach_mul_(update, self._rates(1 / (1 - b1**self.t)))
        torch._foreach_sub_(p, update)

    def keep(self, rows: torch.Tensor) -> None:
        """Go on with the members ``rows`` (indices of the current ones) only: their parameters, learning
        rates and state."""
        for k in self.keys:
            self.params[k] = self.params[k][rows]
        self.lr = self.lr[rows]
        self.M = len(rows)
        self._unit_rates = None
        for name, buffers in self.state.items():
            self.state[name] = [buf[rows] for buf in buffers]


def _evaluate(ens: Ensemble, anchor, tangent, X, y, loss, chunk=1000):
    """Each member's linearised model on the shared inputs ``X``: loss and accuracy ``(M,)`` each."""
    M = ens.size
    total = torch.zeros(M, dtype=torch.float64, device=X.device)
    correct = torch.zeros(M, dtype=torch.float64, device=X.device)
    for i in range(0, X.shape[0], chunk):
        xb = X[i : i + chunk].unsqueeze(0).expand(M, *X[i : i + chunk].shape)
        yb = y[i : i + chunk].unsqueeze(0).expand(M, -1)
        with torch.no_grad():
            primal, tan = ens.linearised(anchor, tangent, xb)
            out = primal + tan
        total += member_losses(loss, out, yb).double() * xb.shape[1]
        correct += (out.argmax(-1) == yb).sum(-1).double()
    return (total / X.shape[0]).cpu().numpy(), (correct / X.shape[0]).cpu().numpy()


def train_ensemble(
    models: list[nn.Module],
    members: list[Member],
    data: dict,
    *,
    steps: int,
    optimiser: str = "sgd",
    step_scale: float = 1.0,
    batch_size: int | None = None,
    loss: str = "mse",
    momentum: float = 0.0,
    record_every: int = 50,
    probe_size: int = 100,
    eval_subset: int | None = None,
    plateau_tol: float = 0.01,
    until_interpolation: bool = False,
    jump_every: int = 10,
    label: str = "",
    log_every: float = 10.0,
) -> Trained:
    """Train every member for ``steps`` optimiser steps, re-linearising member ``m`` every ``K_m``.

    ``models[m]`` is member ``m``'s initialised network; ``data``: tensors ``X, y, X_test, y_test`` on
    the models' device.  Records every ``record_every`` steps (and at the end), per member: train and
    test loss and accuracy of the trained (linearised) model, the kernel distance of the anchor's NTK
    from the initial one and from the previous record's, and ``||w - w_0|| / ||w_0||``.  Between the
    first and last record the training metrics are taken on a fixed ``eval_subset`` of the training set
    (all of it when ``None``); the last record always uses all of it.  ``plateau``: the test accuracy
    gained less than ``plateau_tol`` over the second half of training (or the training accuracy is 1).
    ``until_interpolation``: a member whose training accuracy (on all of the training set, checked at
    each record) reaches 1 stops there (``stopped``: the step; ``steps`` is then the budget).  With
    ``X_val, y_val`` in ``data`` each record also has ``val_loss, val_acc``.
    Rounds (K steps from an anchor, then re-linearise) are measured, per member: ``round_move``, the
    mean over measured rounds of ``||w_end - w_start|| / ||w_start||`` (how far a round carries the
    weights from the point the Taylor model was taken at), ``round_move_max`` its largest;
    ``relinearise_jump``, the mean over measured rounds of the loss of the network minus that of the
    Taylor model, both at the weights the round ended at, on the member's ``probe_size`` probe points
    (what re-linearising does to the loss; near 0 while the round stays where the Taylor model is
    accurate), ``relinearise_jump_max`` its largest.  Measured: every round ending on a multiple of
    ``jump_every`` steps, and every round of a member with ``K >= jump_every`` (so that K = 1 costs a
    ``1 / jump_every`` share of forward passes and weight norms, not one per step); ``rounds``: the
    rounds completed.  K = inf completes none: NaN.
    Returns arrays ``(M, records)`` and ``(M,)``.
    """
    if len(models) != len(members):
        raise ValueError(f"{len(models)} models for {len(members)} members")
    ens = Ensemble(models)
    # a stack of linear layers and ReLUs is differentiated by hand, the K = 1 members leading the
    # ensemble (its first cells) without a tangent; any other network by autograd
    fast = dense(ens)
    M = ens.size
    dev = data["X"].device
    X, y = data["X"], data["y"]
    n = X.shape[0]
    K = [parse_K(m.K) for m in members]
    probes, probe_labels = [], []
    for mem in members:
        gen = torch.Generator().manual_seed(int(mem.seed) + 7919)
        chosen = torch.randperm(n, generator=gen)[:probe_size].to(dev)
        probes.append(X[chosen])
        probe_labels.append(y[chosen])
    theta0 = [empirical_ntk(models[m], probes[m], ens.member_params(ens.trained, m)) for m in range(M)]
    lrs = []
    for m, mem in enumerate(members):
        scale = step_scale if mem.step_scale is None else mem.step_scale
        lrs.append(
            mem.lr
            if mem.lr is not None
            else scale / float(torch.linalg.eigvalsh(theta0[m].double() / probes[m].shape[0])[-1])
        )
    params = {k: v.clone() for k, v in ens.trained.items()}
    anchor = {k: v.clone() for k, v in params.items()}
    w0 = torch.cat([v.reshape(M, -1) for v in params.values()], dim=1)
    lr = torch.tensor(lrs, dtype=w0.dtype, device=dev)
    opt = _Optimiser(optimiser, params, lr, momentum=momentum)
    order = stacked_minibatches(n, batch_size, [mem.seed for mem in members], dev)
    if eval_subset is not None and eval_subset < n:
        subset = torch.randperm(n, generator=torch.Generator().manual_seed(1))[:eval_subset].to(dev)
    else:
        subset = None
    if until_interpolation and subset is not None:
        raise ValueError(
            "until_interpolation checks the training accuracy on all of the training set: leave "
            "eval_subset out"
        )
    splits = ("train", "test") + (("val",) if "X_val" in data else ())
    history = {k: [] for k in ("step", *HISTORY) if "val" in splits or not k.startswith("val_")}
    # The members as they train (regimes.batched.Runs): no loss rule (a fixed budget of steps); a member
    # stops when it diverges or, with until_interpolation, when it interpolates (converged).
    runs = Runs(M, device=dev, log=log, label=label, log_every=log_every)
    diverged, done = runs.diverged, runs.converged  # updated in place
    stopped = torch.full((M,), steps, dtype=torch.long, device=dev)
    all_fresh = True  # every member's tangent is zero at the next step (skip computing it)
    theta_prev = list(theta0)
    relinearise_at = [0 if math.isinf(k) else int(k) for k in K]
    always_measured = [k >= jump_every for k in relinearise_at]
    probe_x, probe_y = torch.stack(probes), torch.stack(probe_labels)
    rounds = {k: torch.zeros(M, dtype=torch.float64, device=dev) for k in ("move", "move_max")}
    round_count = np.zeros(M)  # rounds completed, per member
    jumps = {k: torch.zeros(M, dtype=torch.float64, device=dev) for k in ("count", "sum")}
    jumps["max"] = torch.full((M,), -math.inf, dtype=torch.float64, device=dev)

    recording = [0.0]  # seconds spent in records (logged at the end: regimes.results_page.job_profile)

    def snapshot(step, final):
        began = time.perf_counter()
        _snapshot(step, final)
        recording[0] += time.perf_counter() - began

    def _snapshot(step, final):
        tangent = None if step == 0 else {k: params[k] - anchor[k] for k in params}  # None: zero (untrained)
        Xs, ys = (X, y) if (final or subset is None) else (X[subset], y[subset])
        metrics = {
            "train": _evaluate(ens, anchor, tangent, Xs, ys, loss),
            "test": _evaluate(ens, anchor, tangent, data["X_test"], data["y_test"], loss),
        }
        if "val" in splits:
            metrics["val"] = _evaluate(ens, anchor, tangent, data["X_val"], data["y_val"], loss)
        w = torch.cat([v.reshape(M, -1) for v in params.values()], dim=1)
        kd, ad = [], []
        for m in range(M):
            theta = (
                theta0[m]
                if math.isinf(K[m])
                else empirical_ntk(models[m], probes[m], ens.member_params(anchor, m))
            )
            kd.append(kernel_distance(theta0[m], theta))
            ad.append(kernel_distance(theta_prev[m], theta))
            theta_prev[m] = theta
        bad = diverged.cpu().numpy()
        nan = np.where(bad, np.nan, 1.0)
        history["step"].append(step)
        for split, (loss_value, acc) in metrics.items():
            history[f"{split}_loss"].append(loss_value * nan)
            history[f"{split}_acc"].append(acc * nan)
        if until_interpolation:
            reached = torch.as_tensor(metrics["train"][1] >= 1.0, device=dev) & runs.active
            if bool(reached.any()):
                runs.stop(reached, converged=True)
                stopped[reached] = step
        history["kernel_distance"].append(np.array(kd) * nan)
        history["anchor_distance"].append(np.array(ad) * nan)
        history["weight_change"].append(((w - w0).norm(dim=1) / w0.norm(dim=1)).cpu().numpy() * nan)
        history["feature_updates"].append(
            np.array([feature_updates(mem.K, step) for mem in members], dtype=float)
        )

    # The members still training, computed as an ensemble of their own; a member that diverges or
    # interpolates leaves it (its weights in `params` and `anchor` are final), so that the others' steps
    # cost only their own arithmetic.  `params`, `anchor` and `ens` hold every member (the records).
    leading = next((m for m, k in enumerate(K) if k != 1), M)  # members [0, leading) have K = 1
    live = {"ids": torch.arange(M, device=dev), "list": list(range(M)), "ens": ens, "params": params}
    live["plain"] = leading
    live.update(anchor=anchor, probe_x=probe_x, probe_y=probe_y)

    def sync():
        """Write the live members' weights into ``params`` and ``anchor``."""
        if live["params"] is not params:
            with torch.no_grad():
                for k in params:
                    params[k][live["ids"]] = live["params"][k]
                    anchor[k][live["ids"]] = live["anchor"][k]

    def keep(rows):
        """Go on with the live members ``rows`` (positions among the live ones) only."""
        sync()
        if opt.params is params:
            opt.params = dict(params)  # its own dict: keep replaces its entries
        opt.keep(rows)
        ids = live["ids"][rows]
        live.update(ids=ids, list=ids.tolist(), ens=ens.select(ids), params=opt.params)
        live["plain"] = sum(1 for m in live["list"] if m < leading)
        live.update(anchor={k: anchor[k][ids] for k in anchor}, probe_x=probe_x[ids], probe_y=probe_y[ids])

    snapshot(0, steps == 0)
    for step in range(1, steps + 1):
        index = next(order)
        ids, count = live["ids"], len(live["list"])
        if count:
            if index is None:
                xb, yb = X.unsqueeze(0).expand(count, *X.shape), y.unsqueeze(0).expand(count, -1)
            else:
                index = index if count == M else index[ids]
                rows = index.reshape(-1)  # one gather of whole rows (faster than indexing by (M, B))
                xb = X.index_select(0, rows).reshape(*index.shape, *X.shape[1:])
                yb = y.index_select(0, rows).reshape(index.shape)
            if fast:
                value, grads = dense_gradients(
                    live["ens"], live["anchor"], live["params"], xb, yb, loss, all_fresh, live["plain"]
                )
            else:
                value, grads = linearised_gradients(
                    live["ens"], live["anchor"], live["params"], xb, yb, loss, zero_tangent=all_fresh
                )
            with torch.no_grad():
                # no loss rule: the members that diverged now (the first call sees every member)
                bad = runs.observe(value) if count == M else runs.observe(value, ids)
                if bool(bad.any()):
                    for i in torch.nonzero(bad).flatten().tolist():
                        m = live["list"][i]
                        log.warning(
                            "%s member %d (seed %d, K %s): loss %s at step %d, recorded as diverged",
                            label,
                            m,
                            members[m].seed,
                            members[m].K,
                            value[i].item(),
                            step,
                        )
                    for k in live["params"]:
                        live["params"][k][bad] = 0.0
                        live["anchor"][k][bad] = 0.0
                    rows = torch.nonzero(~bad).flatten()
                    keep(rows)
                    grads = {k: g[rows] for k, g in grads.items()}
                    ids, count = live["ids"], len(live["list"])
            opt.step(grads)
            with torch.no_grad():
                movers = [
                    i
                    for i, m in enumerate(live["list"])
                    if relinearise_at[m] and step % relinearise_at[m] == 0
                ]
                if movers:
                    measured = [
                        i for i in movers if always_measured[live["list"][i]] or step % jump_every == 0
                    ]
                    if measured:
                        rows = _rows(measured, dev)
                        sampled = ids[rows]
                        sub_params = {k: v[rows] for k, v in live["params"].items()}
                        sub_anchor = {k: v[rows] for k, v in live["anchor"].items()}
                        gap = _relinearise_jump(
                            live["ens"].select(rows),
                            sub_anchor,
                            sub_params,
                            live["probe_x"][rows],
                            live["probe_y"][rows],
                            loss,
                        )
                        jumps["count"][sampled] += 1
                        jumps["sum"][sampled] += gap
                        jumps["max"][sampled] = torch.maximum(jumps["max"][sampled], gap)
                        moved = _relative_move(sub_params, sub_anchor)
                        rounds["move"][sampled] += moved
                        rounds["move_max"][sampled] = torch.maximum(rounds["move_max"][sampled], moved)
                    round_count[[live["list"][i] for i in movers]] += 1
                    rows = _rows(movers, dev)
                    for k in live["params"]:
                        live["anchor"][k][rows] = live["params"][k][rows]
                # every member's tangent is zero at the next step: each re-linearised now
                all_fresh = len(movers) == count
        if step % record_every == 0 or step == steps:
            sync()
            snapshot(step, step == steps)
            finished = (done | diverged)[live["ids"]]
            if bool(finished.any()):  # interpolated at this record
                keep(torch.nonzero(~finished).flatten())
            if until_interpolation and bool((done | diverged).all()) and step < steps:
                log.info("%s every member interpolates (or diverged) at step %d", label, step)
                break
        runs.advance()
        runs.report(step)
    sync()
    log.info("%s records took %.1f s of %.1f s", label or "ensemble", recording[0], runs.progress.seconds())
    out = {k: np.stack(v, axis=-1) if k != "step" else np.asarray(v) for k, v in history.items()}
    out["diverged"] = diverged.cpu().numpy()
    out["lr"] = np.asarray(lrs)
    out["seconds"] = np.full(M, runs.progress.seconds() / M)
    out["final_weights"] = torch.cat([v.reshape(M, -1) for v in params.values()], dim=1).cpu().numpy()
    out["plateau"] = plateau(out["step"], out["test_acc"], out["train_acc"], plateau_tol)
    out["stopped"] = stopped.cpu().numpy()
    count, measured = round_count, jumps["count"].cpu().numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["rounds"] = count
        out["round_move"] = np.where(measured > 0, rounds["move"].cpu().numpy() / measured, np.nan)
        out["round_move_max"] = np.where(measured > 0, rounds["move_max"].cpu().numpy(), np.nan)
        out["relinearise_jump"] = np.where(measured > 0, jumps["sum"].cpu().numpy() / measured, np.nan)
        out["relinearise_jump_max"] = np.where(measured > 0, jumps["max"].cpu().numpy(), np.nan)
    return Trained(out)


def _rows(positions: list[int], dev) -> slice | torch.Tensor:
    """Rows ``positions`` (ascending) of a stacked tensor: a slice (a view) when they are contiguous."""
    first, last = positions[0], positions[-1]
    if last - first + 1 == len(positions):
        return slice(first, last + 1)
    return torch.tensor(positions, device=dev)


def _relative_move(params: dict, anchor: dict) -> torch.Tensor:
    """``||w - w_a|| / ||w_a||`` of every member of ``params``, over all its parameters, float64."""
    M = next(iter(params.values())).shape[0]
    moved = sum(((params[k] - anchor[k]).double() ** 2).reshape(M, -1).sum(1) for k in params)
    start = sum((anchor[k].double() ** 2).reshape(M, -1).sum(1) for k in params)
    return (moved / start).sqrt()


@torch.no_grad()
def _relinearise_jump(ens: Ensemble, anchor: dict, params: dict, x, y, loss: str) -> torch.Tensor:
    """Per member ``(M,)``: the network's loss minus its Taylor model's (around ``anchor``), both at
    ``params``, on the member's own ``(x, y)`` (float64)."""
    primal, tangent_out = ens.linearised(anchor, {k: params[k] - anchor[k] for k in params}, x)
    taylor = member_losses(loss, primal + tangent_out, y)
    network = member_losses(loss, ens.forward(params, x), y)
    return (network - taylor).double()


def plateau(steps: np.ndarray, test_acc: np.ndarray, train_acc: np.ndarray, tol: float) -> np.ndarray:
    """Per member: the test accuracy gained less than ``tol`` between the record nearest half of
    training and the last one, or the training accuracy reached 1 (interpolation).  False for a member
    with no finite last record."""
    half = int(np.argmin(np.abs(steps - steps[-1] / 2)))
    gain = test_acc[:, -1] - test_acc[:, half]
    done = (gain < tol) | (train_acc[:, -1] >= 1.0)
    return done & np.isfinite(test_acc[:, -1])
