"""q_D and Q_alpha^D against their definitions and limits (docs/science.md secs. 1.2, 1.5)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from regimes.diagonal.potential import H, Q, h, h_inverse, h_prime, q

DEPTHS = [2, 3, 4, 5, 10]


@pytest.mark.parametrize("depth", DEPTHS)
def test_q_derivative_is_inverse_link(depth):
    """q_D' = h_D^{-1}: central finite differences."""
    z = np.array([-30.0, -2.0, -0.3, 0.05, 0.7, 4.0, 80.0])
    eps = 1e-6 * np.maximum(1.0, np.abs(z))
    fd = (q(z + eps, depth) - q(z - eps, depth)) / (2 * eps)
    np.testing.assert_allclose(fd, h_inverse(z, depth)[0], rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("depth", DEPTHS)
def test_H_is_antiderivative_of_h_and_h_prime_is_derivative(depth):
    s = np.array([-0.9, -0.4, -1e-4, 2e-4, 0.3, 0.8]) * (5.0 if depth == 2 else 1.0)
    eps = 1e-6
    np.testing.assert_allclose(
        (H(s + eps, depth) - H(s - eps, depth)) / (2 * eps), h(s, depth), rtol=1e-6, atol=1e-10
    )
    np.testing.assert_allclose(
        (h(s + eps, depth) - h(s - eps, depth)) / (2 * eps), h_prime(s, depth), rtol=1e-6
    )


def test_q2_closed_form():
    z = np.array([0.0, 0.5, 3.0, -7.0])
    np.testing.assert_allclose(q(z, 2), 2 - np.sqrt(4 + z**2) + z * np.arcsinh(z / 2), atol=1e-14)


@settings(max_examples=60, deadline=None)
@given(st.floats(-1e8, 1e8, allow_nan=False), st.sampled_from(DEPTHS))
def test_inverse_link_round_trip(z, depth):
    s, _ = h_inverse(np.array([z]), depth)
    if depth > 2:
        assert np.all(np.abs(s) <= 1.0)
    if abs(z) < 1e6:
        np.testing.assert_allclose(h(s, depth), z, rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(st.floats(-1e12, 1e12, allow_nan=False), st.sampled_from(DEPTHS))
def test_q_is_even_nonnegative_finite(z, depth):
    v = q(np.array([z, -z]), depth)
    assert np.all(np.isfinite(v)) and np.all(v >= 0)
    np.testing.assert_allclose(v[0], v[1], rtol=1e-12)


@pytest.mark.parametrize("depth", DEPTHS)
def test_q_small_argument_is_quadratic(depth):
    """q_D(z) ~ z^2 / (2 h_D'(0)) near 0 (the l2 / kernel end)."""
    z = np.array([1e-8, 1e-5, 1e-3])
    np.testing.assert_allclose(q(z, depth), z**2 / (2 * h_prime(0.0, depth)), rtol=1e-5)


@pytest.mark.parametrize("depth", [3, 4, 5])
def test_q_large_argument_asymptote(depth):
    """q_D(z) = |z| - (D/2)|z|^(2/D) + O(1) for D >= 3 (docs/science.md sec. 1.5)."""
    z = np.array([1e6, 1e9])
    rest = q(z, depth) - (z - depth / 2 * z ** (2 / depth))
    assert abs(rest[1] - rest[0]) < 1e-3 * depth / 2 * z[0] ** (2 / depth)


def test_Q_finite_at_tiny_and_huge_alpha(rng):
    beta = rng.standard_normal(50)
    for depth in DEPTHS:
        for alpha in (1e-4, 1e-2, 1.0, 1e2):
            assert np.isfinite(Q(beta, alpha, depth)) and Q(beta, alpha, depth) > 0


@pytest.mark.parametrize("depth", [2, 3, 5])
def test_Q_tends_to_l1_as_alpha_to_zero(depth, rng):
    """Q_alpha^D(b) / Q_alpha^D(b') -> ||b||_1 / ||b'||_1 as alpha -> 0 (the rich regime)."""
    b, b2 = rng.standard_normal(30), rng.standard_normal(30) * np.linspace(0, 2, 30)
    target = np.abs(b).sum() / np.abs(b2).sum()
    errors = [abs(Q(b, a, depth) / Q(b2, a, depth) / target - 1) for a in (1e-1, 1e-3, 1e-6)]
    assert errors[-1] < (0.05 if depth == 2 else 1e-3)
    assert errors[0] > errors[-1]
    if depth > 2:  # for D >= 3 the limit is the l1 norm itself
        assert Q(b, 1e-6, depth) == pytest.approx(np.abs(b).sum(), rel=1e-3)


@pytest.mark.parametrize("depth", [2, 3, 5])
def test_Q_tends_to_squared_l2_as_alpha_to_infinity(depth, rng):
    """alpha^D Q_alpha^D(b) -> ||b||_2^2 / (2 h_D'(0)) as alpha -> inf (the kernel regime)."""
    b = rng.standard_normal(30)
    limit = np.sum(b**2) / (2 * h_prime(0.0, depth))
    for alpha, tol in ((10.0, 1e-2), (1e2, 1e-4)):
        assert alpha**depth * Q(b, alpha, depth) == pytest.approx(limit, rel=tol)


def test_r_is_the_minimum_parameter_distance_of_its_quartic():
    # Against a direct one-dimensional minimisation of (a - 1)^2 + (b - 1)^2 over a^2 - b^2 = z, which
    # never sees the quartic: catches a wrong root, a wrong branch or a wrong distance.
    from scipy.optimize import minimize_scalar

    from regimes.diagonal.distance import quartic_root, r

    for z in (-30.0, -1.0, -1e-3, 0.0, 0.2, 1.0, 7.0, 200.0):

        def distance(b):
            return (np.sqrt(z + b * b) - 1.0) ** 2 + (b - 1.0) ** 2

        lo = np.sqrt(max(-z, 0.0)) + 1e-12
        best = minimize_scalar(
            distance, bounds=(lo, lo + 10.0 + abs(z)), method="bounded", options={"xatol": 1e-12}
        )
        assert r(z)[0] == pytest.approx(best.fun, rel=1e-6, abs=1e-12), z
        lam = quartic_root(z)[0]
        assert z * lam**4 - 2 * z * lam**2 - 4 * lam + z == pytest.approx(0.0, abs=1e-10)
    small = 1e-3
    assert r(small)[0] == pytest.approx(small**2 / 8, rel=1e-3)  # quadratic near 0, half of q's z^2 / 4
    big = np.array([1e3, 1e4])
    slope = np.diff(np.log(r(big))) / np.diff(np.log(big))
    assert slope[0] == pytest.approx(1.0, abs=0.05)  # linear far out, where q grows as |z| log |z|


def test_l2_rate_of_theorem_2():
    from regimes.diagonal.distance import l2_rate_eps

    eps = 0.5
    alpha = np.sqrt(2 * (1 + eps) * (1 + 2 / eps) * 1.3)
    assert l2_rate_eps(alpha, 1.3) == pytest.approx(eps)
    assert np.isnan(l2_rate_eps(0.5, 1.3))
    assert l2_rate_eps(10 * alpha, 1.3) < eps
