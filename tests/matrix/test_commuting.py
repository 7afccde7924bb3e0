"""Theorem 4 (commuting measurements): the Q_mu minimiser against a closed form, the closed-form flow limit
against gradient descent on U V^T, and the limit approaching the Q_mu minimiser as the width grows."""

import numpy as np
import pytest
from scipy.optimize import brentq

from regimes.matrix.analyse import q_mu_minimiser
from regimes.matrix.commuting import commuting_flow_limit, diagonal_of
from regimes.matrix.factorised import init_factors, train_factorised
from regimes.matrix.problems import commuting_problem


@pytest.mark.parametrize("mu, c, y", [(0.05, 0.5, 1.0), (1.0, 2.0, -0.7), (3.0, -1.5, 2.0)])
def test_q_mu_minimiser_on_a_2x2_case_against_its_closed_form(mu, c, y):
    # One measurement <diag(1, c), M> = y.  Stationarity of mu^2 sum q(w_j / mu^2) on the line gives
    # q'(w_j / mu^2) = arcsinh(w_j / (2 mu^2)) = nu x_j, so w = 2 mu^2 sinh(nu x), with nu the root of the
    # constraint.  Catches a wrong scale (mu vs mu^2), a wrong depth or a wrong diagonal read-out.
    x = np.array([1.0, c])
    nu = brentq(lambda t: x @ (2 * mu**2 * np.sinh(t * x)) - y, -50, 50, xtol=1e-15)
    expected = np.diag(2 * mu**2 * np.sinh(nu * x))
    M = q_mu_minimiser(np.diag(x)[None], np.array([y]), mu)
    np.testing.assert_allclose(M, expected, rtol=1e-8, atol=1e-12)


def test_q_mu_minimiser_refuses_measurements_that_are_not_diagonal():
    with pytest.raises(ValueError, match="diagonal"):
        q_mu_minimiser(np.ones((1, 2, 2)), np.array([1.0]), 1.0)
    with pytest.raises(ValueError, match="diagonal"):
        diagonal_of(np.ones((1, 2, 2)))


@pytest.mark.parametrize("alpha, rtol", [(0.1, None), (0.5, None), (0.1, 1e-3), (0.5, 1e-3)])
def test_flow_limit_is_where_gradient_descent_on_U_V_lands(alpha, rtol):
    # Gradient descent on the factors (small steps along the flow) from the same draw: the closed form
    # must be its limit, off-diagonal entries included.  Catches a sign or a factor in the row dynamics.
    # With rtol, the flow's linearly implicit steps (regimes.flow) must land there too: catches an
    # implicit step that leaves the flow (a wrong curvature scale, an accepted step it mispredicted).
    problem = commuting_problem(5, 2, 3, seed=0)
    width = 20
    run = train_factorised(
        problem["A"][None],
        problem["y"][None],
        alpha,
        2,
        width,
        [0],
        step_scale=0.2,
        max_rel_change=0.002,
        tol=1e-14,
        max_steps=200000,
        rtol=rtol,
    )
    assert bool(run.converged[0]) and (rtol is None or run["implicit_steps"][0] > 0)
    U0, Vt0 = (f[0].numpy() for f in init_factors((5, 5), 2, width, alpha, 0))
    limit = commuting_flow_limit(problem["A"], problem["y"], U0, Vt0.T)
    assert limit.converged
    np.testing.assert_allclose(limit.M0, run.M0[0], atol=1e-14)
    assert np.linalg.norm(limit.M - run.M[0]) / np.linalg.norm(limit.M) < 2e-3
    assert np.abs(np.einsum("nab,ab->n", problem["A"], limit.M) - problem["y"]).max() < 1e-9


def test_flow_limit_approaches_the_q_mu_minimiser_as_width_grows():
    # Fixed mu^2 = alpha^2 k / 2: the distance falls about as k^(-1/2) and is below 1e-2 at k = 10^5.
    problem = commuting_problem(10, 2, 6, seed=1)
    mu2 = 0.05
    reference = q_mu_minimiser(problem["A"], problem["y"], np.sqrt(mu2))
    errors = []
    for width in (100, 1000, 10000, 100000):
        alpha = np.sqrt(2 * mu2 / width)
        U0, Vt0 = (f[0].numpy() for f in init_factors((10, 10), 2, width, alpha, 1))
        M = commuting_flow_limit(problem["A"], problem["y"], U0, Vt0.T).M
        errors.append(np.linalg.norm(M - reference) / np.linalg.norm(reference))
    slope = np.polyfit(np.log([100, 1000, 10000, 100000]), np.log(errors), 1)[0]
    assert -0.8 < slope < -0.3, errors
    assert errors[-1] < 1e-2, errors


def test_commuting_problem_is_diagonal_and_consistent():
    problem = commuting_problem(6, 2, 4, seed=3)
    X = diagonal_of(problem["A"])
    assert np.count_nonzero(np.diag(problem["target"])) == 2
    np.testing.assert_allclose(X @ np.diag(problem["target"]), problem["y"])
    with pytest.raises(ValueError, match="n < d"):
        commuting_problem(4, 1, 4, seed=0)
