"""The linearly implicit steps (regimes.flow) against what is known exactly: a linear model's limit
(the minimum-norm interpolant from the start, reached by accepted steps of any length), the step's
algebra (the implicit Euler equation it solves), and the rejection of a step the linearisation did not
predict."""

import numpy as np
import torch

from regimes.flow import ImplicitSteps, gauss_newton_step


def test_the_step_solves_the_linearly_implicit_euler_equation():
    """``(I + 2 s h J^T J) dw = -2 s h J^T r`` in weight space, solved through the n x n kernel: would
    catch a wrong mu (a factor 2 or s) or a transposed kernel."""
    gen = torch.Generator().manual_seed(0)
    J = torch.randn(2, 4, 9, generator=gen, dtype=torch.float64)
    r = torch.randn(2, 4, generator=gen, dtype=torch.float64)
    scale, h = 0.3, torch.tensor([0.7, 5.0], dtype=torch.float64)
    dw, change = gauss_newton_step(J, r, 1.0 / (2 * scale * h))
    for m in range(2):
        lhs = (torch.eye(9, dtype=torch.float64) + 2 * scale * h[m] * J[m].T @ J[m]) @ dw[m]
        torch.testing.assert_close(lhs, -2 * scale * h[m] * J[m].T @ r[m])
        torch.testing.assert_close(change[m], J[m] @ dw[m])


def test_a_linear_model_lands_on_its_minimum_norm_interpolant():
    """A linear model's linearisation is exact: every attempt is accepted, ``h`` grows fourfold a step,
    and the weights reach ``w0 + X^+ (y - X w0)`` (the flow's limit) to rounding in a dozen steps from a
    step of 1e-3; a run not asked to try is left where it was.  A run whose residual is below 1e-9 is not
    asked to try again: from there a step's predicted change is near the residual's rounding, and whether
    it passes rtol = 1e-6 depends on the machine's arithmetic."""
    gen = np.random.default_rng(1)
    X = torch.tensor(gen.standard_normal((3, 5, 12)))
    y = torch.tensor(gen.standard_normal((3, 5)))
    w = [torch.tensor(gen.standard_normal((3, 12)))]
    w0 = w[0].clone()
    residual = lambda ps, ids: torch.einsum("mnp,mp->mn", X[ids], ps[0]) - y[ids]  # noqa: E731
    jacobian = lambda ps, ids: X[ids]  # noqa: E731
    steps = ImplicitSteps(3, scale=1.0, rtol=1e-6, every=10)
    asked = torch.tensor([True, True, False])
    explicit = torch.full((3,), 1e-3, dtype=torch.float64)
    tried = torch.zeros(3, dtype=torch.long)
    r = residual(w, torch.arange(3))
    for step in range(12):
        which = asked & (r.norm(dim=1) >= 1e-9)
        if not bool(which.any()):
            break
        w, r, ok = steps.attempt(step, w, r, jacobian, residual, explicit, which)
        assert torch.equal(ok, which)
        tried += which.long()
    assert step < 11
    for m in range(2):
        limit = w0[m] + torch.linalg.pinv(X[m]) @ (y[m] - X[m] @ w0[m])
        torch.testing.assert_close(w[0][m], limit, rtol=0, atol=1e-9)
    torch.testing.assert_close(w[0][2], w0[2])
    assert steps.taken.tolist() == tried.tolist() and tried[2] == 0 and bool((tried[:2] > 5).all())


def test_a_step_the_linearisation_misses_is_rejected_and_h_shrinks():
    """A strongly curved model (``r = w^2 - 1`` from far out): a long step's predicted change is far from
    the one reached, so it is refused, the weights stay, ``h`` shrinks and the next attempt waits
    ``every`` steps; would catch an acceptance test that compares the wrong quantities."""
    w = [torch.tensor([[3.0]], dtype=torch.float64)]
    residual = lambda ps, ids: ps[0] ** 2 - 1.0  # noqa: E731
    jacobian = lambda ps, ids: (2 * ps[0]).unsqueeze(-1)  # noqa: E731
    steps = ImplicitSteps(1, scale=1.0, rtol=1e-3, every=7)
    steps.h[:] = 100.0
    new, r, ok = steps.attempt(
        0, w, residual(w, None), jacobian, residual, torch.tensor([1e-3]), torch.tensor([True])
    )
    assert not bool(ok[0]) and float(new[0]) == 3.0
    assert float(steps.h[0]) == 25.0 and int(steps.next[0]) == 7
    assert not bool(steps.due(3, torch.tensor([True]))[0]) and bool(steps.due(7, torch.tensor([True]))[0])


def test_off_when_rtol_is_none():
    steps = ImplicitSteps(2, scale=1.0, rtol=None)
    assert not bool(steps.due(0, torch.tensor([True, True])).any())
