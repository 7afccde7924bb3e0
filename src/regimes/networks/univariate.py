"""The wide univariate ReLU network of Woodworth et al. 2020, fig. 7, every (alpha, seed) trained at once
(docs/science.md sec. 1.7).

``f(x) = sum_j a_j relu(w_j x + b_j) - f_0(x)``: one hidden layer of ``width`` units, centred (``f_0`` the
function at initialisation, so ``f = 0`` there).  Draws: ``w ~ N(0, 2)``, ``b ~ N(0, 1)``,
``a ~ N(0, 2 / width)`` (He-normal, biases unit normal), all times alpha, drawn exactly as
:func:`regimes.networks.architectures.univariate_network` draws them.  The *balance* ``p`` moves scale
between the layers without changing the function (ReLU is positively homogeneous): ``w, b`` times
``width^-p``, ``a`` times ``width^p``.  The paper's fig. 7 draws ``p = 0`` (a), ``1/2`` (b) and ``1/4`` (c):
at small alpha every balance gives the linear spline; at large alpha the kernel, and with it the curve,
depends on the balance (``p = 0``: the output layer's random features dominate the tangent kernel;
``p = 1/2``: the first layer's; ``1/4``: both alike).

Training follows gradient flow on ``L = mean (f - y)^2 / 2`` with a step ``step_scale / lambda_max(Theta /
n)``
(the tangent kernel on the ``n`` training points, exact: it is ``n x n``, recomputed every
``curvature_every`` steps) and no weight vector (``w`` or ``a``) changing by more than ``max_rel_change`` of
its norm in a step; run by run until ``L <= tol * L_0`` or ``max_steps``.  Gradients, kernel and
kernel-regime limit are written out by hand (tested against autograd and the generic
:func:`regimes.networks.exact.kernel_prediction`).  With ``rtol`` the flow also takes linearly implicit
steps through the tangent kernel where the network's linearisation predicts them (``regimes.flow``): at
large alpha, where the kernel hardly moves, a run then lands on its limit in a few steps instead of the
explicit steps' flow time, which the kernel's smallest eigenvalue sets.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import torch

from ..batched import Runs, Trained, log_cells
from ..device import resolve
from ..flow import ImplicitSteps
from ..grid import Cell, split_cells
from ..kernels import kernel_distance

__all__ = [
    "train_univariate_batch",
    "init_univariate",
    "univariate_features",
    "univariate_kernel",
    "univariate_kernel_limit",
    "train_univariate",
]

log = logging.getLogger(__name__)


def init_univariate(
    width: int, alphas, seeds, balance: float = 0.0, *, dtype=torch.float64, device=None
) -> dict[str, torch.Tensor]:
    """``{"w", "b", "a"}``, each ``(members, width)``: member ``m`` draws from ``seeds[m]`` (so members that
    share a seed share their directions) and is scaled by ``alphas[m]`` and the balance."""
    alphas = np.asarray(alphas, float).reshape(-1)
    seeds = np.asarray(seeds).reshape(-1)
    if len(alphas) != len(seeds):
        raise ValueError(f"one alpha per seed: {len(alphas)} alphas, {len(seeds)} seeds")
    k = int(width)
    inner, outer = float(k) ** -balance, float(k) ** balance
    ws, bs, as_ = [], [], []
    for alpha, seed in zip(alphas, seeds):
        gen = torch.Generator().manual_seed(int(seed))  # the draws of univariate_network, in its order
        w = torch.randn(k, 1, generator=gen, dtype=dtype)[:, 0] * math.sqrt(2.0)
        b = torch.randn(k, generator=gen, dtype=dtype)
        a = torch.randn(1, k, generator=gen, dtype=dtype)[0] * math.sqrt(2.0 / k)
        ws.append(w * alpha * inner)
        bs.append(b * alpha * inner)
        as_.append(a * alpha * outer)
    dev = resolve(device)
    return {"w": torch.stack(ws).to(dev), "b": torch.stack(bs).to(dev), "a": torch.stack(as_).to(dev)}


def univariate_features(params: dict, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``(relu(w x + b), 1[w x + b > 0])``, each ``(members, points, width)``; ``x``: ``(members,
    points)``."""
    act = torch.addcmul(params["b"][:, None, :], x[:, :, None], params["w"][:, None, :]).clamp_min_(0.0)
    return act, torch.sign(act)


def _output(params: dict, act: torch.Tensor) -> torch.Tensor:
    return torch.bmm(act, params["a"][:, :, None])[:, :, 0]


def _function(params: dict, points: torch.Tensor, chunk: int = 64) -> torch.Tensor:
    """The (uncentred) function at ``points`` (``(members, G)``), ``chunk`` points at a time (memory)."""
    return torch.cat(
        [
            _output(params, univariate_features(params, points[:, s : s + chunk])[0])
            for s in range(0, points.shape[1], chunk)
        ],
        dim=1,
    )


