"""Where tensors live: the config key ``device`` (``auto | cpu | cuda | cuda:N``); ``auto`` is the GPU
when there is one.  With several GPUs visible (a GPU box running one job per GPU, profiles/gpu), ``auto``
and ``cuda`` take the one with the most free memory when the job starts; a cluster that gives each job
its own GPU (SLURM's --gpus) makes that the only one visible."""

from __future__ import annotations

import functools

import torch

PATTERN = r"^(auto|cpu|cuda(:[0-9]+)?)$"


def _freest_gpu() -> torch.device:
    count = torch.cuda.device_count()
    if count == 1:
        return torch.device("cuda:0")
    free = [torch.cuda.mem_get_info(i)[0] for i in range(count)]
    return torch.device(f"cuda:{max(range(count), key=free.__getitem__)}")


@functools.cache
def default_device() -> torch.device:
    return _freest_gpu() if torch.cuda.is_available() else torch.device("cpu")


def resolve(device: str | torch.device | None) -> torch.device:
    """``None`` or ``"auto"``: the default device; ``"cuda"``: the freest GPU (an error without one);
    anything else is taken as given."""
    if isinstance(device, torch.device):
        return device
    if device is None or device == "auto":
        return default_device()
    if device == "cuda" or device.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise RuntimeError(
                f"device {device!r} was asked for, but torch sees no CUDA device here (torch "
                f"{torch.__version__}, CUDA build: {torch.version.cuda is not None}); use device: auto or cpu"
            )
        if device == "cuda":
            return _freest_gpu()
        if int(device.split(":")[1]) >= torch.cuda.device_count():
            raise RuntimeError(f"device {device!r}: only {torch.cuda.device_count()} CUDA device(s) visible")
    return torch.device(device)
