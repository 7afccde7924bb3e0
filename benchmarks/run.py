"""Benchmarks: our time against a reference measured in the same run, and the ratio.

    python benchmarks/run.py [NAME ...]      (or: make bench)

Writes benchmarks/results.csv (benchmark, ours_s, reference_s, ratio, note) and benchmarks/results.md,
with the machine they ran on.  Each time is the best of a few repeats after a warm-up call.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

HERE = Path(__file__).resolve().parent


def best_time(fn, repeats: int = 3) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def paired_times(fns, rounds: int = 15) -> np.ndarray:
    """Times ``(rounds, len(fns))`` of several functions measured in turn, round after round, so that a
    host whose speed drifts (a shared machine) slows each round's functions alike: compare them by the
    median of per-round ratios."""
    for fn in fns:
        fn()  # warm-up
    times = np.zeros((rounds, len(fns)))
    for r in range(rounds):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[r, i] = time.perf_counter() - start
    return times


def bench_ntk():
    """Empirical NTK of an MLP 40-512-512-10 on 200 probe points: per-layer formula vs jacrev contraction."""
    from regimes.networks.architectures import build
    from regimes.networks.ntk import ntk_dense, ntk_from_jacobian

    model = build("mlp", (40,), 512, 3, 10, alpha=1.0, seed=0)
    x = torch.randn(200, 40, generator=torch.Generator().manual_seed(0))
    ours = best_time(lambda: ntk_dense(model, x))
    ref = best_time(lambda: ntk_from_jacobian(model, x), repeats=1)
    a, b = ntk_dense(model, x), ntk_from_jacobian(model, x)
    err = float((a - b).abs().max() / b.abs().max())
    return ours, ref, f"max relative difference {err:.1e} (float32)"


def _ntk_vector_products(model, x, per_output: bool, chunk: int = 8):
    """torch.func's NTK-vector-product recipe (its documented "Neural Tangent Kernels" tutorial): for each
    pair of probes, vjp then jvp against the basis of outputs, vmapped over both probe sets (the first in
    chunks of ``chunk`` probes, which bounds its memory)."""
    from torch.func import functional_call, jvp, vjp, vmap

    params = {k: v.detach() for k, v in model.named_parameters() if v.requires_grad}

    def single(p, xi):
        return functional_call(model, p, (xi[None],))[0]

    def pair(x1, x2):
        output, vjp_fn = vjp(lambda p: single(p, x1), params)

        def column(vec):
            (vjps,) = vjp_fn(vec)
            return jvp(lambda p: single(p, x2), (params,), (vjps,))[1]

        return vmap(column)(torch.eye(output.numel(), dtype=output.dtype))

    rows = vmap(vmap(pair, (None, 0)), (0, None))
    full = torch.cat([rows(x[i : i + chunk], x) for i in range(0, len(x), chunk)])  # (n, n, outputs, outputs)
    return full if per_output else full.diagonal(dim1=-2, dim2=-1).sum(-1)


def _ntk_multiply_adds(model, x, per_output: bool) -> tuple[int, int]:
    """Multiply-adds of the kernel's contractions: ours (each layer's route, ``ntk._costs``) and the
    Jacobian contraction's (``n^2 o P`` summed over outputs, ``n^2 o^2 P`` per output); neither counts the
    forward and backward passes."""
    from regimes.networks import ntk

    shapes = []

    def hook(module, inputs, output):
        patches = ntk._patches(module, inputs[0])
        channels = output.shape[-1] if isinstance(module, torch.nn.Linear) else output.shape[1]
        shapes.append((channels, patches.shape[1], patches.shape[2]))

    layers = [m for m in model.modules() if isinstance(m, ntk._LAYERS)]
    handles = [m.register_forward_hook(hook) for m in layers]
    with torch.no_grad():
        out = model(x)
    for h in handles:
        h.remove()
    n, o = out.shape[0], out.reshape(out.shape[0], -1).shape[1]
    ours = 0
    for C, L, F in shapes:
        gradients, pairs, _ = ntk._costs(n, o, C, L, F, per_output)
        ours += pairs if ntk._route("auto", n, o, C, L, F, per_output) == "pairs" else gradients
    P = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return ours, n * n * (o * o if per_output else o) * P


def _ntk_row(arch: str, shape, width: int, depth: int, probes: int, per_output: bool):
    """Ours (``ntk_layers``) against the faster of torch.func's two documented recipes (Jacobian
    contraction, NTK-vector products) on the same network and probes; their agreement."""
    import math

    from regimes.networks.architectures import build
    from regimes.networks.ntk import ntk_from_jacobian, ntk_layers

    model = build(arch, shape, width, depth, 10, alpha=1.0, seed=0)
    x = torch.randn(probes, math.prod(shape), generator=torch.Generator().manual_seed(0))
    ours = best_time(lambda: ntk_layers(model, x, per_output=per_output))
    contraction = best_time(lambda: ntk_from_jacobian(model, x, per_output=per_output), repeats=1)
    # NTK-vector products cost one vjp and jvp per pair of probes and output: timed on the first m probes
    # (m^2 pairs) and scaled by the pairs, (probes / m)^2; exact where m = probes
    m = min(probes, 20)
    products = (
        best_time(lambda: _ntk_vector_products(model, x[:m], per_output), repeats=1) * (probes / m) ** 2
    )
    reference = min(contraction, products)
    a = ntk_layers(model, x, per_output=per_output)
    b = ntk_from_jacobian(model, x, per_output=per_output)
    err = float((a - b).abs().max() / b.abs().max())
    macs, reference_macs = _ntk_multiply_adds(model, x, per_output)
    kind = "per output (n x n x 10 x 10)" if per_output else "summed over outputs"
    return (
        ours,
        reference,
        f"{arch} {shape}, width {width}, depth {depth}, {probes} probes, {kind}: Jacobian contraction "
        f"{contraction:.3f} s, NTK-vector products {products:.3f} s (timed on {m} probes, scaled by the "
        f"pairs); the reference is the faster; contractions {macs:.2e} multiply-adds against the Jacobian "
        f"contraction's {reference_macs:.2e} ({reference_macs / macs:.1f}x fewer; ours run at "
        f"{macs / ours / 1e9:.0f} G/s with the passes); max relative difference {err:.1e} (float32)",
    )


def bench_ntk_per_output():
    return _ntk_row("mlp", (40,), 512, 3, 200, per_output=True)


def bench_ntk_cnn():
    return _ntk_row("cnn", (1, 40), 25, 4, 100, per_output=False)


def bench_ntk_cnn_per_output():
    return _ntk_row("cnn", (1, 40), 25, 4, 100, per_output=True)


def bench_ntk_lenet5():
    return _ntk_row("lenet5", (3, 32, 32), 6, 5, 50, per_output=False)


def bench_linearisation_step():
    """One iterative-linearisation SGD step (jvp forward + vjp backward, tangent non-zero) vs a plain step."""
    from regimes.networks.architectures import build
    from regimes.networks.linearise import LinearisedModel, loss_fn

    model = build("mlp", (40,), 512, 3, 10, alpha=1.0, seed=0)
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(128, 40, generator=g), torch.randint(0, 10, (128,), generator=g)
    loss = loss_fn("mse")
    lin = LinearisedModel(model)
    with torch.no_grad():
        for w in lin.weights.values():
            w.add_(1e-3)  # a non-zero tangent: the full jvp path
    opt_lin = torch.optim.SGD(list(lin.weights.values()), lr=1e-3)

    def linearised_step():
        _, _, grads = lin.loss_and_grad(x, y, loss)
        for k, w in lin.weights.items():
            w.grad = grads[k]
        opt_lin.step()

    plain = build("mlp", (40,), 512, 3, 10, alpha=1.0, seed=0)
    opt = torch.optim.SGD(plain.parameters(), lr=1e-3)

    def plain_step():
        opt.zero_grad()
        loss(plain(x), y).backward()
        opt.step()

    def many(step, k=20):
        return lambda: [step() for _ in range(k)]

    ours, ref = best_time(many(linearised_step)), best_time(many(plain_step))
    return (
        ours,
        ref,
        f"MLP 40-512-512-10, batch 128, 20 steps: a linearised step costs {ours / ref:.2f}x a plain step "
        "(target < 3x)",
    )


def bench_oracle():
    """The dual oracle (exact limit) for 20 alphas x D in {2, 3} on one d = 1000, n = 100 problem vs min-l1
    LPs
    of the same count (a convex solve of the same size as a yardstick)."""
    from regimes.diagonal.data import sparse_regression
    from regimes.diagonal.exact import implicit_limit, min_l1_interpolant

    data = sparse_regression(0, 100, 1000, 5, 0.1, 10)
    alphas = np.logspace(-2, 1, 20)
    ours = best_time(
        lambda: [implicit_limit(data["X"], data["y"], a, D) for a in alphas for D in (2, 3)], repeats=1
    )
    ref = best_time(lambda: [min_l1_interpolant(data["X"], data["y"]) for _ in range(40)], repeats=1)
    return ours, ref, "40 exact limits vs 40 HiGHS linear programs (min-l1) of the same size"


def _naive_diagonal(X, y, alpha, depth, step, tol, max_steps):
    """The reference: one run, a plain numpy loop, one fixed step size, the same stopping rule."""
    n = X.shape[0]
    w_plus = np.full(X.shape[1], alpha)
    w_minus = w_plus.copy()
    initial = 0.5 * np.mean(y * y)
    for k in range(max_steps):
        beta = w_plus**depth - w_minus**depth
        r = X @ beta - y
        if 0.5 * np.mean(r * r) <= tol * initial:
            return beta, k, True
        g = X.T @ r / n
        w_plus, w_minus = (
            w_plus - step * depth * w_plus ** (depth - 1) * g,
            w_minus + step * depth * w_minus ** (depth - 1) * g,
        )
    return w_plus**depth - w_minus**depth, max_steps, False


def bench_diagonal_sweep():
    """20 alphas x 4 depths x 8 seeds, d = 1000, n = 100, to loss 1e-9 x initial.  Ours: the mirror
    integrator (regimes.diagonal.mirror: implicit steps of the flow in its mirror coordinates), every alpha
    and
    seed of a depth in one tensor program, the alphas of a seed sharing its data.  Reference: a plain
    per-run numpy loop of gradient descent with one fixed conservative step, 0.5 / the loss curvature at
    the exact limit (generous: it knows the answer), timed on every 4th alpha of seed 0 (20 runs) and
    scaled to the 640.  Both are compared with the exact limit (the dual oracle)."""
    from regimes.diagonal.data import sparse_regression
    from regimes.diagonal.exact import implicit_limit
    from regimes.diagonal.train import train_diagonal

    alphas = np.logspace(np.log10(0.2), 1.0, 20)
    depths, seeds = (2, 3, 4, 5), range(8)
    data = [sparse_regression(s, 100, 1000, 5, 0.1, 10) for s in seeds]
    X = np.stack([d["X"] for d in data])
    y = np.stack([d["y"] for d in data])
    oracle = {(D, a): implicit_limit(X[0], y[0], a, D).beta for D in depths for a in alphas}
    gaps, converged = [], 0
    start = time.perf_counter()
    for D in depths:
        # Runs ordered seed-major: run j of seed 0 is alpha j.
        res = train_diagonal(
            X,
            y,
            np.tile(alphas, len(seeds)),
            D,
            group=np.repeat(np.arange(len(seeds)), len(alphas)),
            integrator="mirror",
            max_steps=5000,
        )
        converged += int(res.converged.sum())
        for j, a in enumerate(alphas):
            o = oracle[(D, a)]
            gaps.append(np.linalg.norm(res.beta[j] - o) / np.linalg.norm(o))
    ours_s = time.perf_counter() - start
    timed = alphas[::4]
    ref_gaps = []
    start = time.perf_counter()
    for D in depths:
        for a in timed:
            o = oracle[(D, a)]
            w = (np.abs(o) / a**D) ** (1 / D) * a  # the weights' scale at the limit bounds the curvature
            curvature = np.linalg.eigvalsh(
                (X[0] * (D**2 * np.maximum(w, a) ** (2 * D - 2) * 2)) @ X[0].T / 100
            )[-1]
            beta, _, _ = _naive_diagonal(X[0], y[0], a, D, 0.5 / curvature, 1e-9, 400000)
            ref_gaps.append(np.linalg.norm(beta - o) / np.linalg.norm(o))
    ref_s = (time.perf_counter() - start) * len(seeds) * len(alphas) / len(timed)
    runs = len(depths) * len(alphas) * len(seeds)
    note = (
        f"max relative distance to the exact limit: ours {max(gaps):.1e} ({converged}/{runs} runs "
        f"converged), reference {max(ref_gaps):.1e} "
        f"(within 1e-3 in {sum(g < 1e-3 for g in ref_gaps)} of {len(ref_gaps)}); reference timed on "
        f"{len(depths) * len(timed)} runs (seed 0, every 4th alpha) and scaled to {runs}"
    )
    return ours_s, ref_s, note


def bench_pipeline_overhead():
    """The smoke workflow's wall time (2 cores, clean directory) against the summed compute time of its
    training jobs (their ``benchmark:`` files): what scheduling, start-up, analysis and plotting add."""
    import subprocess
    import tempfile

    root = HERE.parent
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "snakemake",
                "-s",
                str(root / "Snakefile"),
                "--directory",
                tmp,
                "--cores",
                "2",
                f"--configfile={root / 'config' / 'smoke.yaml'}",
                "--quiet",
                "all",
            ],
            check=True,
            capture_output=True,
        )
        wall = time.perf_counter() - start
        jobs = sorted(Path(tmp, "benchmarks", "jobs").rglob("*.tsv"))
        compute = sum(float(pd.read_csv(f, sep="\t")["s"].iloc[0]) for f in jobs)
    return (
        wall,
        compute,
        f"smoke workflow wall time vs the summed time of its {len(jobs)} training jobs; ratio = share of the "
        "wall time spent training (2 cores run jobs in parallel)",
    )


def bench_job_startup():
    """What one non-training job (data, analysis, summary, figure) pays before its work: a Python start
    and the imports of an analysis script, now free of torch, against the same with torch imported (as
    every job did when the thread count was set through torch)."""
    import subprocess

    code = (
        "import regimes.pipeline.job, regimes.pipeline.io, regimes.grid, regimes.diagonal.analyse, "
        "regimes.networks.analyse, regimes.matrix.analyse, regimes.claims"
    )

    def start(extra=""):
        return lambda: subprocess.run([sys.executable, "-c", extra + code], check=True)

    ours = best_time(start(), repeats=5)
    ref = best_time(start("import torch; "), repeats=5)
    return (
        ours,
        ref,
        "python start + imports of an analysis job, without torch (ours) and with it (reference)",
    )


def _mnist1d_tensors(n_train=4000, n_test=1000):
    from regimes.networks.data import classification_dataset

    d = classification_dataset("mnist1d", 0, n_train, n_test)
    tensors = {
        k: torch.as_tensor(d[k], dtype=torch.float32 if k.startswith("X") else torch.long)
        for k in ("X", "y", "X_test", "y_test")
    }
    return d, tensors


def _ensemble_row(width: int, steps: int = 500):
    """A row of 8 K values x 5 seeds of the mnist1d MLP (depth 3; Adam lr 1e-2, batch 100, cross-entropy):
    the ensemble trainer against the same members trained one at a time (regimes.networks.linearise)."""
    from regimes.networks.architectures import build
    from regimes.networks.ensemble import Member, train_ensemble
    from regimes.networks.linearise import train_iteratively_linearised

    d, data = _mnist1d_tensors()
    members = [Member(seed, K, 1e-2) for K in (1, 3, 30, 100, 300, 1000, 1500, "inf") for seed in range(5)]
    settings = dict(
        steps=steps, optimiser="adam", batch_size=100, loss="ce", record_every=10**6, probe_size=100
    )
    models = lambda: [build("mlp", d["shape"], width, 3, 10, 1.0, m.seed) for m in members]  # noqa: E731
    out = {}

    def ours():
        out["ours"] = train_ensemble(models(), members, data, **settings)

    def reference():
        out["ref"] = [
            train_iteratively_linearised(model, data, K=m.K, seed=m.seed, lr=m.lr, **settings)
            for model, m in zip(models(), members)
        ]

    t_ours, t_ref = best_time(ours, repeats=1), best_time(reference, repeats=1)
    diff = np.abs(out["ours"]["final_weights"] - np.stack([r["final_weights"] for r in out["ref"]])).max(
        axis=1
    )
    acc = np.abs(out["ours"]["test_acc"][:, -1] - np.array([r["test_acc"][-1] for r in out["ref"]])).max()
    agree = int((diff < 1e-5).sum())
    note = (
        f"width {width}, 40 members x {steps} steps on {torch.get_num_threads()} threads; final weights of "
        f"{agree} of 40 members agree to "
        f"{diff[diff < 1e-5].max() if agree else float('nan'):.1e}"
        + (
            f", {40 - agree} differ by up to {diff.max():.2g} (Adam turns float32 rounding of near-zero "
            "gradients into whole steps)"
            if agree < 40
            else ""
        )
        + f"; test accuracy differs by at most {acc:.3f}"
    )
    return t_ours, t_ref, note


def bench_ensemble():
    """The default config's mnist1d MLP row (width 100): ensemble against one model at a time."""
    return _ensemble_row(100)


