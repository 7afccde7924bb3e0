"""The exact limit (dual Newton, docs/science.md sec. 1.3) and the reference interpolants."""

import numpy as np
import pytest
from scipy.optimize import minimize

from regimes.diagonal.exact import implicit_limit, min_l1_interpolant, min_l2_interpolant
from regimes.diagonal.potential import Q, h_inverse

from ..conftest import small_problem


@pytest.mark.parametrize("depth", [2, 3, 4, 5])
@pytest.mark.parametrize("alpha", [1e-3, 3e-2, 0.3, 3.0, 30.0])
def test_oracle_interpolates_and_satisfies_kkt(depth, alpha):
    """X beta = y, and grad Q(beta) = h^{-1}(beta / alpha^D) lies in the row space of X."""
    data = small_problem()
    X, y = data["X"], data["y"]
    sol = implicit_limit(X, y, alpha, depth)
    # At alpha^D = 1e-15 (D = 5, alpha = 1e-3) the dual variable sits within float64's reach of the edge
    # |X^T nu| = 1, and the residual float64 allows depends on the CPU's rounding (2.4e-7 on some
    # machines, below 1e-7 on others): the documented limit of the solve, not a wrong answer.
    tol = 1e-6 if alpha**depth < 1e-12 else 1e-7
    assert np.linalg.norm(X @ sol.beta - y) <= tol * np.linalg.norm(y)
    grad_Q, _ = h_inverse(sol.beta / alpha**depth, depth)
    nu = np.linalg.lstsq(X.T, grad_Q, rcond=None)[0]
    assert np.linalg.norm(X.T @ nu - grad_Q) <= 1e-5 * max(np.linalg.norm(grad_Q), 1e-12)


@pytest.mark.parametrize("depth,alpha", [(2, 0.05), (2, 1.0), (3, 0.3)])
def test_oracle_matches_generic_constrained_solver(depth, alpha, rng):
    """The same minimiser from scipy's SLSQP on min Q subject to X beta = y (a tiny problem)."""
    X = rng.standard_normal((3, 7))
    y = X @ np.array([1.0, 0, 0, -0.5, 0, 0, 0])
    sol = implicit_limit(X, y, alpha, depth)
    scale = Q(sol.beta, alpha, depth)
    res = minimize(
        lambda b: Q(b, alpha, depth) / scale,
        min_l2_interpolant(X, y),
        constraints=[{"type": "eq", "fun": lambda b: X @ b - y}],
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 1000},
    )
    assert res.success
    np.testing.assert_allclose(res.x, sol.beta, atol=2e-4 * np.abs(sol.beta).max())
    assert Q(sol.beta, alpha, depth) <= Q(res.x, alpha, depth) * (1 + 1e-7)


def test_min_l2_and_min_l1_references(rng):
    X = rng.standard_normal((15, 40))
    beta_star = np.zeros(40)
    beta_star[[3, 17]] = [1.0, -2.0]
    y = X @ beta_star
    l2 = min_l2_interpolant(X, y)
    np.testing.assert_allclose(l2, np.linalg.pinv(X) @ y, atol=1e-10)
    l1 = min_l1_interpolant(X, y)
    np.testing.assert_allclose(X @ l1, y, atol=1e-8)
    np.testing.assert_allclose(
        l1, beta_star, atol=1e-7
    )  # exact recovery of a 2-sparse vector from 15 measurements


@pytest.mark.parametrize("depth", [2, 3])
def test_oracle_ends_are_min_l1_and_min_l2(depth):
    data = small_problem(noise=0.1)
    X, y = data["X"], data["y"]
    l1, l2 = min_l1_interpolant(X, y), min_l2_interpolant(X, y)
    rich = implicit_limit(X, y, 1e-4 if depth == 2 else 1e-3, depth).beta
    kernel = implicit_limit(X, y, 100.0, depth).beta
    assert np.abs(rich).sum() == pytest.approx(np.abs(l1).sum(), rel=0.03 if depth == 2 else 1e-3)
    np.testing.assert_allclose(kernel, l2, atol=1e-6 * np.abs(l2).max())


def test_an_oracle_that_stops_short_says_so(rng):
    """The issue's case: a correlated design where 500 Newton steps stop above the tolerance.  Here forced
    with a budget of 2 iterations: the solve returns ``converged=False`` with its residual and warns (what
    would catch a silent stop, read as the exact limit)."""
    X = rng.standard_normal((20, 60))
    y = X[:, :3].sum(1)
    with pytest.warns(RuntimeWarning, match="stopped short at alpha 0.3, depth 3"):
        sol = implicit_limit(X, y, 0.3, 3, max_iter=2)
    assert not sol.converged and sol.residual > 1e-9 and sol.iterations == 2


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_a_solve_started_at_a_nearby_alpha_lands_on_the_same_limit_in_fewer_steps(depth):
    """Continuation (the sample-complexity table starts each alpha at the previous one's dual point).
    Would catch a start that changes the limit (a start not replaced where it is outside the domain, a
    stale Phi carried with it) or one that is ignored (no fewer Newton steps)."""
    data = small_problem()
    X, y = data["X"], data["y"]
    previous = implicit_limit(X, y, 0.3, depth)
    cold = implicit_limit(X, y, 0.2, depth)
    warm = implicit_limit(X, y, 0.2, depth, start=previous.nu)
    assert warm.converged and cold.converged
    assert np.linalg.norm(warm.beta - cold.beta) <= 1e-8 * np.linalg.norm(cold.beta)
    assert warm.iterations < cold.iterations
    outside = 10.0 * previous.nu / np.abs(X.T @ previous.nu).max()  # |X^T nu| = 10: outside for D >= 3
    far = implicit_limit(X, y, 0.2, depth, start=outside)
    assert far.converged and np.linalg.norm(far.beta - cold.beta) <= 1e-8 * np.linalg.norm(cold.beta)
    with pytest.raises(ValueError, match="start must have shape"):
        implicit_limit(X, y, 0.2, depth, start=np.zeros(len(y) + 1))