def _gradient(params: dict, x: torch.Tensor, act: torch.Tensor, mask: torch.Tensor, g: torch.Tensor) -> dict:
    """The pullback of ``g`` (``(members, points)``): ``sum_i g_i d f(x_i) / d theta``."""
    first = torch.bmm(torch.stack([g * x, g], dim=1), mask) * params["a"][:, None, :]
    return {"w": first[:, 0], "b": first[:, 1], "a": torch.bmm(g[:, None, :], act)[:, 0]}


KEYS = ("w", "b", "a")  # the order of the weights in a flattened Jacobian


def _jacobian(params: dict, x: torch.Tensor) -> torch.Tensor:
    """``d f(x_i) / d (w, b, a)``: ``(members, points, 3 width)``."""
    act, mask = univariate_features(params, x)
    first = mask * params["a"][:, None, :]
    return torch.cat([first * x[:, :, None], first, act], dim=2)


def univariate_kernel(params: dict, x: torch.Tensor, z: torch.Tensor | None = None) -> torch.Tensor:
    """The tangent kernel ``Theta(x, z)`` (``(members, |x|, |z|)``): output-layer features
    ``relu(w x + b)`` and first-layer features ``a 1[w x + b > 0] (x, 1)``."""
    z = x if z is None else z
    act_x, mask_x = univariate_features(params, x)
    act_z, mask_z = (act_x, mask_x) if z is x else univariate_features(params, z)
    a = params["a"][:, None, :]
    first = torch.bmm(mask_x * a, (mask_z * a).transpose(1, 2)) * (x[:, :, None] * z[:, None, :] + 1.0)
    return torch.bmm(act_x, act_z.transpose(1, 2)) + first


def univariate_kernel_limit(
    params: dict, x: torch.Tensor, y: torch.Tensor, grid: torch.Tensor, chunk: int = 64
) -> torch.Tensor:
    """The kernel-regime limit of the centred network on ``grid``: ``Theta(grid, x) Theta(x, x)^+ y``
    (the network linearised at ``params``, trained by gradient flow from zero to interpolation)."""
    coef = torch.linalg.lstsq(
        univariate_kernel(params, x), y[:, :, None], driver="gelsd" if x.device.type == "cpu" else None
    ).solution
    parts = [
        univariate_kernel(params, grid[:, s : s + chunk], x) @ coef for s in range(0, grid.shape[1], chunk)
    ]
    return torch.cat(parts, dim=1)[:, :, 0]


