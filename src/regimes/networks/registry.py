"""Registries of the network family: the data sets and architectures a config may name.

The schema's choices and the workflow's wildcard constraints are read from here, so a data set or an
architecture registered in one file of your own (``extensions:`` in the config, docs/extending.md) is
planned, validated and run like the built-in ones.  Torch-free: builders are imported when called.

- ``register_dataset(name, loader, shape, samples, local=False, check=None)``: ``loader(seed, n_train,
  n_test)`` returns ``X, y, X_test, y_test`` (inputs flattened or not; integer class labels); ``shape``:
  the input's ``(channels, length[, width])``; ``samples``: how many the data set has (``None``:
  generated to order, or a local copy's own split sizes).  ``local=True``: the data set is read from a
  copy on disk, named by the config key ``path``; the loader is then called with ``path=`` and
  ``key=`` (the config key, for its errors), and ``check(path, key)`` runs before any job starts
  (it may return ``{"train": N, "test": M}``, the images of each split, checked against ``n_train``
  and ``n_test``).
- ``register_architecture(name, builder, last_layer_only=False)``: ``builder(shape, width, depth, d_out)``
  returns a ``torch.nn.Module``; every weight is then He-initialised times alpha
  (``regimes.networks.architectures.he_init``; ``init``: ``he_normal`` or ``he_uniform``).
  ``last_layer_only`` freezes every layer but the last; ``depths``: the only depths the builder accepts
  (checked before any job starts).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DATASETS",
    "ARCHITECTURES",
    "register_dataset",
    "register_architecture",
    "last_layer_only",
    "resolve",
    "load_extensions",
]


@dataclass(frozen=True)
class Dataset:
    loader: str | Callable
    shape: tuple
    samples: int | None
    local: bool = False
    check: str | Callable | None = None


@dataclass(frozen=True)
class Architecture:
    builder: str | Callable
    last_layer_only: bool = False
    init: str = "he_normal"
    depths: tuple | None = None  # the depths the builder accepts (None: any)


INITS = ("he_normal", "he_uniform")


DATASETS: dict[str, Dataset] = {}
ARCHITECTURES: dict[str, Architecture] = {}
NAME = "^[a-z][a-z0-9_]*$"  # names go into file paths and wildcards: lower case, digits, underscores


def _check_name(kind: str, name: str, registry: dict) -> None:
    import re

    if not re.fullmatch(NAME[1:-1], name):
        raise ValueError(
            f"{kind} name {name!r} is not allowed; allowed: lower-case letters, digits and underscores, "
            "starting with a letter"
        )
    if name in registry:
        raise ValueError(f"{kind} {name!r} is registered already")


def register_dataset(
    name: str, loader, shape, samples: int | None = None, *, local: bool = False, check=None
) -> None:
    """Make a classification data set available to network experiments (``data: {name: {...}}``)."""
    _check_name("data set", name, DATASETS)
    DATASETS[name] = Dataset(loader, tuple(int(s) for s in shape), samples, local, check)


def register_architecture(
    name: str, builder, *, last_layer_only: bool = False, init: str = "he_normal", depths=None
) -> None:
    """Make an architecture available to network experiments (``architectures: [name]``)."""
    _check_name("architecture", name, ARCHITECTURES)
    if init not in INITS:
        raise ValueError(f"init of architecture {name!r} must be one of {INITS}, got {init!r}")
    ARCHITECTURES[name] = Architecture(
        builder, last_layer_only, init, None if depths is None else tuple(depths)
    )


def last_layer_only(architecture: str) -> bool:
    """Whether ``architecture`` trains its last layer alone (the kernel-end baseline: ``rf``,
    ``vgg11_rf``)."""
    entry = ARCHITECTURES.get(architecture)
    return (
        entry.last_layer_only if entry is not None else architecture == "rf" or architecture.endswith("_rf")
    )


def resolve(target):
    """A registered callable, or ``"module:function"`` imported now."""
    if callable(target):
        return target
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


_LOADED: set[str] = set()


def load_extensions(paths) -> None:
    """Import each extension file (once per process): its top level registers data sets and architectures."""
    for path in paths or ():
        path = str(Path(path).resolve())
        if path in _LOADED:
            continue
        if not Path(path).is_file():
            raise FileNotFoundError(f"extension file {path} does not exist")
        name = f"regimes_extension_{len(_LOADED)}_{Path(path).stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        _LOADED.add(path)
        spec.loader.exec_module(module)


# The built-in ones.
register_dataset("digits", "regimes.networks.data:load_digits", (1, 8, 8), samples=1797)
register_dataset("mnist1d", "regimes.networks.data:load_mnist1d", (1, 40), samples=None)
register_dataset(
    "mnist",
    "regimes.networks.local:load_mnist",
    (1, 28, 28),
    local=True,
    check="regimes.networks.local:check_mnist",
)
register_dataset(
    "cifar10",
    "regimes.networks.local:load_cifar10",
    (3, 32, 32),
    local=True,
    check="regimes.networks.local:check_cifar10",
)
register_architecture("mlp", "regimes.networks.architectures:mlp_builder")
register_architecture("cnn", "regimes.networks.architectures:cnn")
register_architecture("lenet", "regimes.networks.architectures:lenet")
register_architecture("rf", "regimes.networks.architectures:mlp_builder", last_layer_only=True)
register_architecture("lenet5", "regimes.networks.architectures:lenet5", depths=(5,))
register_architecture("vgg11", "regimes.networks.architectures:vgg11", init="he_uniform", depths=(9,))
register_architecture(
    "vgg11_rf", "regimes.networks.architectures:vgg11", init="he_uniform", depths=(9,), last_layer_only=True
)
