"""The kernel-regime picture of the depth-2 diagonal model, against its true implicit norm (Woodworth et
al. 2020, sec. 4, fig. 2 and theorem 2; docs/science.md sec. 1.5).

``r(z)``: the smallest squared distance in parameter space from the initialisation ``w_+ = w_- = 1`` to
weights that produce ``z = w_+^2 - w_-^2`` (per coordinate; at scale alpha, ``alpha^2 r(beta / alpha^2)``).
Stationarity of ``(a - 1)^2 + (b - 1)^2`` on ``a^2 - b^2 = z`` gives ``a = 1 / (1 - l)``,
``b = 1 / (1 + l)`` with ``l`` the real root in (-1, 1) of the quartic

    z l^4 - 2 z l^2 - 4 l + z = 0        (that is, z (1 - l^2)^2 = 4 l),

and ``r = (l / (1 - l))^2 + (l / (1 + l))^2``: ``z^2 / 8`` near 0 like ``q(z) = z^2 / 4`` (both
quadratic: the kernel regime), but only linear far out, where ``q`` grows as ``|z| log |z|``.

``l2_rate_eps``: theorem 2's l2 statement read backwards: at scale alpha the limit satisfies
``||beta_alpha||_2^2 <= (1 + eps) ||beta_l2||_2^2`` for every eps with
``alpha >= sqrt(2 (1 + eps) (1 + 2 / eps) ||beta_l2||_2)``; the smallest such eps, NaN below the
smallest alpha the theorem covers.
"""

from __future__ import annotations

import numpy as np

__all__ = ["quartic_root", "r", "l2_rate_eps"]


def quartic_root(z) -> np.ndarray:
    """The real root in (-1, 1) of ``z l^4 - 2 z l^2 - 4 l + z = 0`` (``l = 0`` at ``z = 0``)."""
    z = np.atleast_1d(np.asarray(z, dtype=float))
    out = np.zeros_like(z)
    for i, value in enumerate(z):
        if value == 0.0:
            continue
        roots = np.roots([value, 0.0, -2.0 * value, -4.0, value])
        real = roots[np.abs(roots.imag) < 1e-9 * max(1.0, np.abs(roots).max())].real
        inside = real[np.abs(real) < 1.0]
        if inside.size != 1:
            raise ArithmeticError(f"the quartic at z = {value} has {inside.size} real roots in (-1, 1)")
        out[i] = inside[0]
    return out


def r(z) -> np.ndarray:
    """The smallest squared parameter distance from ``w_+ = w_- = 1`` reaching ``w_+^2 - w_-^2 = z``."""
    lam = quartic_root(z)
    return (lam / (1.0 - lam)) ** 2 + (lam / (1.0 + lam)) ** 2


def l2_rate_eps(alpha, l2_norm: float) -> np.ndarray:
    """The smallest eps with ``alpha >= sqrt(2 (1 + eps) (1 + 2 / eps) ||beta_l2||)`` (theorem 2), NaN
    where no eps qualifies (``(1 + eps)(1 + 2 / eps) = 3 + eps + 2 / eps`` is at least ``3 + 2 sqrt 2``)."""
    c = np.asarray(alpha, dtype=float) ** 2 / (2.0 * float(l2_norm)) - 3.0  # eps + 2 / eps = c
    with np.errstate(invalid="ignore"):
        eps = (c - np.sqrt(c * c - 8.0)) / 2.0
    return np.where(c >= np.sqrt(8.0), eps, np.nan)
