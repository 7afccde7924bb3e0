"""Matrix factorisation: width and depth (Woodworth et al. 2020, sec. 6; SPEC 1.6).

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
curvature, as the diagonal trainer does (``regimes.flow``): ``eta = step_scale / (lambda_GN + lambda_res)``
where ``lambda_GN`` is the top eigenvalue of the Gauss-Newton matrix ``J^T J / n`` (a warm power
iteration a step) and ``lambda_res`` bounds the residual part of the Hessian,
``||sum_i r_i A_i / n||_op`` times the largest product of the other factors' spectral norms; and
no factor may change by more than ``max_rel_change`` of its Frobenius norm in one step (the flow's own
time scale near the saddle at 0, where small alpha spends its time).

References: the minimum-nuclear-norm interpolant (Douglas-Rachford splitting with a certified duality
gap), the minimum-Frobenius interpolant, and the kernel solution (the model linearised at
initialisation, trained to convergence: the minimum parameter-norm step that interpolates).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np
import torch
from torch.func import jacrev, jvp, vjp

from .device import resolve

__all__ = [
    "TASKS",
    "INITS",
    "sensing_problem",
    "completion_problem",
    "make_problem",
    "init_factors",
    "product",
    "predictor",
    "MatrixResult",
    "train_factorised",
    "kernel_solution",
    "NuclearSolution",
    "min_nuclear_interpolant",
    "min_frobenius_interpolant",
    "nuclear_norm",
    "unobserved_change",
]

log = logging.getLogger(__name__)

TASKS = ("sensing", "completion")
INITS = ("gaussian", "unbiased")


def _target(gen: np.random.Generator, d1: int, d2: int, rank: int) -> np.ndarray:
    """A rank-``rank`` target with unit Frobenius norm."""
    M = gen.standard_normal((d1, rank)) @ gen.standard_normal((rank, d2))
    return M / np.linalg.norm(M)


def sensing_problem(d: int, rank: int, n: int, seed: int) -> dict:
    """``n`` Gaussian measurements ``<A_i, M*>`` of a ``d x d`` rank-``rank`` target."""
    gen = np.random.default_rng(seed)
    target = _target(gen, d, d, rank)
    A = gen.standard_normal((n, d, d))
    return {"A": A, "y": np.einsum("nab,ab->n", A, target), "target": target, "mask": np.zeros((d, d), bool), "seed": seed}


def completion_problem(d: int, rank: int, n: int, seed: int) -> dict:
    """``n`` distinct entries of a ``d x d`` rank-``rank`` target, drawn uniformly among the masks that
    observe every row and every column at least once."""
    if not 2 * d - 1 <= n <= d * d:
        raise ValueError(f"completion needs 2d - 1 <= n <= d^2 observed entries (d = {d}), got n = {n}")
    gen = np.random.default_rng(seed)
    target = _target(gen, d, d, rank)
    for _ in range(10000):
        flat = gen.choice(d * d, size=n, replace=False)
        mask = np.zeros(d * d, bool)
        mask[flat] = True
        mask = mask.reshape(d, d)
        if mask.any(0).all() and mask.any(1).all():
            break
    else:  # pragma: no cover - only for n barely above 2d - 1
        raise RuntimeError(f"no mask observing every row and column in 10000 draws (d = {d}, n = {n})")
    rows, cols = np.nonzero(mask)
    A = np.zeros((n, d, d))
    A[np.arange(n), rows, cols] = 1.0
    return {"A": A, "y": target[rows, cols], "target": target, "mask": mask, "seed": seed}


def make_problem(task: str, d: int, rank: int, n: int, seed: int) -> dict:
    if task == "sensing":
        return sensing_problem(d, rank, n, seed)
    if task == "completion":
        return completion_problem(d, rank, n, seed)
    raise ValueError(f"task must be one of {TASKS}, got {task!r}")


def init_factors(shape: tuple[int, int], depth: int, width: int, alpha, seed: int, runs: int = 1, *, dtype=torch.float64, device=None) -> list[torch.Tensor]:
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


@dataclass
class MatrixResult:
    M: np.ndarray  # (runs, d1, d2) trained predictor
    M0: np.ndarray  # (runs, d1, d2) predictor at initialisation
    train_loss: np.ndarray
    steps: np.ndarray
    flow_time: np.ndarray
    converged: np.ndarray
    diverged: np.ndarray
    seconds: float


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
    device=None,
    dtype=torch.float64,
    log_every: float = 10.0,
    label: str = "",
) -> MatrixResult:
    """Train ``runs`` factorised models to interpolation; ``A``: ``(runs, n, d1, d2)``, ``y``: ``(runs, n)``,
    ``seeds``: the initialisation seed of each run, ``alpha``: a scalar or one value a run."""
    if init not in INITS:
        raise ValueError(f"init must be one of {INITS}, got {init!r}")
    dev = resolve(device)
    A = torch.as_tensor(np.asarray(A), dtype=dtype, device=dev)
    y = torch.as_tensor(np.asarray(y), dtype=dtype, device=dev)
    runs, n, d1, d2 = A.shape
    alphas = np.broadcast_to(np.asarray(alpha, float), (runs,))
    per_run = [init_factors((d1, d2), depth, width, alphas[r], int(seeds[r]), dtype=dtype, device=dev) for r in range(runs)]
    factors = [torch.cat([f[l] for f in per_run]) for l in range(depth)]
    if init == "unbiased":
        factors = factors + [w.clone() for w in factors]
    with torch.no_grad():
        M0 = predictor(factors, init).clone()

    def measurements(*ws):
        return _measure(predictor(list(ws), init), A)

    v = torch.full((runs, n), n**-0.5, dtype=dtype, device=dev)  # the same start in every run: batching changes nothing
    initial = current = None
    active = torch.ones(runs, dtype=torch.bool, device=dev)
    converged = torch.zeros_like(active)
    diverged = torch.zeros_like(active)
    steps = torch.zeros(runs, dtype=torch.long, device=dev)
    flow_time = torch.zeros(runs, dtype=dtype, device=dev)
    start = last_log = time.perf_counter()
    tiny = torch.finfo(dtype).tiny
    for step in range(max_steps + 1):
        out, pullback = vjp(measurements, *factors)
        r = out - y
        loss = 0.5 * (r * r).mean(-1).detach()
        if initial is None:
            initial = loss.clone()
            current = loss.clone()
        current = torch.where(active, loss, current)
        bad = active & (~torch.isfinite(current) | (current > 1e6 * initial))
        diverged |= bad
        done = active & (current <= tol * initial)
        converged |= done
        active &= ~(bad | done)
        if step == max_steps or not bool(active.any()):
            break
        grads = pullback(r.detach() / n)
        # Gauss-Newton curvature: power iteration on J J^T (n x n a run), warm-started.
        jtv = pullback(v)
        _, jjtv = jvp(measurements, tuple(w.detach() for w in factors), tuple(jtv))
        lam_gn = jjtv.norm(dim=1) / n
        v = jjtv / jjtv.norm(dim=1, keepdim=True).clamp_min(tiny)
        # Residual curvature: ||sum r_i A_i / n||_op times the other factors' spectral norms.
        with torch.no_grad():
            G = torch.einsum("rn,rnab->rab", r, A) / n
            lam_res = torch.linalg.matrix_norm(G, ord=2)
            if depth > 2:  # the largest product of D - 2 of the factors' spectral norms, over both halves
                worst = torch.zeros_like(lam_res)
                for half in range(len(factors) // depth):
                    norms = torch.stack([torch.linalg.matrix_norm(w, ord=2) for w in factors[half * depth : (half + 1) * depth]], 1)
                    smallest = norms.topk(2, dim=1, largest=False).values.prod(1)
                    worst = torch.maximum(worst, norms.prod(1) / smallest.clamp_min(tiny))
                lam_res = lam_res * worst
            eta = step_scale / (lam_gn + lam_res).clamp_min(tiny)
            for w, g in zip(factors, grads):
                bound = max_rel_change * w.flatten(1).norm(dim=1) / g.flatten(1).norm(dim=1).clamp_min(tiny)
                eta = torch.minimum(eta, bound)
            eta = torch.where(active & torch.isfinite(eta), eta, torch.zeros_like(eta))
            for w, g in zip(factors, grads):
                w -= eta[:, None, None] * g
        steps += active.long()
        flow_time += eta
        now = time.perf_counter()
        if now - last_log > log_every:
            last_log = now
            log.info("%s step %d: %d/%d runs still training, worst loss/initial %.2e", label, step, int(active.sum()), runs, (current / initial).max().item())
    with torch.no_grad():
        M = predictor(factors, init)
    return MatrixResult(
        M=M.cpu().numpy(),
        M0=M0.cpu().numpy(),
        train_loss=current.cpu().numpy(),
        steps=steps.cpu().numpy(),
        flow_time=flow_time.cpu().numpy(),
        converged=converged.cpu().numpy(),
        diverged=diverged.cpu().numpy(),
        seconds=time.perf_counter() - start,
    )


def kernel_solution(A, y, alpha: float, depth: int, width: int, seed: int, *, init: str = "gaussian") -> np.ndarray:
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


def nuclear_norm(M: np.ndarray) -> float:
    return float(np.linalg.svd(M, compute_uv=False).sum())


def min_frobenius_interpolant(A: np.ndarray, y: np.ndarray) -> np.ndarray:
    n, d1, d2 = A.shape
    return np.linalg.lstsq(A.reshape(n, -1), y, rcond=None)[0].reshape(d1, d2)


@dataclass(frozen=True)
class NuclearSolution:
    M: np.ndarray
    nuclear_norm: float
    lower_bound: float  # a certified lower bound on the minimum (weak duality)
    iterations: int
    residual: float  # ||A(M) - y|| / ||y||

    @property
    def gap(self) -> float:
        return (self.nuclear_norm - self.lower_bound) / self.nuclear_norm


def min_nuclear_interpolant(A: np.ndarray, y: np.ndarray, *, tol: float = 1e-7, max_iter: int = 100000, step: float | None = None) -> NuclearSolution:
    """``min ||M||_* s.t. <A_i, M> = y_i`` by Douglas-Rachford splitting of the nuclear norm (singular
    value soft-thresholding) and the affine constraint (an exact projection).

    Stops once the certified relative duality gap is below ``tol``.  The certificate: at the fixed point
    ``G = (z - M) / step`` is a subgradient of ``||.||_*`` at ``M`` that lies in the span of the ``A_i``;
    projected onto that span and divided by its spectral norm it is dual feasible, so
    ``<G, M*> / ||G||_op`` (the same for every interpolant) is a lower bound on the minimum.
    """
    n, d1, d2 = A.shape
    B = A.reshape(n, -1)
    pinv = np.linalg.pinv(B)
    scale = np.linalg.norm(y)
    if scale == 0:
        zero = np.zeros((d1, d2))
        return NuclearSolution(zero, 0.0, 0.0, 0, 0.0)

    def project(x):  # onto {x : B x = y}
        return x - pinv @ (B @ x - y)

    feasible = project(np.zeros(d1 * d2))
    z = feasible.copy()
    step = step or np.linalg.svd(feasible.reshape(d1, d2), compute_uv=False)[0] / 10
    best = None
    for it in range(1, max_iter + 1):
        U, s, Vt = np.linalg.svd(z.reshape(d1, d2), full_matrices=False)
        x = ((U * np.maximum(s - step, 0.0)) @ Vt).reshape(-1)
        w = project(2 * x - z)
        z = z + w - x
        if it % 50 == 0 or it == max_iter:
            M = project(x)  # feasible to rounding
            G = (z - x) / step
            G = B.T @ (pinv.T @ G)  # its part in the span of the measurements
            op = np.linalg.svd(G.reshape(d1, d2), compute_uv=False)[0]
            lower = float(G @ feasible / op) if op > 0 else 0.0
            value = nuclear_norm(M.reshape(d1, d2))
            best = NuclearSolution(M.reshape(d1, d2), value, lower, it, float(np.linalg.norm(B @ M - y) / scale))
            if best.gap <= tol:
                break
    return best


def unobserved_change(M: np.ndarray, M0: np.ndarray, target: np.ndarray, mask: np.ndarray) -> float:
    """How far the unobserved entries moved from initialisation, relative to how far they had to go:
    ``||P_unobs(M - M0)||_F / ||P_unobs(M* - M0)||_F`` (Woodworth et al. fig. 5b); NaN without any."""
    hidden = ~mask
    if not hidden.any():
        return math.nan
    return float(np.linalg.norm((M - M0)[hidden]) / np.linalg.norm((target - M0)[hidden]))
