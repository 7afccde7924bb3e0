"""Matrix factorisation: width and depth (Woodworth et al. 2020, sec. 6; docs/science.md sec. 1.6).

Problems are linear measurements of a low-rank target ``M*`` (``d1 x d2``): ``y_i = <A_i, M*>``, with
``A_i`` Gaussian (matrix sensing) or a unit matrix ``e_a e_b^T`` at an observed entry (matrix
completion).  The model is a product of ``depth`` factors of inner size ``width`` (k),

    P(W) = W_1 W_2 ... W_D,     W_1: d1 x k,  W_2 .. W_{D-1}: k x k,  W_D: k x d2,

with i.i.d. ``N(0, alpha^2)`` entries.  ``init="gaussian"`` trains ``M = P(W)`` (the paper's
``U V^T``: the predictor is not zero at initialisation and the scale that matters is ``alpha^2 k``; alpha
alone does not make it lazy, since the initial predictor grows with it);
``init="unbiased"`` trains ``M = P(W+) - P(W-)`` from ``W+ = W-`` (zero at initialisation, as the
diagonal model ``w+^D - w-^D``).

The trainer follows gradient flow on ``L = mean_i r_i^2 / 2`` with the step chosen from the current
curvature, as the diagonal trainer does (``regimes.diagonal.gd``): ``eta = step_scale / (lambda_GN +
lambda_res)``
where ``lambda_GN`` is the top eigenvalue of the Gauss-Newton matrix ``J^T J / n`` (a warm power
iteration, one step each time the curvature is recomputed: every ``curvature_every`` steps) and ``lambda_res``
bounds the residual part of the Hessian,
``||sum_i r_i A_i / n||_op`` times the largest product of the other factors' spectral norms; and
no factor may change by more than ``max_rel_change`` of its Frobenius norm in one step (the flow's own
time scale near the saddle at 0, where small alpha spends its time).

References (``regimes.matrix.exact``, free of torch): the minimum-nuclear-norm interpolant
(Douglas-Rachford splitting with a certified duality gap) and the minimum-Frobenius interpolant; here,
the kernel solution (the model linearised at
initialisation, trained to convergence: the minimum parameter-norm step that interpolates).
"""

from __future__ import annotations

import logging

import numpy as np
import torch
from torch.func import jacrev, vmap

from ..batched import Runs, Trained, power_step
from ..device import resolve
from ..flow import ImplicitSteps

__all__ = [
    "INITS",
    "init_factors",
    "product",
    "predictor",
    "train_factorised",
    "kernel_solution",
]

log = logging.getLogger(__name__)

INITS = ("gaussian", "unbiased")


def init_factors(
    shape: tuple[int, int],
    depth: int,
    width: int,
    alpha,
    seed: int,
    runs: int = 1,
    *,
    dtype=torch.float64,
    device=None,
) -> list[torch.Tensor]:
    """``depth`` factors with i.i.d. ``N(0, alpha^2)`` entries, a leading run axis; ``alpha`` a scalar
    or one value a run.  Run ``r`` draws from ``seed`` alone, so batching runs changes nothing."""
    if depth < 2:
        raise ValueError(f"depth must be >= 2, got {depth}")
    if width < 1:
        raise ValueError(f"width must be >= 1, got {width}")
    d1, d2 = shape
    sizes = [d1] + [width] * (depth - 1) + [d2]
    alpha = torch.as_tensor(np.broadcast_to(np.asarray(alpha, float), (runs,)).copy(), dtype=dtype)
    gen = torch.Generator().manual_seed(int(seed))
    draws = [torch.randn(a, b, generator=gen, dtype=dtype) for a, b in zip(sizes[:-1], sizes[1:])]
    dev = resolve(device)
    return [(alpha[:, None, None] * w[None]).to(dev) for w in draws]


def product(factors) -> torch.Tensor:
    out = factors[0]
    for w in factors[1:]:
        out = out @ w
    return out


