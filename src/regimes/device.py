"""Where tensors live: the GPU when there is one, chosen once."""

from __future__ import annotations

import functools

import torch


@functools.cache
def default_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def resolve(device: str | torch.device | None) -> torch.device:
    """``None`` or ``"auto"``: the default device; anything else is taken as given."""
    if device is None or device == "auto":
        return default_device()
    return torch.device(device)
