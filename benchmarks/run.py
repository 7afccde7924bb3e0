"""Benchmarks: our time against a reference measured in the same run, and the ratio.

    python benchmarks/run.py [NAME ...]      (or: make bench)

Writes benchmarks/results.csv (benchmark, ours_s, reference_s, ratio, note) and benchmarks/results.md,
with the machine they ran on.  Each time is the best of a few repeats after a warm-up call.
"""

from __future__ import annotations

import argparse
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


def bench_ntk():
    """Empirical NTK of an MLP 40-512-512-10 on 200 probe points: per-layer formula vs jacrev contraction."""
    from regimes.networks import build
    from regimes.ntk import ntk_dense, ntk_from_jacobian

    model = build("mlp", (40,), 512, 3, 10, alpha=1.0, seed=0)
    x = torch.randn(200, 40, generator=torch.Generator().manual_seed(0))
    ours = best_time(lambda: ntk_dense(model, x))
    ref = best_time(lambda: ntk_from_jacobian(model, x), repeats=1)
    a, b = ntk_dense(model, x), ntk_from_jacobian(model, x)
    err = float((a - b).abs().max() / b.abs().max())
    return ours, ref, f"max relative difference {err:.1e} (float32)"


def bench_linearisation_step():
    """One iterative-linearisation SGD step (jvp forward + vjp backward, tangent non-zero) vs a plain step."""
    from regimes.linearise import LinearisedModel, loss_fn
    from regimes.networks import build

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

    return best_time(many(linearised_step)), best_time(many(plain_step)), "MLP 40-512-512-10, batch 128, 20 steps; target ratio < 3"


def bench_oracle():
    """The dual oracle (exact limit) for 20 alphas x D in {2, 3} on one d = 1000, n = 100 problem vs min-l1 LPs
    of the same count (a convex solve of the same size as a yardstick)."""
    from regimes.data import sparse_regression
    from regimes.oracle import implicit_limit, min_l1_interpolant

    data = sparse_regression(0, 100, 1000, 5, 0.1, 10)
    alphas = np.logspace(-2, 1, 20)
    ours = best_time(lambda: [implicit_limit(data["X"], data["y"], a, D) for a in alphas for D in (2, 3)], repeats=1)
    ref = best_time(lambda: [min_l1_interpolant(data["X"], data["y"]) for _ in range(40)], repeats=1)
    return ours, ref, "40 exact limits vs 40 HiGHS linear programs (min-l1) of the same size"


BENCHMARKS = {"ntk": bench_ntk, "linearisation_step": bench_linearisation_step, "oracle": bench_oracle}


def machine() -> str:
    return f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch {torch.__version__} ({torch.get_num_threads()} threads), {platform.system()}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run, of {list(BENCHMARKS)} (default: all)")
    args = parser.parse_args(argv)
    names = args.names or list(BENCHMARKS)
    unknown = sorted(set(names) - set(BENCHMARKS))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {list(BENCHMARKS)}")
    rows = []
    for name in names:
        print(f"running {name} ...", flush=True)
        ours, ref, note = BENCHMARKS[name]()
        rows.append({"benchmark": name, "ours_s": round(ours, 5), "reference_s": round(ref, 5), "ratio": round(ref / ours, 2), "note": note})
        print(f"  ours {ours:.4f} s, reference {ref:.4f} s, ratio {ref / ours:.2f}", flush=True)
    table = pd.DataFrame(rows)
    table.to_csv(HERE / "results.csv", index=False)
    lines = [
        "# Benchmark results",
        "",
        f"Machine: {machine()}. Ratio = reference time / our time (higher is better for us).",
        "",
        "| benchmark | ours (s) | reference (s) | ratio | note |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += [f"| {r.benchmark} | {r.ours_s:.4f} | {r.reference_s:.4f} | {r.ratio:.2f} | {r.note} |" for r in table.itertuples()]
    (HERE / "results.md").write_text("\n".join(lines) + "\n")
    print((HERE / "results.md").read_text())


if __name__ == "__main__":
    sys.exit(main())