@contextlib.contextmanager
def _records_logged():
    """What ``train_ensemble`` logs at its end ("... records took X s of Y s"): ``records`` X, and ``loop``
    Y - X, its training loop from its first step to its last, records left out."""
    import logging

    seen = {}

    class Catch(logging.Handler):
        def emit(self, record):
            text = record.getMessage()
            if " records took " in text:
                records, total = text.split(" records took ")[1].split(" s of ")
                seen["records"], seen["loop"] = float(records), float(total.split(" s")[0]) - float(records)

    logger = logging.getLogger("regimes.networks.ensemble")
    handler, level = Catch(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield seen
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def bench_ensemble_vmap(
    width: int = 100, steps: int = 500, runs: int = 40, K: int | str = 1, arch: str = "mlp", depth: int = 3
):
    """40 networks (MLPs 40-width-width-10, or ``arch``) on mnist1d, Adam lr 1e-2, batch 100,
    cross-entropy, re-linearised every ``K`` steps (K = 1: plain training): the ensemble trainer against
    PyTorch's own recipe for many models at once, ``torch.func.stack_module_state`` + ``vmap(grad(...))``
    with ``torch.optim.Adam`` on the stacked parameters, fed the same minibatches
    (``stacked_minibatches``): for K = 1 the gradient of ``functional_call``, for a finite K > 1 the
    gradient of the loss of the Taylor model at the anchor (``jvp`` of ``functional_call``).  The ensemble
    trainer also sets up (every member's initial kernel and learning rate) and records its start and end
    (every member's kernel and its losses on the whole data); its own log of its loop's time, records left
    out, is what is compared, so that the ratio compares training loops.  The loop still measures what the
    recipe does not: each round's weight move and re-linearisation jump (every 10th step at K = 1)."""
    import copy

    from torch.func import functional_call, grad, jvp, stack_module_state, vmap

    from regimes.networks.architectures import build
    from regimes.networks.ensemble import Member, train_ensemble
    from regimes.networks.linearise import stacked_minibatches

    d, data = _mnist1d_tensors()
    members = [Member(seed, K, 1e-2) for seed in range(runs)]
    models = lambda: [build(arch, d["shape"], width, depth, 10, 1.0, m.seed) for m in members]  # noqa: E731
    out = {}
    every = None if K == 1 else int(K)

    def ours(n=steps):
        with _records_logged() as logged:
            out["ours"] = train_ensemble(
                models(),
                members,
                data,
                steps=n,
                optimiser="adam",
                batch_size=100,
                loss="ce",
                record_every=10**6,
                probe_size=100,
            )
        out["loop"] = logged["loop"]

    def recipe():
        nets = models()
        params, buffers = stack_module_state(nets)
        base = copy.deepcopy(nets[0]).to("meta")

        def loss(p, b, xb, yb):
            return torch.nn.functional.cross_entropy(functional_call(base, (p, b), (xb,)), yb)

        def taylor_loss(p, a, b, xb, yb):
            f = lambda q: functional_call(base, (q, b), (xb,))  # noqa: E731
            primal, tangent = jvp(f, (a,), ({k: p[k] - a[k] for k in p},))
            return torch.nn.functional.cross_entropy(primal + tangent, yb)

        gradients = vmap(grad(loss)) if every is None else vmap(grad(taylor_loss))
        opt = torch.optim.Adam(list(params.values()), lr=1e-2)
        batches = stacked_minibatches(len(data["y"]), 100, [m.seed for m in members])
        anchor = {k: v.detach().clone() for k, v in params.items()}
        for step in range(1, steps + 1):
            index = next(batches)
            args = (params, buffers) if every is None else (params, anchor, buffers)
            for k, g in gradients(*args, data["X"][index], data["y"][index]).items():
                params[k].grad = g
            opt.step()
            if every is not None and step % every == 0:
                anchor = {k: v.detach().clone() for k, v in params.items()}
        out["recipe"] = torch.cat([v.detach().reshape(runs, -1) for v in params.values()], dim=1).numpy()

    loops = []

    def timed_ours():
        ours()
        loops.append(out["loop"])

    times = paired_times([timed_ours, recipe], rounds=3)
    loop = np.asarray(loops[1:])  # the warm-up's left out
    ratio = np.median(times[:, 1] / loop)
    diff = np.abs(out["ours"]["final_weights"] - out["recipe"]).max(axis=1)
    what = "plain training (K = 1)" if every is None else f"linearised members (K = {K})"
    return (
        float(np.median(loop)),
        float(np.median(times[:, 1])),
        f"{what}, {arch} width {width} depth {depth}, {runs} members x {steps} steps, "
        f"{torch.get_num_threads()} threads, "
        f"median of 3 interleaved rounds ({ratio:.2f}x); ours {np.median(times[:, 0]):.2f} s with its set-up "
        f"(initial kernels, learning rates) and records, taken off by the trainer's own log of its loop "
        f"({np.median(times[:, 0] - loop):.2f} s); final "
        f"weights: median member differs by {np.median(diff):.1e}, the worst by {diff.max():.1e} (Adam "
        "turns float32 rounding of near-zero gradients into steps)",
    )


def bench_ensemble_vmap_linearised():
    """``bench_ensemble_vmap`` with every member re-linearised every 300 steps."""
    return bench_ensemble_vmap(K=300)


def bench_ensemble_vmap_cnn():
    """``bench_ensemble_vmap`` on mnist1d's ConvNet (width 25, depth 4), plain training."""
    return bench_ensemble_vmap(width=25, arch="cnn", depth=4)


def bench_ensemble_vmap_cnn_linearised():
    """``bench_ensemble_vmap`` on mnist1d's ConvNet, every member re-linearised every 300 steps."""
    return bench_ensemble_vmap(width=25, arch="cnn", depth=4, K=300)


def _ensemble_step(arch: str, width: int, depth: int, linearised: bool, runs: int = 40, batch: int = 100):
    """One gradient step of 40 stacked members on a batch of 100 (cross-entropy), the loop around it left
    out: ours (the trainer's own: ``dense_gradients``, written out, for the MLP; ``linearised_gradients``,
    the stacked forward with hand-written tangents and one backward pass, for the ConvNet) against the
    recipe, ``vmap(grad(...))`` of ``functional_call`` (of its ``jvp`` at the anchor for
    the Taylor model) on ``stack_module_state``'s parameters; median of 15 interleaved rounds; the
    gradients' largest difference."""
    import copy

    from torch.func import functional_call, grad, jvp, stack_module_state, vmap

    from regimes.networks.architectures import build
    from regimes.networks.ensemble import Ensemble, dense, dense_gradients, linearised_gradients

    models = [build(arch, (1, 40), width, depth, 10, 1.0, s) for s in range(runs)]
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(runs, batch, 40, generator=g), torch.randint(0, 10, (runs, batch), generator=g)
    ens = Ensemble(models)
    params = {k: v.clone() for k, v in ens.trained.items()}
    anchor = {k: v + 1e-3 * torch.randn(v.shape, generator=g) for k, v in params.items()}
    base = copy.deepcopy(models[0]).to("meta")
    stacked, _ = stack_module_state(models)
    assert list(stacked) == list(params)

    def plain(p, xb, yb):
        return torch.nn.functional.cross_entropy(functional_call(base, p, (xb,)), yb)

    def taylor(p, a, xb, yb):
        primal, tangent = jvp(lambda q: functional_call(base, q, (xb,)), (a,), ({k: p[k] - a[k] for k in p},))
        return torch.nn.functional.cross_entropy(primal + tangent, yb)

    out = {}

    gradients = dense_gradients if dense(ens) else linearised_gradients

    def ours():
        out["ours"] = gradients(ens, anchor, params, x, y, "ce", zero_tangent=not linearised)[1]

    def recipe():
        out["recipe"] = (
            vmap(grad(taylor))(params, anchor, x, y) if linearised else vmap(grad(plain))(anchor, x, y)
        )

    times = paired_times([ours, recipe], rounds=15)
    ratio = float(np.median(times[:, 1] / times[:, 0]))
    err = max(
        float((out["ours"][k] - out["recipe"][k]).abs().max() / out["recipe"][k].abs().max()) for k in params
    )
    what = "linearised step (non-zero tangent)" if linearised else "plain step (zero tangent)"
    return (
        float(np.median(times[:, 0])),
        float(np.median(times[:, 1])),
        f"{what}, {arch} width {width} depth {depth}, {runs} members, batch {batch}: the gradient alone, "
        f"median of 15 interleaved rounds ({ratio:.2f}x); gradients differ by at most {err:.1e} relative "
        "(float32)",
    )


def bench_ensemble_step():
    return _ensemble_step("mlp", 100, 3, linearised=False)


def bench_ensemble_step_linearised():
    return _ensemble_step("mlp", 100, 3, linearised=True)


def bench_ensemble_step_cnn():
    return _ensemble_step("cnn", 25, 4, linearised=False)


def bench_ensemble_step_cnn_linearised():
    return _ensemble_step("cnn", 25, 4, linearised=True)


def bench_ensemble_small():
    """The same row at width 32 (the size where per-step overhead, not arithmetic, dominates one model)."""
    return _ensemble_row(32)


def _multiply_adds(model, shape) -> list[int]:
    """Multiply-adds per sample of each linear or convolutional layer of ``model``, in order."""
    counts = []

    def hook(module, inputs, output):
        per_output = (
            module.in_features
            if isinstance(module, torch.nn.Linear)
            else module.in_channels // module.groups * int(np.prod(module.kernel_size))
        )
        counts.append(output[0].numel() * per_output)

    handles = [
        m.register_forward_hook(hook)
        for m in model.modules()
        if isinstance(m, (torch.nn.Linear, torch.nn.Conv1d, torch.nn.Conv2d))
    ]
    with torch.no_grad():
        model(torch.zeros(1, *shape))
    for h in handles:
        h.remove()
    return counts


def arithmetic_bound(counts: list[int]) -> float:
    """The least ratio of a linearised step to a plain one in multiply-adds.  Plain: the forward pass,
    the weight gradients, the input gradients (not of the first layer).  Linearised: the same plus the
    tangent, ``dW h`` at the first layer and ``W dh + dW h`` at every other."""
    forward = sum(counts)
    plain = forward + forward + (forward - counts[0])
    return (plain + counts[0] + 2 * (forward - counts[0])) / plain


def bench_linearised_cnn_step():
    """One linearised step of mnist1d's reference ConvNet (width 25, depth 4; batch 100, non-zero tangent,
    cross-entropy) in the ensemble trainer: ours; reference, a plain step of the same CNN in the same
    code (a K = 1 step, zero tangent).  The note also gives the ratio to a plain torch.nn.Module step."""
    from regimes.networks.architectures import build
    from regimes.networks.ensemble import Ensemble, linearised_gradients

    model = build("cnn", (1, 40), 25, 4, 10, 1.0, 0)
    ens = Ensemble([model])
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(1, 100, 40, generator=g), torch.randint(0, 10, (1, 100), generator=g)
    params = {k: v.clone() for k, v in ens.trained.items()}
    anchor = {k: v + 1e-3 for k, v in params.items()}

    def step(tangent_on):
        _, grads = linearised_gradients(ens, anchor, params, x, y, "ce", zero_tangent=not tangent_on)
        with torch.no_grad():
            for k, p in params.items():
                p.sub_(1e-4 * grads[k])

    opt = torch.optim.SGD(model.parameters(), lr=1e-4)
    loss = torch.nn.CrossEntropyLoss()

    def module_step():
        opt.zero_grad()
        loss(model(x[0]), y[0]).backward()
        opt.step()

    def many(fn, k=100):
        return lambda: [fn() for _ in range(k)]

    times = paired_times([many(lambda: step(True)), many(lambda: step(False)), many(module_step)])
    ratio, to_module = times[:, 0] / times[:, 1], times[:, 0] / times[:, 2]
    lin, plain = np.median(times[:, 0]), np.median(times[:, 1])
    bound = arithmetic_bound(_multiply_adds(model, (40,)))
    return (
        lin,
        plain,
        (
            f"100 steps, {len(times)} rounds (medians): a linearised step costs {np.median(ratio):.2f}x a "
            "plain step of the same trainer "
            f"(rounds {ratio.min():.2f} to {ratio.max():.2f}; target <= 1.5x), {np.median(to_module):.2f}x a "
            "torch.nn.Module step; "
            f"in multiply-adds an exact linearised step of this network costs {bound:.2f}x a plain one"
        ),
    )


def bench_snapshots():
    """A 1000-step run of 5 ConvNet members (K = 30) with records every 250 steps (NTK on 100 probes,
    test set, 1000 training points; all of them at the end): ours; reference, the same run recording
    only at the start and the end.  Ratio < 1: the share the records add."""
    from regimes.networks.architectures import build
    from regimes.networks.ensemble import Member, train_ensemble

    d, data = _mnist1d_tensors()
    members = [Member(seed, 30, 1e-2) for seed in range(5)]
    settings = dict(steps=1000, optimiser="adam", batch_size=100, loss="ce", probe_size=100, eval_subset=1000)
    models = lambda: [build("cnn", d["shape"], 25, 4, 10, 1.0, m.seed) for m in members]  # noqa: E731
    with_records = best_time(
        lambda: train_ensemble(models(), members, data, record_every=250, **settings), repeats=1
    )
    without = best_time(
        lambda: train_ensemble(models(), members, data, record_every=10**6, **settings), repeats=1
    )
    return with_records, without, f"records cost {with_records / without - 1:.0%} of the run"


BENCHMARKS = {
    "diagonal_sweep": bench_diagonal_sweep,
    "job_startup": bench_job_startup,
    "pipeline_overhead": bench_pipeline_overhead,
    "ntk": bench_ntk,
    "ntk_per_output": bench_ntk_per_output,
    "ntk_cnn": bench_ntk_cnn,
    "ntk_cnn_per_output": bench_ntk_cnn_per_output,
    "ntk_lenet5": bench_ntk_lenet5,
    "linearisation_step": bench_linearisation_step,
    "oracle": bench_oracle,
    "ensemble": bench_ensemble,
    "ensemble_small": bench_ensemble_small,
    "ensemble_vmap": bench_ensemble_vmap,
    "ensemble_vmap_linearised": bench_ensemble_vmap_linearised,
    "ensemble_vmap_cnn": bench_ensemble_vmap_cnn,
    "ensemble_vmap_cnn_linearised": bench_ensemble_vmap_cnn_linearised,
    "ensemble_step": bench_ensemble_step,
    "ensemble_step_linearised": bench_ensemble_step_linearised,
    "ensemble_step_cnn": bench_ensemble_step_cnn,
    "ensemble_step_cnn_linearised": bench_ensemble_step_cnn_linearised,
    "linearised_cnn_step": bench_linearised_cnn_step,
    "snapshots": bench_snapshots,
}


# `make bench` runs every one of them.
DEFAULT = [
    "diagonal_sweep",
    "job_startup",
    "pipeline_overhead",
    "ntk",
    "ntk_per_output",
    "ntk_cnn",
    "ntk_cnn_per_output",
    "ntk_lenet5",
    "linearisation_step",
    "oracle",
    "ensemble",
    "ensemble_small",
    "ensemble_vmap",
    "ensemble_vmap_linearised",
    "ensemble_vmap_cnn",
    "ensemble_vmap_cnn_linearised",
    "ensemble_step",
    "ensemble_step_linearised",
    "ensemble_step_cnn",
    "ensemble_step_cnn_linearised",
    "linearised_cnn_step",
    "snapshots",
]


def machine() -> str:
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), {platform.system()}"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "names", nargs="*", help=f"benchmarks to run, of {list(BENCHMARKS)} (default: {DEFAULT})"
    )
    args = parser.parse_args(argv)
    names = args.names or DEFAULT
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}")
    for name in names:
        print(f"running {name} ...", flush=True)
        ours, ref, note = BENCHMARKS[name]()
        print(f"  ours {ours:.4f} s, reference {ref:.4f} s, ratio {ref / ours:.2f}", flush=True)
        write(
            {
                "benchmark": name,
                "ours_s": round(ours, 5),
                "reference_s": round(ref, 5),
                "ratio": round(ref / ours, 2),
                "note": note,
            }
        )
    print((HERE / "results.md").read_text())


def write(row: dict) -> None:
    """Add or replace one benchmark's row in results.csv and rewrite results.md (after every benchmark,
    so that a run cut short keeps what it measured)."""
    path = HERE / "results.csv"
    table = pd.read_csv(path) if path.exists() else pd.DataFrame(columns=list(row))
    table = pd.concat([table[table["benchmark"] != row["benchmark"]], pd.DataFrame([row])], ignore_index=True)
    order = {name: i for i, name in enumerate(BENCHMARKS)}
    table = table.sort_values("benchmark", key=lambda c: c.map(order)).reset_index(drop=True)
    table.to_csv(path, index=False)
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}. Ratio = reference time / our time (higher is better for us).",
        "",
        "| benchmark | ours (s) | reference (s) | ratio | note |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| {r.benchmark} | {r.ours_s:.4f} | {r.reference_s:.4f} | {r.ratio:.2f} | {r.note} |"
        for r in table.itertuples()
    ]
    (HERE / "results.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