def train_univariate(
    x,
    y,
    alpha,
    seeds,
    width: int,
    *,
    balance: float = 0.0,
    grid=None,
    step_scale: float = 1.0,
    max_rel_change: float = 0.01,
    tol: float = 1.0e-8,
    max_steps: int = 5000,
    curvature_every: int = 10,
    rtol: float | None = None,
    implicit_every: int = 20,
    device=None,
    log_every: float = 10.0,
    label: str = "",
) -> Trained:
    """Train one network per ``(alpha[m], seeds[m])`` on its points ``x[m], y[m]`` (``(members, n)``),
    with linearly implicit steps of the flow where ``rtol`` is given (``regimes.flow``).
    Per member: the final loss, steps, flow time, implicit steps, converged / diverged, the kernel distance
    between the tangent kernels on the training points at initialisation and at the end, and, with
    ``grid`` (``(members, G)``), the trained function on it at the end and halfway through the steps (the
    analysis's plateau test) and the kernel-regime limit."""
    dev = resolve(device)
    dtype = torch.float64
    x = torch.as_tensor(np.asarray(x), dtype=dtype, device=dev)
    y = torch.as_tensor(np.asarray(y), dtype=dtype, device=dev)
    members, n = y.shape
    grid = None if grid is None else torch.as_tensor(np.asarray(grid), dtype=dtype, device=dev)
    params = init_univariate(width, alpha, seeds, balance, dtype=dtype, device=dev)
    theta0 = univariate_kernel(params, x)
    offset = _output(params, univariate_features(params, x)[0])
    grid_offset = None if grid is None else _function(params, grid)
    kernel = None if grid is None else univariate_kernel_limit(params, x, y, grid)

    lam = torch.ones(members, dtype=dtype, device=dev)
    halfway = None if grid is None else torch.zeros_like(kernel)
    batch = Runs(members, tol=tol, device=dev, dtype=dtype, log=log, label=label, log_every=log_every)
    implicit = ImplicitSteps(members, scale=0.5 / n, rtol=rtol, every=implicit_every, device=dev)
    explicit = torch.zeros(members, dtype=dtype, device=dev)  # each run's last explicit step (flow time)
    for step in range(max_steps + 1):
        # Only the members still training are computed (a finished run costs nothing more).
        every = batch.all()
        idx = torch.arange(members, device=dev) if every else batch.ids
        sub = params if every else {key: p[idx] for key, p in params.items()}
        xs = x if every else x[idx]
        act, mask = univariate_features(sub, xs)
        r = _output(sub, act) - offset[idx] - y[idx]
        now = 0.5 * (r * r).mean(1)
        finished = batch.observe(now, None if step == 0 else idx)
        if step == max_steps // 2 and grid is not None:  # the analysis's plateau test compares to this
            halfway = _function(params, grid) - grid_offset
        if step == max_steps or not batch.any():
            break
        if bool(finished.any()):
            keep = ~finished
            idx, r, act, mask, xs = idx[keep], r[keep], act[keep], mask[keep], xs[keep]
            sub = {key: p[keep] for key, p in sub.items()}
        trying = implicit.due(step, batch.active) & (explicit > 0)
        took = torch.zeros(len(idx), dtype=torch.bool, device=dev)
        if trying.any():  # a linearly implicit step where the linearisation holds (regimes.flow)
            residuals = torch.zeros_like(y)
            residuals[idx] = r
            moved, _, accepted = implicit.attempt(
                step,
                [params[key] for key in KEYS],
                residuals,
                lambda ps, ids: _jacobian(dict(zip(KEYS, ps)), x[ids]),
                lambda ps, ids: _function(dict(zip(KEYS, ps)), x[ids]) - offset[ids] - y[ids],
                explicit,
                trying,
            )
            took = accepted[idx]
            if bool(took.any()):
                params = dict(zip(KEYS, moved))
                sub = {key: p[idx] for key, p in params.items()}
                act, mask = univariate_features(sub, xs)
                r = _output(sub, act) - offset[idx] - y[idx]
        grads = _gradient(sub, xs, act, mask, r / n)
        if step % curvature_every == 0:
            lam[idx] = torch.linalg.eigvalsh(univariate_kernel(sub, xs) / n)[:, -1]
        eta = step_scale / lam[idx].clamp_min(torch.finfo(dtype).tiny)
        for key in ("w", "a"):  # weight vectors only: the biases follow their layer
            gnorm, wnorm = grads[key].norm(dim=1), sub[key].norm(dim=1)
            eta = torch.where(
                (gnorm > 0) & (wnorm > 0),
                torch.minimum(eta, max_rel_change * wnorm / gnorm.clamp_min(torch.finfo(dtype).tiny)),
                eta,
            )
        explicit[idx] = eta
        eta = torch.where(took, torch.zeros_like(eta), eta)  # a run that took an implicit step rests
        for key in params:
            if every and len(idx) == members:
                params[key].sub_(eta[:, None] * grads[key])
            else:
                params[key][idx] = sub[key] - eta[:, None] * grads[key]
        batch.advance(eta + torch.where(took, implicit.last[idx], torch.zeros_like(eta)), idx)
        batch.report(step)
    theta = univariate_kernel(params, x)
    out = {}
    if grid is not None:
        out["prediction"] = _function(params, grid) - grid_offset
        out["kernel_prediction"] = kernel
        out["halfway_prediction"] = halfway
    out["kernel_distance"] = np.array([kernel_distance(theta0[m], theta[m]) for m in range(members)])
    return batch.result(implicit_steps=implicit.taken, **out)


def train_univariate_batch(
    cells: list[Cell], datasets: list[dict], settings: dict, *, balance: float = 0.0, label: str = ""
) -> dict:
    """The centred univariate network of every (cell, seed) of a batch (one width), trained as one stack
    (``regimes.networks.univariate``); per cell, arrays over seeds: its function on the grid at the end and
    halfway through the steps, the kernel-regime limit from the same initialisation, how each run ended."""
    if len({c.width for c in cells}) != 1:
        raise ValueError(f"a univariate batch has one width, got {sorted({c.width for c in cells})}")
    if any(c.depth != 2 for c in cells):
        raise ValueError(
            "the univariate network has one hidden layer (depth 2), got depths "
            f"{sorted({c.depth for c in cells})}"
        )
    seeds = [int(d["seed"]) for d in datasets]
    members = [(cell, d) for cell in cells for d in datasets]

    def stack(key):
        return np.stack([d[key][:, 0] if d[key].ndim == 2 else d[key] for _, d in members])

    settings = {
        k: v for k, v in settings.items() if k not in ("plateau_tol", "plateau_loss")
    }  # the analysis's
    run = train_univariate(
        stack("X"),
        stack("y"),
        [c.alpha for c, _ in members],
        [int(d["seed"]) for _, d in members],
        cells[0].width,
        balance=balance,
        grid=stack("X_test"),
        label=label,
        **settings,
    )
    results = split_cells(cells, seeds, run, balance=np.full(len(seeds), float(balance)))
    log_cells(log, results)
    return results
