"""Matrix factorisation against what is known exactly: the convex minimum-nuclear-norm program (with a
certified duality gap), the kernel (linearised) solution at large alpha, exact recovery."""

import numpy as np
import pytest
import torch

from regimes.matrix.exact import min_frobenius_interpolant, min_nuclear_interpolant
from regimes.matrix.factorised import init_factors, kernel_solution, predictor, train_factorised
from regimes.matrix.problems import completion_problem, nuclear_norm, sensing_problem, unobserved_change


def test_problems_measure_the_target():
    p = sensing_problem(5, 2, 30, seed=1)
    assert np.allclose(np.einsum("nab,ab->n", p["A"], p["target"]), p["y"])
    assert np.linalg.matrix_rank(p["target"]) == 2 and np.isclose(np.linalg.norm(p["target"]), 1.0)
    c = completion_problem(6, 1, 15, seed=2)
    assert c["mask"].sum() == 15 and c["mask"].any(0).all() and c["mask"].any(1).all()
    assert np.allclose(c["y"], c["target"][c["mask"]])
    with pytest.raises(ValueError, match="2d - 1"):
        completion_problem(6, 1, 5, seed=0)


def test_min_nuclear_full_observation_is_the_matrix_itself():
    p = completion_problem(5, 2, 25, seed=0)
    sol = min_nuclear_interpolant(p["A"], p["y"])
    assert np.allclose(sol.M, p["target"], atol=1e-6)
    assert sol.nuclear_norm == pytest.approx(nuclear_norm(p["target"]), rel=1e-6)


@pytest.mark.parametrize(
    "maker,args",
    [(completion_problem, (8, 1, 40)), (sensing_problem, (6, 2, 30)), (sensing_problem, (6, 1, 8))],
)
def test_min_nuclear_is_certified_and_below_every_interpolant(maker, args):
    p = maker(*args, seed=3)
    sol = min_nuclear_interpolant(p["A"], p["y"])
    assert sol.residual < 1e-8
    assert sol.gap < 1e-6
    assert sol.lower_bound <= sol.nuclear_norm * (1 + 1e-9)
    # Any other interpolant has a larger nuclear norm: the least-norm one and random feasible points.
    B = p["A"].reshape(len(p["y"]), -1)
    null = np.linalg.svd(B)[2][len(p["y"]) :]
    gen = np.random.default_rng(0)
    others = [min_frobenius_interpolant(p["A"], p["y"]), p["target"]]
    others += [
        (others[0].reshape(-1) + 0.1 * gen.standard_normal(null.shape[0]) @ null).reshape(p["target"].shape)
        for _ in range(20)
    ]
    for M in others:
        assert np.allclose(np.einsum("nab,ab->n", p["A"], M), p["y"])
        assert nuclear_norm(M) >= sol.lower_bound - 1e-9


def test_rank_one_completion_is_recovered_by_the_convex_program():
    p = completion_problem(10, 1, 60, seed=0)
    sol = min_nuclear_interpolant(p["A"], p["y"])
    assert np.linalg.norm(sol.M - p["target"]) < 1e-5


def test_init_is_per_seed_and_unbiased_starts_at_zero():
    one = init_factors((4, 5), 3, 6, 0.1, seed=7)
    assert [tuple(w.shape) for w in one] == [(1, 4, 6), (1, 6, 6), (1, 6, 5)]
    assert float(one[0].std()) == pytest.approx(0.1, rel=0.5)
    again = init_factors((4, 5), 3, 6, 0.1, seed=7)
    assert all(torch.equal(a, b) for a, b in zip(one, again))
    assert torch.count_nonzero(predictor(one + [w.clone() for w in one], "unbiased")) == 0


def test_batched_runs_equal_single_runs():
    """The batch computes only on the runs still training (it drops a run when it stops): a run that
    trains on after the other stopped is still the same run alone."""
    p, q = completion_problem(6, 1, 20, seed=0), completion_problem(6, 1, 20, seed=1)
    both = train_factorised(
        np.stack([p["A"], q["A"]]), np.stack([p["y"], q["y"]]), [0.01, 0.3], 2, 6, [0, 1], max_steps=400
    )
    assert both.converged.tolist() == [False, True] and both.steps[1] < both.steps[0]
    for i, (prob, alpha) in enumerate(((p, 0.01), (q, 0.3))):
        alone = train_factorised(prob["A"][None], prob["y"][None], alpha, 2, 6, [i], max_steps=400)
        assert np.allclose(both.M[i], alone.M[0], rtol=0, atol=1e-12)
        assert both.steps[i] == alone.steps[0]