def predictor(factors, init: str) -> torch.Tensor:
    """``P(W)`` (gaussian) or ``P(W+) - P(W-)`` (unbiased; the factors list holds W+ then W-)."""
    if init == "gaussian":
        return product(factors)
    if init == "unbiased":
        half = len(factors) // 2
        return product(factors[:half]) - product(factors[half:])
    raise ValueError(f"init must be one of {INITS}, got {init!r}")


def _measure(M: torch.Tensor, A: torch.Tensor) -> torch.Tensor:
    return torch.einsum("rnab,rab->rn", A, M)


class Chain:
    """The products of one step's factors, for the gradients and Gauss-Newton products by hand.

    For ``P = W_1 ... W_D`` the measurements' pullback of a cotangent ``c`` is, factor by factor,
    ``(W_1 ... W_{k-1})^T G (W_{k+1} ... W_D)^T`` with ``G = sum_i c_i A_i``, and the pushforward of
    a tangent ``T`` measures ``dM = sum_k W_1 ... W_{k-1} T_k W_{k+1} ... W_D``; ``unbiased``
    factors are two such chains, the second with the opposite sign.  ``A``: ``(runs, n, d1, d2)``.
    The same numbers as ``torch.func``'s ``vjp`` and ``jvp`` of the measurements to float64 rounding
    (tested); a fraction of their per-step overhead.
    """

    def __init__(self, factors, init: str, A: torch.Tensor):
        if init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {init!r}")
        halves = (
            [factors] if init == "gaussian" else [factors[: len(factors) // 2], factors[len(factors) // 2 :]]
        )
        self.A = A.reshape(A.shape[0], A.shape[1], -1)  # (runs, n, d1 d2): a view
        self.parts = []  # per half: (prefixes, suffixes); prefixes[k] = W_1 .. W_k (None for k = 0)
        M = None
        for half in halves:
            D = len(half)
            prefix = [None] * D
            for k in range(1, D):
                prefix[k] = half[0] if k == 1 else torch.bmm(prefix[k - 1], half[k - 1])
            suffix = [None] * D
            for k in range(D - 2, -1, -1):
                suffix[k] = half[D - 1] if k == D - 2 else torch.bmm(half[k + 1], suffix[k + 1])
            product = torch.bmm(half[0], suffix[0])
            M = product if M is None else M - product
            self.parts.append((prefix, suffix))
        self.M = M

    def _measure(self, M: torch.Tensor) -> torch.Tensor:
        return torch.bmm(self.A, M.reshape(M.shape[0], -1, 1)).squeeze(-1)

    def measurements(self) -> torch.Tensor:
        """``(runs, n)``: ``<A_i, M>``."""
        return self._measure(self.M)

    def pullback(self, c: torch.Tensor) -> list[torch.Tensor]:
        """The gradient of ``sum_i c_i <A_i, M>`` in every factor (``c``: ``(runs, n)``)."""
        G = torch.bmm(c.unsqueeze(1), self.A).reshape(self.M.shape)
        grads = []
        for sign, (prefix, suffix) in zip((1.0, -1.0), self.parts):
            Gs = G if sign > 0 else -G
            for left, right in zip(prefix, suffix):
                g = Gs if left is None else torch.bmm(left.transpose(1, 2), Gs)
                grads.append(g if right is None else torch.bmm(g, right.transpose(1, 2)))
        return grads

    def pushforward(self, tangent: list[torch.Tensor]) -> torch.Tensor:
        """``J T``: the measurements of ``dM`` (``tangent``: one tensor a factor), ``(runs, n)``."""
        dM = None
        tangents = iter(tangent)
        for sign, (prefix, suffix) in zip((1.0, -1.0), self.parts):
            for left, right in zip(prefix, suffix):
                t = next(tangents)
                term = t if left is None else torch.bmm(left, t)
                term = term if right is None else torch.bmm(term, right)
                if sign < 0:
                    term = -term
                dM = term if dM is None else dM + term
        return self._measure(dM)


def train_factorised(
    A,
    y,
    alpha,
    depth: int,
    width: int,
    seeds,
    *,
    init: str = "gaussian",
    step_scale: float = 0.5,
    max_rel_change: float = 0.01,
    tol: float = 1.0e-9,
    max_steps: int = 50000,
    curvature_every: int = 1,
    rtol: float | None = None,
    implicit_every: int = 20,
    device=None,
    dtype=torch.float64,
    log_every: float = 10.0,
    label: str = "",
) -> Trained:
    """Train ``runs`` factorised models to interpolation; ``A``: ``(runs, n, d1, d2)``, ``y``: ``(runs, n)``,
    ``seeds``: the initialisation seed of each run, ``alpha``: a scalar or one value a run."""
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    dev = resolve(device)
    A = torch.as_tensor(np.asarray(A), dtype=dtype, device=dev)
    y = torch.as_tensor(np.asarray(y), dtype=dtype, device=dev)
    runs, n, d1, d2 = A.shape
    alphas = np.broadcast_to(np.asarray(alpha, float), (runs,))
    per_run = [
        init_factors((d1, d2), depth, width, alphas[r], int(seeds[r]), dtype=dtype, device=dev)
        for r in range(runs)
    ]
    factors = [torch.cat([f[layer] for f in per_run]) for layer in range(depth)]
    if init == "unbiased":
        factors = factors + [w.clone() for w in factors]
    with torch.no_grad():
        M0 = predictor(factors, init).clone()
    # The runs still training are computed on, compacted as runs stop (``idx``: their places in the batch);
    # a run that stops leaves its factors in ``final``.
    idx = torch.arange(runs, device=dev)
    final = [w.clone() for w in factors]
    implicit_steps = torch.zeros(runs, dtype=torch.long, device=dev)
    Aw, yw = A, y

    v = torch.full(
        (runs, n), n**-0.5, dtype=dtype, device=dev
    )  # the same start in every run: batching changes nothing
    batch = Runs(runs, tol=tol, device=dev, dtype=dtype, log=log, label=label, log_every=log_every)
    tiny = torch.finfo(dtype).tiny
    implicit = ImplicitSteps(runs, scale=0.5 / n, rtol=rtol, every=implicit_every, device=dev)
    eta = torch.zeros(runs, dtype=dtype, device=dev)
    lam_gn = lam_res = None
    for step in range(max_steps + 1):
        chain = Chain(factors, init, Aw)
        r = chain.measurements() - yw
        stopped = batch.observe(0.5 * (r * r).mean(-1), idx if step else None)
        if step == max_steps:
            stopped = torch.ones_like(stopped)
        if bool(stopped.any()):
            for kept, w in zip(final, factors):
                kept[idx[stopped]] = w[stopped].detach()
            implicit_steps[idx[stopped]] = implicit.taken[stopped]
            keep = ~stopped
            if not bool(keep.any()):
                break
            idx, Aw, yw, v, eta = idx[keep], Aw[keep], yw[keep], v[keep], eta[keep]
            factors = [w[keep] for w in factors]
            implicit.keep(keep)
            if lam_gn is not None:
                lam_gn, lam_res = lam_gn[keep], lam_res[keep]
            chain = Chain(factors, init, Aw)
            r = chain.measurements() - yw
        trying = implicit.due(step, batch.active[idx]) & (eta > 0)
        if trying.any():  # a linearly implicit step where the linearisation holds (regimes.flow)
            with torch.no_grad():
                factors, _, took = implicit.attempt(
                    step,
                    factors,
                    r,
                    lambda ws, ids: _jacobian(ws, Aw[ids], init),
                    lambda ws, ids: _measure(predictor(ws, init), Aw[ids]) - yw[ids],
                    eta,
                    trying,
                )
            if took.any():
                chain = Chain(factors, init, Aw)
                r = chain.measurements() - yw
        else:
            took = torch.zeros_like(trying)
        grads = chain.pullback(r / n)
        if step % curvature_every == 0:  # the loss's curvature, recomputed every curvature_every steps
            # Gauss-Newton curvature: power iteration on J J^T (n x n a run), warm-started.
            norm, v = power_step(lambda u: chain.pushforward(chain.pullback(u)), v)
            lam_gn = norm / n
            # Residual curvature: ||sum r_i A_i / n||_op times the other factors' spectral norms.
            with torch.no_grad():
                G = torch.einsum("rn,rnab->rab", r, Aw) / n
                lam_res = torch.linalg.matrix_norm(G, ord=2)
                if depth > 2:  # the largest product of D - 2 of the factors' spectral norms, over both halves
                    worst = torch.zeros_like(lam_res)
                    for half in range(len(factors) // depth):
                        norms = torch.stack(
                            [
                                torch.linalg.matrix_norm(w, ord=2)
                                for w in factors[half * depth : (half + 1) * depth]
                            ],
                            1,
                        )
                        smallest = norms.topk(2, dim=1, largest=False).values.prod(1)
                        worst = torch.maximum(worst, norms.prod(1) / smallest.clamp_min(tiny))
                    lam_res = lam_res * worst
        with torch.no_grad():
            eta = step_scale / (lam_gn + lam_res).clamp_min(tiny)
            for w, g in zip(factors, grads):
                bound = max_rel_change * w.flatten(1).norm(dim=1) / g.flatten(1).norm(dim=1).clamp_min(tiny)
                eta = torch.minimum(eta, bound)
            eta = torch.where(torch.isfinite(eta), eta, torch.zeros_like(eta))
            taken = torch.where(took, torch.zeros_like(eta), eta)
            factors = [w - taken[:, None, None] * g for w, g in zip(factors, grads)]
        batch.advance(taken + torch.where(took, implicit.last, torch.zeros_like(eta)), idx)
        batch.report(step)
    with torch.no_grad():
        M = predictor(final, init)
    return batch.result(M=M, M0=M0, implicit_steps=implicit_steps)


def _jacobian(factors, A, init: str) -> torch.Tensor:
    """Each run's Jacobian of its measurements in its weights, ``(runs, n, P)`` (the factors flattened in
    order)."""

    def one(A1, *ws):
        return _measure(predictor([w[None] for w in ws], init), A1[None])[0]

    parts = vmap(jacrev(one, argnums=tuple(range(1, len(factors) + 1))))(A, *[w.detach() for w in factors])
    return torch.cat([p.flatten(2) for p in parts], dim=2)


def kernel_solution(
    A, y, alpha: float, depth: int, width: int, seed: int, *, init: str = "gaussian"
) -> np.ndarray:
    """The limit of gradient flow on the model linearised at initialisation (the kernel regime):
    ``theta = theta_0 + J^T (J J^T)^+ (y - f(theta_0))``, returned as the predicted matrix."""
    A = torch.as_tensor(np.asarray(A), dtype=torch.float64)[None]
    y = torch.as_tensor(np.asarray(y), dtype=torch.float64)
    _, n, d1, d2 = A.shape
    factors = init_factors((d1, d2), depth, width, alpha, seed, device="cpu")
    if init == "unbiased":
        factors = factors + [w.clone() for w in factors]
    flat = torch.cat([w.flatten() for w in factors])
    sizes = [w.numel() for w in factors]

    def matrix(theta):
        parts = torch.split(theta, sizes)
        return predictor([p.reshape(w.shape) for p, w in zip(parts, factors)], init)[0]

    M0 = matrix(flat)
    JM = jacrev(matrix)(flat).reshape(d1 * d2, -1)  # d vec(M) / d theta
    J = A[0].reshape(n, d1 * d2) @ JM
    residual = y - A[0].reshape(n, -1) @ M0.reshape(-1)
    step = J.T @ torch.linalg.lstsq(J @ J.T, residual[:, None], driver="gelsd").solution[:, 0]
    return (M0.reshape(-1) + JM @ step).reshape(d1, d2).numpy()
