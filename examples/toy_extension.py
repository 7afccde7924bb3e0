"""A data set and an architecture of your own, in one file (docs/extending.md).

Name this file under ``extensions:`` in a config; its top level registers them, and any network
experiment can then use ``data: {moons: {...}}`` and ``architectures: [tanh_mlp]``.
"""

from regimes.networks.registry import register_architecture, register_dataset


def moons(seed: int, n_train: int, n_test: int):
    """Two interleaving half circles (scikit-learn's make_moons), 5% label noise: X, y, X_test, y_test."""
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=n_train + n_test, noise=0.2, random_state=seed)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def tanh_mlp(shape, width: int, depth: int, d_out: int):
    """An MLP with tanh units: ``depth`` weight layers of ``width`` (torch imported only when built)."""
    import math

    from torch import nn

    sizes = [math.prod(shape)] + [width] * (depth - 1)
    layers = [nn.Flatten()]
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(a, b), nn.Tanh()]
    return nn.Sequential(*layers, nn.Linear(sizes[-1], d_out))


register_dataset("moons", moons, shape=(2,), samples=None)
register_architecture("tanh_mlp", tanh_mlp)