def test_a_batch_of_cells_equals_each_cell_trained_alone():
    """train_matrix_batch stacks every (alpha, seed) of a job; each run stops on its own, so a cell
    comes out as train_matrix_cell trains it (unbiased init, depth 3: the experiment's set-up)."""
    from regimes.grid import Cell
    from regimes.matrix.train import train_matrix_batch, train_matrix_cell

    data = [dict(sensing_problem(5, 1, 15, seed=s), seed=s) for s in (0, 1)]
    cells = [Cell(alpha=a, depth=3, width=5, K=1) for a in (0.03, 0.3)]
    settings = {"max_steps": 600, "tol": 1e-6, "curvature_every": 5}
    batch = train_matrix_batch(cells, data, settings, init="unbiased")
    for cell in cells:
        alone = train_matrix_cell(cell, data, settings, init="unbiased")
        assert np.array_equal(batch[cell.id]["seeds"], alone["seeds"]) and np.array_equal(
            batch[cell.id]["steps"], alone["steps"]
        )
        np.testing.assert_allclose(batch[cell.id]["M"], alone["M"], rtol=0, atol=1e-12)


def test_curvature_every_few_steps_lands_where_every_step_does():
    """The step's curvature recomputed every 10 steps (the default config's) instead of every step:
    the same limit to the tolerance's precision, at alpha = 0.1, depth 3 (rich: the factors grow by orders
    of magnitude, so the curvature moves)."""
    p = completion_problem(6, 1, 20, seed=0)
    runs = [
        train_factorised(
            p["A"][None],
            p["y"][None],
            0.1,
            3,
            6,
            [0],
            init="unbiased",
            tol=1e-8,
            max_steps=4000,
            curvature_every=every,
        )
        for every in (1, 10)
    ]
    assert all(r.converged[0] and not r.diverged[0] for r in runs)
    assert np.linalg.norm(runs[0].M[0] - runs[1].M[0]) / np.linalg.norm(runs[0].M[0]) < 1e-3
    assert runs[1].steps[0] == runs[0].steps[0] and runs[1].flow_time[0] == pytest.approx(
        runs[0].flow_time[0], rel=0.01
    )


def _kernel_gap(p, alpha, depth, width, init):
    run = train_factorised(
        p["A"][None], p["y"][None], alpha, depth, width, [0], init=init, tol=1e-14, max_steps=20000
    )
    assert run.converged[0]
    kernel = kernel_solution(p["A"], p["y"], alpha, depth, width, 0, init=init)
    return np.linalg.norm(run.M[0] - kernel) / np.linalg.norm(kernel - run.M0[0])


@pytest.mark.parametrize("depth", [2, 3])
def test_large_alpha_is_the_kernel_solution(depth):
    """Zero at initialisation: as alpha grows the trained matrix becomes the limit of the model
    linearised at its initialisation (the gap falls like a power of alpha)."""
    p = sensing_problem(5, 1, 12, seed=4)
    gaps = [_kernel_gap(p, alpha, depth, 5, "unbiased") for alpha in (1.0, 4.0)]
    assert gaps[1] < 1e-5
    assert gaps[1] < gaps[0] / 100


def test_gaussian_init_reaches_the_kernel_solution_as_alpha2_k_grows():
    """Not zero at initialisation (U V^T): alpha alone does not make it lazy (the initial predictor grows
    with it), alpha^2 k does (docs/science.md sec. 1.6): the gap to the kernel solution falls with the
    width."""
    p = sensing_problem(5, 1, 12, seed=4)
    assert _kernel_gap(p, 8.0, 2, 5, "gaussian") > 0.1
    gaps = [_kernel_gap(p, 1.0, 2, k, "gaussian") for k in (20, 320)]
    assert gaps[1] < 5e-3
    assert gaps[1] < gaps[0] / 5


@pytest.mark.parametrize("init,depth", [("gaussian", 2), ("unbiased", 2), ("gaussian", 3)])
def test_small_alpha_rank_one_completion_reaches_the_nuclear_minimum(init, depth):
    p = completion_problem(8, 1, 36, seed=1)
    best = min_nuclear_interpolant(p["A"], p["y"]).nuclear_norm
    run = train_factorised(
        p["A"][None], p["y"][None], 1e-3, depth, 8, [0], init=init, tol=1e-7, max_steps=30000
    )
    assert run.converged[0]
    assert nuclear_norm(run.M[0]) == pytest.approx(best, rel=0.03)
    # ... and is far from the kernel end, whose nuclear norm is much larger.
    assert nuclear_norm(min_frobenius_interpolant(p["A"], p["y"])) > 1.1 * best


