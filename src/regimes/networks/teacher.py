"""Students of the circle teacher, every (alpha, seed) of a depth trained at once (Woodworth et al. 2020,
sec. 7, fig. 6; docs/science.md sec. 1.7).

A student is a fully connected ReLU network ``R^2 -> R`` of ``depth`` weight layers of ``width`` units
with biases, times alpha (the paper scales "every weight" by alpha): ``init="he"``, He-uniform weights
(``U(-b, b)``, ``b = sqrt(6 / fan_in)``) and zero biases, or ``init="torch"``, PyTorch's default for a
linear layer (weights and biases ``U(-b, b)``, ``b = 1 / sqrt(fan_in)``), the reading of the paper's
"uniform He initialisation" closest to its values (docs/teacher_readings.md); ``centre=True``
subtracts the initial function (our labelled variant: the paper's students are not centred).  Member
``m`` draws from ``seeds[m]`` alone and alpha only scales the draws, so members that share a seed share
their directions (paired by seed) and batching changes nothing.

Training is the paper's: full-batch gradient descent on the sum of squared errors (the paper's loss: no
1/n, no 1/2) at a fixed step ``lr`` (0.01) until the training loss is below ``atol`` (1e-9), run
by run.  Where that step would be unstable (``lr`` above ``step_scale / lambda``, ``lambda`` the loss's
Gauss-Newton curvature, tracked
by a warm power iteration every ``curvature_every`` steps) the run takes ``step_scale / lambda`` and
says so (``capped``); at large alpha^D a fixed step of 0.01 diverges.  Ten random points on the circle
can lie close together, and the last decades of the loss then take millions of steps: ``converged``
says whether a run met the paper's rule, and the test predictions halfway through the steps let the
analysis tell a run on its plateau from one that stopped short (``regimes.networks.analyse``).
Members are stacked: a weight is ``(members, fan_in, fan_out)`` and every layer one batched product;
a run that stops leaves the stack, which goes on with the runs still training (tested: each member equals
its run alone).
"""

from __future__ import annotations

import logging
import math

import numpy as np
import torch

from ..batched import Runs, Trained, log_cells, power_step
from ..device import resolve
from ..flow import ImplicitSteps
from ..grid import Cell, split_cells

__all__ = [
    "train_teacher_batch",
    "init_students",
    "student_forward",
    "student_jacobian",
    "jacobian_distance",
    "kernel_limit",
    "train_students",
]

log = logging.getLogger(__name__)


INITS = ("he", "torch")


def init_students(
    d_in: int, width: int, depth: int, alphas, seeds, *, init: str = "he", dtype=torch.float64, device=None
) -> list[torch.Tensor]:
    """``[W_1, b_1, ..., W_D, b_D]`` with a leading member axis, times alpha: ``init="he"``: He-uniform
    weights (``U(-b, b)``, ``b = sqrt(6 / fan_in)``), zero biases; ``init="torch"``: PyTorch's default for a
    linear layer, weights and biases ``U(-b, b)`` with ``b = 1 / sqrt(fan_in)`` (a sixth of He's variance)."""
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    if depth < 2:
        raise ValueError(f"a student has depth >= 2 weight layers, got {depth}")
    alphas = np.asarray(alphas, float).reshape(-1)
    seeds = np.asarray(seeds).reshape(-1)
    if len(alphas) != len(seeds):
        raise ValueError(f"one alpha per seed: {len(alphas)} alphas, {len(seeds)} seeds")
    sizes = [d_in] + [width] * (depth - 1) + [1]
    per_member = []
    for alpha, seed in zip(alphas, seeds):
        gen = torch.Generator().manual_seed(int(seed))
        layers = []
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            bound = math.sqrt(6.0 / fan_in) if init == "he" else 1.0 / math.sqrt(fan_in)
            W = (2 * torch.rand(fan_in, fan_out, generator=gen, dtype=dtype) - 1) * bound * float(alpha)
            b = (
                torch.zeros(fan_out, dtype=dtype)
                if init == "he"
                else (2 * torch.rand(fan_out, generator=gen, dtype=dtype) - 1) * bound * float(alpha)
            )
            layers += [W, b]
        per_member.append(layers)
    dev = resolve(device)
    return [torch.stack([m[i] for m in per_member]).to(dev) for i in range(2 * depth)]


