"""The implicit norm Q_alpha^D of the depth-D diagonal model (Woodworth et al. 2020, sec. 3-4).

Notation follows docs/science.md secs. 1.2-1.3 and 1.5:

- D = 2:  ``q(z) = 2 - sqrt(4 + z^2) + z arcsinh(z / 2)``, the antiderivative of ``arcsinh(z / 2)``,
  the inverse of the link ``h_2(s) = 2 sinh(s)``; ``H_2(s) = 2 cosh(s)``.
- D >= 3: ``h_D(s) = (1 - s)^(-p) - (1 + s)^(-p)`` with ``p = D / (D - 2)`` on ``(-1, 1)``;
  ``q_D(z) = z s - H_D(s)`` with ``s = h_D^{-1}(z)`` and
  ``H_D(s) = ((D - 2) / 2) ((1 - s)^(-a) + (1 + s)^(-a) - 2)``, ``a = 2 / (D - 2)``.
- ``Q_alpha^D(beta) = alpha^D sum_i q_D(beta_i / alpha^D)``.

Every function is written to stay finite from tiny to huge arguments (alpha down to 1e-4 and below).
"""

from __future__ import annotations

import numpy as np

__all__ = ["h", "h_prime", "H", "h_inverse", "q", "Q", "check_depth"]


def check_depth(depth: int) -> int:
    if int(depth) != depth or depth < 2:
        raise ValueError(f"depth must be an integer >= 2, got {depth!r}")
    return int(depth)


def _p(depth: int) -> float:
    return depth / (depth - 2)


def h(s, depth: int):
    """The link ``h_D``: the limit is ``beta = alpha^D h_D(X^T nu)`` (docs/science.md sec. 1.3)."""
    depth = check_depth(depth)
    s = np.asarray(s, dtype=float)
    if depth == 2:
        return 2.0 * np.sinh(s)
    p = _p(depth)
    with np.errstate(divide="ignore", invalid="ignore"):
        # expm1/log1p keep full relative precision at small s.
        return np.expm1(-p * np.log1p(-s)) - np.expm1(-p * np.log1p(s))


def h_prime(s, depth: int):
    """Derivative of ``h_D``; positive everywhere on the domain."""
    depth = check_depth(depth)
    s = np.asarray(s, dtype=float)
    if depth == 2:
        return 2.0 * np.cosh(s)
    p = _p(depth)
    return p * ((1.0 - s) ** (-p - 1.0) + (1.0 + s) ** (-p - 1.0))


def H(s, depth: int):
    """Antiderivative of ``h_D`` with ``H_D(0) = 0`` (the dual potential of docs/science.md sec. 1.3,
    shifted)."""
    depth = check_depth(depth)
    s = np.asarray(s, dtype=float)
    if depth == 2:
        # 2 cosh(s) - 2 = 4 sinh(s / 2)^2, exact at small s.
        return 4.0 * np.sinh(s / 2.0) ** 2
    a = 2.0 / (depth - 2)
    small = np.abs(s) < 1e-3
    s2 = s * s
    # Even Taylor series of (1-s)^-a + (1+s)^-a - 2 where the closed form cancels.
    series = (
        a
        * (a + 1)
        * s2
        * (1.0 + (a + 2) * (a + 3) / 12.0 * s2 + (a + 2) * (a + 3) * (a + 4) * (a + 5) / 360.0 * s2 * s2)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        closed = np.expm1(-a * np.log1p(-s)) + np.expm1(-a * np.log1p(s))
    return 0.5 * (depth - 2) * np.where(small, series, closed)


def h_inverse(z, depth: int):
    """Solve ``h_D(s) = z`` elementwise (``arcsinh(z / 2)`` for D = 2).

    For D >= 3 the root lies in (-1, 1); we bisect on ``u = -log(1 - |s|)`` so that the
    root is resolved to full precision even when ``1 - |s|`` is far below machine epsilon
    relative to 1 (huge ``z``).  Returns ``(s, one_minus_abs_s)``; the second is exact where
    ``s`` itself rounds to +-1.
    """
    depth = check_depth(depth)
    z = np.asarray(z, dtype=float)
    if depth == 2:
        s = np.arcsinh(z / 2.0)
        return s, None
    p = _p(depth)
    az = np.abs(z)
    # h(s) >= (1-s)^-p - 1 and <= (1-s)^-p, so u = -log(1-s) is in [log(az)/p - ..., log(1+az)/p].
    hi = np.log1p(az) / p + 1.0
    lo = np.zeros_like(az)
    for _ in range(120):
        mid = 0.5 * (lo + hi)
        t = np.exp(-mid)  # 1 - s
        val = t ** (-p) - (2.0 - t) ** (-p)
        big = val > az
        hi = np.where(big, mid, hi)
        lo = np.where(big, lo, mid)
    u = 0.5 * (lo + hi)
    t = np.exp(-u)
    s = 1.0 - t
    # Newton polish where s is well inside the domain (bisection on u loses digits near 0).
    inner = t > 0.5
    for _ in range(3):
        s_in = np.where(inner, s, 0.0)
        s = np.where(inner, s_in - (h(s_in, depth) - az) / h_prime(s_in, depth), s)
    t = np.where(inner, 1.0 - s, t)
    return np.sign(z) * s, t


def q(z, depth: int):
    """The scalar potential ``q_D`` (docs/science.md secs. 1.2 and 1.5); even, convex, ``q_D(0) = 0``."""
    depth = check_depth(depth)
    z = np.asarray(z, dtype=float)
    if depth == 2:
        # 2 - sqrt(4 + z^2) = -z^2 / (2 + sqrt(4 + z^2)), exact at small z; hypot avoids overflow.
        root = 2.0 * np.hypot(1.0, z / 2.0)
        return (
            -(z * z) / (2.0 + root) + z * np.arcsinh(z / 2.0)
            if np.all(np.abs(z) < 1e150)
            else (np.abs(z) * (np.arcsinh(np.abs(z) / 2.0) - 1.0) + 2.0)
        )
    s, t = h_inverse(z, depth)
    a = 2.0 / (depth - 2)
    az = np.abs(z)
    small = t > 1e-3  # |s| < 1 - 1e-3: use H directly
    Hs = H(s, depth)
    # Near |s| = 1 evaluate H through t = 1 - |s| to keep its precision.
    with np.errstate(divide="ignore", invalid="ignore"):
        Hbig = 0.5 * (depth - 2) * (t ** (-a) + (2.0 - t) ** (-a) - 2.0)
    with np.errstate(invalid="ignore"):
        return az * np.abs(s) - np.where(small, Hs, Hbig)


def Q(beta, alpha: float, depth: int, axis=-1):
    """``Q_alpha^D(beta) = alpha^D sum_i q_D(beta_i / alpha^D)`` (Woodworth et al., thm. 1 and 3)."""
    depth = check_depth(depth)
    if not alpha > 0:
        raise ValueError(f"alpha must be positive, got {alpha!r}")
    scale = float(alpha) ** depth
    beta = np.asarray(beta, dtype=float)
    return scale * np.sum(q(beta / scale, depth), axis=axis)
