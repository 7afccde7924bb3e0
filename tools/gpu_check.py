"""`make gpu-check`: the CUDA path end to end on a machine with a GPU.

1. the paper tier in miniature (config/smoke.yaml + config/paper_smoke.yaml, synthetic MNIST and
   CIFAR-10 copies in the exact formats) through profiles/gpu, timed;
2. one paper-scale training step timed on the GPU against the CPU: the MNIST 5000-unit MLP (fig. 6c) and
   the VGG11-like net (fig. 6d), batch as in config/paper.yaml, ensembles of 2 members.
The CUDA unit tests (tests/test_gpu.py) run before this script (the Makefile)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from regimes.networks.architectures import build  # noqa: E402
from regimes.networks.ensemble import Ensemble, linearised_gradients  # noqa: E402
from regimes.networks.local import write_cifar10_copy, write_mnist_copy  # noqa: E402


def _step_seconds(architecture, shape, width, depth, batch, device, repeats=5) -> float:
    models = [build(architecture, shape, width, depth, 10, 1.0, s).to(device) for s in range(2)]
    ens = Ensemble(models)
    params = {k: v.clone() for k, v in ens.trained.items()}
    x = torch.randn(2, batch, int(torch.tensor(shape).prod()), device=device)
    y = torch.randint(0, 10, (2, batch), device=device)
    times = []
    for i in range(repeats + 1):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        linearised_gradients(ens, ens.trained, params, x, y, "ce", zero_tangent=False)
        if device.type == "cuda":
            torch.cuda.synchronize()
        if i:  # the first call warms up
            times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    if not torch.cuda.is_available():
        print("make gpu-check needs a CUDA device; torch sees none here", file=sys.stderr)
        return 1
    print(
        f"torch {torch.__version__}, CUDA {torch.version.cuda}, {torch.cuda.device_count()} device(s): "
        f"{torch.cuda.get_device_name(0)}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        write_mnist_copy(data / "mnist", 100, 50)
        write_cifar10_copy(data, 12, 40)
        start = time.perf_counter()
        cmd = [
            sys.executable,
            "-m",
            "snakemake",
            "-s",
            str(ROOT / "Snakefile"),
            "--profile",
            str(ROOT / "profiles" / "gpu"),
            "--directory",
            str(Path(tmp) / "run"),
            "--configfile",
            str(ROOT / "config" / "smoke.yaml"),
            str(ROOT / "config" / "paper_smoke.yaml"),
        ]
        proc = subprocess.run(
            cmd, env=dict(os.environ, REGIMES_DATA=str(data)), capture_output=True, text=True
        )
        seconds = time.perf_counter() - start
        if proc.returncode:
            print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
            return 1
        logs = sorted((Path(tmp) / "run" / "logs").rglob("*.log"))
        on_gpu = sum("training on cuda" in p.read_text() for p in logs)
        print(
            f"paper tier in miniature through profiles/gpu: {seconds:.0f} s, {on_gpu} training jobs on "
            "the GPU"
        )
    for name, shape, width, depth, batch in (
        ("mlp", (1, 28, 28), 5000, 2, 256),
        ("vgg11", (3, 32, 32), 64, 9, 128),
    ):
        cuda = _step_seconds(name, shape, width, depth, batch, torch.device("cuda"))
        cpu = _step_seconds(name, shape, width, depth, batch, torch.device("cpu"), repeats=2)
        print(
            f"{name} {shape}, 2 members, batch {batch}, linearised step: GPU {cuda * 1e3:.1f} ms, CPU "
            f"{cpu * 1e3:.0f} ms ({cpu / cuda:.0f}x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