def student_forward(params, X: torch.Tensor) -> torch.Tensor:
    """Outputs ``(members, points)``; ``X``: ``(points, d_in)`` shared by all members, or one set a member."""
    return _passes(params, X)[0]


def _passes(params, X):
    """The forward pass keeping what the hand-written products need: pre-activations and inputs of
    every layer.  Returns ``(outputs (members, points), inputs, pre-activations)``."""
    inputs, pre = [], []
    h = X
    last = len(params) // 2 - 1
    for layer in range(last + 1):
        W, b = params[2 * layer], params[2 * layer + 1]
        inputs.append(h)
        # one fused product a layer where every member has its own inputs (the training loop)
        z = torch.baddbmm(b.unsqueeze(-2), h, W) if h.ndim == 3 else torch.matmul(h, W) + b.unsqueeze(-2)
        pre.append(z)
        h = torch.relu(z) if layer < last else z
    return h.squeeze(-1), inputs, pre


def _pullback(params, inputs, pre, g) -> list[torch.Tensor]:
    """``J^T g`` member by member (``g``: ``(members, points)``): the gradient of ``sum g * outputs`` in
    each weight, by hand (two products a layer); equal to autograd's (tested)."""
    grads = [None] * len(params)
    dz = g.unsqueeze(-1)
    for layer in range(len(params) // 2 - 1, -1, -1):
        h = inputs[layer]
        grads[2 * layer] = (
            torch.bmm(h.transpose(-1, -2), dz) if h.ndim == dz.ndim else torch.einsum("pi,mpo->mio", h, dz)
        )
        grads[2 * layer + 1] = dz.sum(-2)
        if layer:
            dz = torch.bmm(dz, params[2 * layer].transpose(-1, -2)) * (pre[layer - 1] > 0)
    return grads


def _pushforward(params, inputs, pre, tangent) -> torch.Tensor:
    """``J t`` member by member (``tangent``: one tensor a weight): forward-mode by hand."""
    dz = None
    for layer in range(len(params) // 2):
        dW, db = tangent[2 * layer], tangent[2 * layer + 1]
        step = torch.matmul(inputs[layer], dW) + db.unsqueeze(-2)
        if dz is not None:
            step = step + torch.matmul(dz * (pre[layer - 1] > 0), params[2 * layer])
        dz = step
    return dz.squeeze(-1)


def student_jacobian(params, X: torch.Tensor) -> torch.Tensor:
    """The Jacobian of each member's outputs on ``X`` (``(points, d_in)`` shared, or ``(members, points,
    d_in)``) in its own weights: ``(members, points, parameters)``, a pullback of each point's unit vector."""
    with torch.no_grad():
        out, inputs, pre = _passes(params, X)
        rows = []
        for i in range(out.shape[-1]):
            unit = torch.zeros_like(out)
            unit[:, i] = 1.0
            rows.append(torch.cat([g.flatten(1) for g in _pullback(params, inputs, pre, unit)], dim=1))
        return torch.stack(rows, dim=1)


def jacobian_distance(J0, J1) -> np.ndarray:
    """The cosine distance ``1 - <J0, J1> / (||J0|| ||J1||)`` between two Jacobians (the gradient feature
    maps) of each member, flattened over points and parameters (Woodworth et al. fig. 6b)."""
    J0, J1 = (torch.as_tensor(J).flatten(1) for J in (J0, J1))
    cos = (J0 * J1).sum(1) / (J0.norm(dim=1) * J1.norm(dim=1))
    return (1.0 - cos).cpu().numpy()


def kernel_limit(params, X, y, X_new, *, centre: bool = False) -> np.ndarray:
    """Each member's kernel-regime limit at ``X_new[m]`` (``X``, ``X_new``: ``(members, points, d_in)``):
    the model linearised at ``params`` trained to convergence, ``f(x) + Theta(x, X) Theta(X, X)^+ (y - f(X))``
    (the initial function included unless
    ``centre``)."""
    with torch.no_grad():
        f, _, _ = _passes(params, X)
        f_new, inputs, pre = _passes(params, X_new)
        if centre:
            f, f_new = torch.zeros_like(f), torch.zeros_like(f_new)
        J = student_jacobian(params, X)
        residual = torch.as_tensor(np.asarray(y), dtype=f.dtype, device=f.device) - f
        coef = torch.stack(
            [
                torch.linalg.lstsq(t.cpu(), r.cpu()[:, None], driver="gelsd").solution[:, 0]
                for t, r in zip(J @ J.transpose(1, 2), residual)
            ]
        ).to(f.device)
        step = (J.transpose(1, 2) @ coef.unsqueeze(-1)).squeeze(-1)  # J^T coef: the minimum-norm weight step
        sizes = [p[0].numel() for p in params]
        tangent = [t.reshape(p.shape) for p, t in zip(params, torch.split(step, sizes, dim=1))]
        return (f_new + _pushforward(params, inputs, pre, tangent)).cpu().numpy()


def train_students(
    X,
    y,
    alpha,
    seeds,
    depth: int,
    width: int,
    *,
    centre: bool = False,
    init: str = "he",
    lr: float = 0.01,
    atol: float = 1.0e-9,
    max_steps: int = 100000,
    step_scale: float = 1.0,
    curvature_every: int = 10,
    rtol: float | None = None,
    implicit_every: int = 20,
    X_test=None,
    probe=None,
    device=None,
    log_every: float = 10.0,
    label: str = "",
) -> Trained:
    """Train one student per ``(alpha[m], seeds[m])`` on its data ``X[m], y[m]`` (``(members, n, 2)``,
    ``(members, n)``) by gradient descent at step ``lr`` (capped at ``step_scale`` over the curvature)
    until its loss (the sum of squares) is at most ``atol`` or ``max_steps``: per member the final loss,
    steps, converged / diverged, whether the step was capped, the Jacobian cosine distance between
    initialisation and the end on ``probe[m]`` (default: the training points) and, with ``X_test``, the
    test predictions at the end, at initialisation and halfway through the steps, and the kernel-regime
    limit's test predictions from the initialisation."""
    dev = resolve(device)
    dtype = torch.float64
    X = torch.as_tensor(np.asarray(X), dtype=dtype, device=dev)
    y = torch.as_tensor(np.asarray(y), dtype=dtype, device=dev)
    members, n = y.shape
    probe = X if probe is None else torch.as_tensor(np.asarray(probe), dtype=dtype, device=dev)
    X_test = None if X_test is None else torch.as_tensor(np.asarray(X_test), dtype=dtype, device=dev)
    params = init_students(X.shape[-1], width, depth, alpha, seeds, init=init, dtype=dtype, device=dev)
    with torch.no_grad():
        offset = student_forward(params, X) if centre else torch.zeros_like(y)
        test_offset = student_forward(params, X_test) if centre and X_test is not None else None
    J0 = student_jacobian(params, probe)
    kernel = kernel_limit(params, X, y, X_test, centre=centre) if X_test is not None else None

    def predict(ps):
        with torch.no_grad():
            return None if X_test is None else student_forward(ps, X_test) - (test_offset if centre else 0.0)

    initial_prediction = predict(params)
    halfway = initial_prediction

    v = torch.full((members, n), n**-0.5, dtype=dtype, device=dev)
    lam = torch.zeros(members, dtype=dtype, device=dev)
    batch = Runs(members, atol=atol, device=dev, dtype=dtype, log=log, label=label, log_every=log_every)
    capped = torch.zeros(members, dtype=torch.bool, device=dev)
    implicit = ImplicitSteps(members, scale=1.0, rtol=rtol, every=implicit_every, device=dev)
    eta = torch.full((members,), lr, dtype=dtype, device=dev)
    params = [p.detach() for p in params]
    # The runs still training are computed on, compacted as runs stop (``idx``: their places in the stack);
    # a run that stops leaves its weights in ``final`` (every member's weights, the current ones of the
    # runs still training written in where the whole stack is read).
    idx = torch.arange(members, device=dev)
    final = [p.clone() for p in params]
    implicit_steps = torch.zeros(members, dtype=torch.long, device=dev)
    Xw, yw, offset_w = X, y, offset

    def whole(current):
        for kept, p in zip(final, current):
            kept[idx] = p
        return final

    fresh = True  # the step sizes follow from lam: recomputed when it changes or the runs are compacted
    for step in range(max_steps + 1):
        everyone = len(idx) == members  # no run has stopped: the stack is every run, in order
        with torch.no_grad():
            out, inputs, pre = _passes(params, Xw)
            r = out - offset_w - yw
            stopped = batch.observe((r * r).sum(1), None if everyone else idx)
        if step == max_steps:
            stopped = torch.ones_like(stopped)
        if bool(stopped.any()):
            for kept, p in zip(final, params):
                kept[idx[stopped]] = p[stopped]
            implicit_steps[idx[stopped]] = implicit.taken[stopped]
            keep = ~stopped
            if not bool(keep.any()):
                break
            idx, Xw, yw, offset_w, v, lam, eta = (t[keep] for t in (idx, Xw, yw, offset_w, v, lam, eta))
            params = [p[keep] for p in params]
            implicit.keep(keep)
            fresh = True
            with torch.no_grad():
                out, inputs, pre = _passes(params, Xw)
                r = out - offset_w - yw
        if step == max_steps // 2:
            halfway = predict(whole(params))
        # a linearly implicit step where the linearisation holds (regimes.flow), when they are on
        trying = None if rtol is None else implicit.due(step, batch.active[idx])
        if trying is not None and bool(trying.any()):
            with torch.no_grad():
                params, r, took = implicit.attempt(
                    step,
                    params,
                    r,
                    lambda ps, ids: student_jacobian(ps, Xw[ids]),
                    lambda ps, ids: student_forward(ps, Xw[ids]) - offset_w[ids] - yw[ids],
                    eta,
                    trying,
                )
            if took.any():
                out, inputs, pre = _passes(params, Xw)
        else:
            took = None
        with torch.no_grad():
            grads = _pullback(params, inputs, pre, 2.0 * r)
            if (
                step % curvature_every == 0
            ):  # the loss's Gauss-Newton curvature 2 ||J||^2, warm power iteration
                for _ in range(20 if step == 0 else 1):
                    norm, v = power_step(
                        lambda u: _pushforward(params, inputs, pre, _pullback(params, inputs, pre, u)), v
                    )
                lam = 2.0 * norm
                fresh = True
        with torch.no_grad():
            if fresh:
                safe = step_scale / lam.clamp_min(torch.finfo(dtype).tiny)
                capped[idx] |= safe < lr
                eta = torch.clamp(safe, max=lr)
                scales = [eta.view(-1, *([1] * (p.ndim - 1))) for p in params]
                fresh = False
            step_scales = scales
            if took is not None:
                step_eta = torch.where(took, torch.zeros_like(eta), eta)
                step_scales = [step_eta.view(-1, *([1] * (p.ndim - 1))) for p in params]
            params = torch._foreach_sub(params, torch._foreach_mul(grads, step_scales))
        # (a run that stopped at this step has left the stack and is no longer active: the two agree)
        batch.advance(ids=None if everyone else idx)
        batch.report(step)
    params = final
    J1 = student_jacobian(params, probe)
    prediction = predict(params)
    diagnosis = _why_slow(params, X, batch.loss, atol, lr)
    out = {}
    if (
        X_test is not None
    ):  # the test function at the end, at initialisation and halfway (for the plateau check)
        out = {
            "test_prediction": prediction.cpu().numpy(),
            "initial_prediction": initial_prediction.cpu().numpy(),
            "halfway_prediction": halfway.cpu().numpy(),
            "kernel_prediction": kernel,
        }
    return batch.result(
        capped=capped,
        implicit_steps=implicit_steps,
        **diagnosis,
        jacobian_distance=jacobian_distance(J0, J1),
        kernel_distance=_kernel_distance(J0, J1),
        **out,
    )


KINK = 1.0e-3  # a pre-activation within this fraction of its layer's rms of zero sits on a kink


def _why_slow(params, X, loss, atol: float, lr: float) -> dict:
    """What sets how far a run is from the paper's rule where it stopped, per member: ``kinks``, the
    (unit, training point) pairs whose pre-activation is within ``KINK`` of zero (relative to the layer's
    rms): a unit's kink on a training point, where the student's linearisation fails at any step length
    and gradient descent chatters; ``kernel_min_eig``, the smallest eigenvalue of the loss's Gauss-Newton
    curvature on the training points (``2 J J^T``), which sets the flow's last decades; and
    ``projected_steps``, the steps at ``lr`` the flow would still need at that rate from the final loss
    to ``atol`` (0 for a run that met it)."""
    with torch.no_grad():
        _, _, pre = _passes(params, X)
        kinks = torch.zeros(params[0].shape[0], dtype=torch.long, device=params[0].device)
        for z in pre[:-1]:
            rms = z.pow(2).mean(dim=(-2, -1), keepdim=True).sqrt()
            kinks += (z.abs() <= KINK * rms).flatten(1).sum(1)
        J = student_jacobian(params, X)
        lam = 2.0 * torch.linalg.eigvalsh(J @ J.transpose(1, 2))[:, 0].clamp_min(0.0)
        ratio = (loss / atol).clamp_min(1.0)
        projected = torch.where(ratio > 1.0, torch.log(ratio) / (lr * lam), torch.zeros_like(lam))
    return {"kinks": kinks, "kernel_min_eig": lam, "projected_steps": projected}


def _kernel_distance(J0, J1) -> np.ndarray:
    """``1 - <T0, T1>_F / (||T0|| ||T1||)`` between the tangent kernels ``T = J J^T``
    (``regimes.kernels``)."""
    from ..kernels import kernel_distance

    return np.array([kernel_distance(a @ a.T, b @ b.T) for a, b in zip(J0, J1)])


def train_teacher_batch(
    cells: list[Cell],
    datasets: list[dict],
    settings: dict,
    *,
    centre: bool = False,
    probe_size: int = 50,
    label: str = "",
) -> dict:
    """ReLU students of every seed's teacher data for a batch of cells at one depth and width, trained as
    one stack (``regimes.networks.teacher``); per cell, arrays over seeds: test predictions (trained,
    initial and the kernel-regime limit), the Jacobian and tangent-kernel distances on ``probe_size`` of
    the test points, and how each run ended."""
    if len({(c.depth, c.width) for c in cells}) != 1:
        raise ValueError(
            f"a teacher batch has one depth and width, got {sorted({(c.depth, c.width) for c in cells})}"
        )
    seeds = [int(d["seed"]) for d in datasets]
    members = [(cell, d) for cell in cells for d in datasets]
    stack = lambda key: np.stack([d[key] for _, d in members])  # noqa: E731
    probe = np.stack(
        [d["X_test"][:: max(1, len(d["X_test"]) // probe_size)][:probe_size] for _, d in members]
    )
    settings = {k: v for k, v in settings.items() if k != "plateau_tol"}  # the analysis's
    run = train_students(
        stack("X"),
        stack("y"),
        [c.alpha for c, _ in members],
        [int(d["seed"]) for _, d in members],
        cells[0].depth,
        cells[0].width,
        centre=centre,
        X_test=stack("X_test"),
        probe=probe,
        label=label,
        **settings,
    )
    results = split_cells(cells, seeds, run)
    log_cells(log, results)
    return results