def test_unobserved_change():
    target = np.ones((2, 2))
    mask = np.array([[True, False], [False, True]])
    M0 = np.zeros((2, 2))
    assert unobserved_change(target, M0, target, mask) == pytest.approx(1.0)
    assert unobserved_change(M0, M0, target, mask) == 0.0


def test_divergence_is_recorded():
    p = sensing_problem(4, 1, 6, seed=0)
    run = train_factorised(
        p["A"][None], p["y"][None], 1.0, 2, 4, [0], step_scale=1.0, max_rel_change=0.5, max_steps=200
    )
    assert not run.diverged[0]  # the curvature bound keeps step_scale <= 1 stable


def test_implicit_steps_land_where_gradient_descent_does():
    """Linearly implicit steps (regimes.flow) between gradient-descent steps, at alpha = 0.1, depth 3 (rich:
    the factors grow by orders of magnitude): the limit of gradient descent along the flow to 1e-12, the
    gap shrinking with the integrator's tolerance, in a fraction of the steps.  Would catch an implicit
    step that is not the flow's (a wrong mu, a kernel of the wrong scale) or one accepted where the
    linearisation failed."""
    p = sensing_problem(5, 1, 12, seed=4)

    def run(rtol):
        return train_factorised(
            p["A"][None], p["y"][None], 0.1, 3, 5, [0], init="unbiased", tol=1e-12, max_steps=20000, rtol=rtol
        )

    gd = run(None)
    assert gd.converged[0] and gd.implicit_steps[0] == 0
    gaps = {}
    for rtol in (1e-1, 1e-3):
        r = run(rtol)
        assert r.converged[0] and r.implicit_steps[0] > 0 and r.steps[0] < gd.steps[0] / 2
        gaps[rtol] = np.linalg.norm(r.M[0] - gd.M[0]) / np.linalg.norm(gd.M[0])
    assert gaps[1e-3] < 1e-4
    assert gaps[1e-3] < gaps[1e-1] / 10


def test_implicit_steps_batched_equal_each_run_alone():
    """Every run keeps its own ``h`` and its own attempts: two alphas batched are each the same run
    alone (to rounding)."""
    p = completion_problem(6, 1, 20, seed=0)
    kw = dict(init="unbiased", tol=1e-10, max_steps=5000, rtol=1e-2)
    both = train_factorised(np.stack([p["A"]] * 2), np.stack([p["y"]] * 2), [0.1, 1.0], 3, 6, [0, 1], **kw)
    assert both.steps[1] < both.steps[0]  # the second run stops first; the first trains on alone
    for i, alpha in enumerate((0.1, 1.0)):
        alone = train_factorised(p["A"][None], p["y"][None], alpha, 3, 6, [i], **kw)
        assert both.steps[i] == alone.steps[0] and both.implicit_steps[i] == alone.implicit_steps[0]
        np.testing.assert_allclose(both.M[i], alone.M[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("init", ["gaussian", "unbiased"])
@pytest.mark.parametrize("depth", [2, 3, 4])
def test_chain_products_are_autograds_vjp_and_jvp(init, depth):
    """The trainer's hand-written products (``Chain``) against ``torch.func``'s vjp and jvp of the
    measurements, float64: a factor's prefix and suffix swapped, a transpose missed, the second half of
    an unbiased model given the wrong sign or a tangent term dropped would each differ."""
    from torch.func import jvp, vjp

    from regimes.matrix.factorised import Chain, _measure, init_factors, predictor

    gen = torch.Generator().manual_seed(depth)
    runs, n, d1, d2, k = 3, 7, 4, 5, 6
    A = torch.randn(runs, n, d1, d2, generator=gen, dtype=torch.float64)
    factors = [
        w + 0.3 * torch.randn(w.shape, generator=gen, dtype=torch.float64)
        for w in init_factors((d1, d2), depth, k, 0.8, 0, runs=runs)
    ]
    if init == "unbiased":
        factors = factors + [w.flip(0) for w in factors]
    chain = Chain(factors, init, A)
    measure = lambda *ws: _measure(predictor(list(ws), init), A)  # noqa: E731
    out, pullback = vjp(measure, *factors)
    torch.testing.assert_close(chain.measurements(), out, rtol=1e-12, atol=1e-12)
    c = torch.randn(runs, n, generator=gen, dtype=torch.float64)
    for mine, theirs in zip(chain.pullback(c), pullback(c), strict=True):
        torch.testing.assert_close(mine, theirs, rtol=1e-12, atol=1e-12)
    tangent = [torch.randn(w.shape, generator=gen, dtype=torch.float64) for w in factors]
    torch.testing.assert_close(
        chain.pushforward(tangent), jvp(measure, tuple(factors), tuple(tangent))[1], rtol=1e-12, atol=1e-12
    )
