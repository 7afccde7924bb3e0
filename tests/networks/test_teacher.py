"""Students of the circle teacher (Woodworth et al. fig. 6), trained as one stack: the hand-written
products against autograd, the Jacobian distance against a direct computation, the kernel limit
against the generic one, a member of the stack against the same run alone, and the paper's step."""

import math

import numpy as np
import pytest
import torch
from torch.func import jvp, vjp

from regimes.networks.data import circle_teacher
from regimes.networks.exact import kernel_prediction
from regimes.networks.teacher import (
    _passes,
    _pullback,
    _pushforward,
    init_students,
    jacobian_distance,
    kernel_limit,
    student_forward,
    student_jacobian,
    train_students,
)


def _module(params, member):
    """Member ``member`` of a stack as a torch.nn.Module (Linear layers, weights transposed)."""
    layers = []
    for i in range(len(params) // 2):
        W, b = params[2 * i][member], params[2 * i + 1][member]
        linear = torch.nn.Linear(W.shape[0], W.shape[1]).to(torch.float64)
        with torch.no_grad():
            linear.weight.copy_(W.T)
            linear.bias.copy_(b)
        layers += [linear, torch.nn.ReLU()]
    return torch.nn.Sequential(*layers[:-1])


def test_init_is_he_uniform_times_alpha_and_paired_by_seed():
    params = init_students(2, 30, 3, [0.5, 2.0, 0.5], [7, 7, 8])
    bound = math.sqrt(6.0 / 30)  # the hidden layer's fan-in
    W = params[2]
    assert float(W[0].abs().max()) <= 0.5 * bound and float(W[0].abs().max()) > 0.4 * bound
    torch.testing.assert_close(params[0][1], 4.0 * params[0][0])  # same seed: same draw, scaled by alpha
    assert not torch.equal(params[0][2], params[0][0])  # another seed: another draw
    assert all(float(b.abs().max()) == 0.0 for b in params[1::2])


@pytest.mark.parametrize("shared", [True, False])
def test_hand_written_products_equal_autograd(shared):
    # Catches a missing ReLU mask, a transposed weight or a lost bias in the training loop's gradient
    # and in the curvature estimate.
    params = init_students(2, 7, 4, [0.5, 1.3, 2.0], [0, 1, 2])
    gen = torch.Generator().manual_seed(0)
    X = torch.randn((5, 2) if shared else (3, 5, 2), generator=gen, dtype=torch.float64)
    out, inputs, pre = _passes(params, X)
    g = torch.randn(3, 5, generator=gen, dtype=torch.float64)
    reference_out, pullback = vjp(lambda *p: student_forward(list(p), X), *params)
    torch.testing.assert_close(out, reference_out)
    for mine, theirs in zip(_pullback(params, inputs, pre, g), pullback(g)):
        torch.testing.assert_close(mine, theirs)
    tangent = [torch.randn(p.shape, generator=gen, dtype=torch.float64) for p in params]
    _, reference = jvp(lambda *p: student_forward(list(p), X), tuple(params), tuple(tangent))
    torch.testing.assert_close(_pushforward(params, inputs, pre, tangent), reference)


def test_jacobian_and_its_cosine_distance_against_a_direct_computation():
    params = init_students(2, 5, 3, [1.0, 0.7], [0, 1])
    X = torch.randn(4, 2, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    J = student_jacobian(params, X)
    for m in range(2):  # autograd, point by point, on the member as an ordinary module
        model = _module(params, m)
        for i in range(4):
            model.zero_grad()
            model(X[i : i + 1]).sum().backward()
            direct = torch.cat(
                [
                    torch.cat([lin.weight.grad.T.flatten(), lin.bias.grad])
                    for lin in model
                    if isinstance(lin, torch.nn.Linear)
                ]
            )
            torch.testing.assert_close(J[m, i], direct)
    a, b = J[0].flatten().numpy(), J[1].flatten().numpy()
    expected = 1 - a @ b / (np.linalg.norm(a) * np.linalg.norm(b))
    assert jacobian_distance(J[:1], J[1:])[0] == pytest.approx(expected, rel=1e-12)
    assert jacobian_distance(J, 3.0 * J) == pytest.approx([0.0, 0.0], abs=1e-12)  # scale-free


def test_kernel_limit_equals_the_generic_kernel_regime_limit():
    data = circle_teacher(6, 40, 3, seed=2)
    params = init_students(2, 8, 3, [1.5], [4])
    X, Xt = torch.as_tensor(data["X"])[None], torch.as_tensor(data["X_test"])[None]
    mine = kernel_limit(params, X, data["y"][None], Xt)[0]
    theirs = kernel_prediction(_module(params, 0), data["X"], data["y"], data["X_test"])
    np.testing.assert_allclose(mine, theirs, rtol=1e-8, atol=1e-10)
    fitted = kernel_limit(params, X, data["y"][None], X)[0]
    np.testing.assert_allclose(fitted, data["y"], atol=1e-8)  # it interpolates


def _stack(seeds, n=10):
    sets = [circle_teacher(n, 100, 3, seed=s) for s in seeds]
    return {k: np.stack([d[k] for d in sets]) for k in ("X", "y", "X_test", "y_test")}


def test_a_member_of_the_stack_equals_the_same_run_alone():
    data = _stack([0, 1, 2])
    settings = dict(lr=0.01, atol=1e-6, max_steps=400)
    stack = train_students(
        data["X"], data["y"], [0.3, 1.0, 2.0], [0, 1, 2], 3, 12, X_test=data["X_test"], **settings
    )
    alone = train_students(
        data["X"][1:2], data["y"][1:2], [1.0], [1], 3, 12, X_test=data["X_test"][1:2], **settings
    )
    np.testing.assert_allclose(
        stack["test_prediction"][1], alone["test_prediction"][0], rtol=1e-12, atol=1e-12
    )
    assert stack["steps"][1] == alone["steps"][0] and stack["train_loss"][1] == pytest.approx(
        alone["train_loss"][0], rel=1e-12
    )


@pytest.mark.parametrize("rtol", [None, 1e-2])
def test_runs_that_stop_leave_the_stack_and_every_member_equals_its_run_alone(rtol):
    # Members stop at different steps (the stack then computes on the others alone): each member's
    # results equal its run alone, the implicit steps' state included. Would catch a stopped run's
    # weights lost or overwritten, a survivor's state (step, curvature, h) read from the wrong row.
    data = _stack([0, 1, 2])
    settings = dict(lr=0.01, atol=3e-3, max_steps=1500, rtol=rtol)
    alphas = [0.3, 1.0, 2.0]
    data["X_test"] = np.concatenate([data["X"], data["X_test"]], axis=1)  # the training points first
    stack = train_students(data["X"], data["y"], alphas, [0, 1, 2], 2, 12, X_test=data["X_test"], **settings)
    assert len(set(stack["steps"].tolist())) > 1 and stack["converged"].any()  # they did stop apart
    n = data["X"].shape[1]  # the final weights are those whose loss stopped the run
    fit = ((stack["test_prediction"][:, :n] - data["y"]) ** 2).sum(1)
    np.testing.assert_allclose(fit, stack["train_loss"], rtol=1e-10)
    for m in range(3):
        alone = train_students(
            data["X"][m : m + 1],
            data["y"][m : m + 1],
            [alphas[m]],
            [m],
            2,
            12,
            X_test=data["X_test"][m : m + 1],
            **settings,
        )
        assert stack["steps"][m] == alone["steps"][0]
        for key in ("test_prediction", "halfway_prediction", "train_loss", "jacobian_distance"):
            np.testing.assert_allclose(stack[key][m], alone[key][0], rtol=1e-12, atol=1e-12, err_msg=key)
        for key in ("implicit_steps", "capped", "converged", "kinks"):
            assert stack[key][m] == alone[key][0], key


def test_gradient_descent_at_the_paper_step_is_plain_gradient_descent():
    # Two steps of w <- w - 0.01 grad sum (f - y)^2 by autograd on an ordinary module.
    data = _stack([5], n=4)
    run = train_students(
        data["X"], data["y"], [0.5], [5], 2, 6, lr=0.01, max_steps=2, atol=1e-30, X_test=data["X_test"]
    )
    assert not run["capped"][0]
    model = _module(init_students(2, 6, 2, [0.5], [5]), 0)
    X, y = torch.as_tensor(data["X"][0]), torch.as_tensor(data["y"][0])
    for _ in range(2):
        model.zero_grad()
        ((model(X).squeeze(-1) - y) ** 2).sum().backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= 0.01 * p.grad
    with torch.no_grad():
        expected = model(torch.as_tensor(data["X_test"][0])).squeeze(-1).numpy()
    np.testing.assert_allclose(run["test_prediction"][0], expected, rtol=1e-12, atol=1e-12)


def test_a_step_that_would_diverge_is_capped_and_the_run_still_fits():
    data = _stack([0])
    run = train_students(
        data["X"],
        data["y"],
        [3.0],
        [0],
        3,
        30,
        lr=0.01,
        max_steps=3000,
        atol=1e-6,
        X_test=data["X_test"],
    )
    assert run["capped"][0] and not run["diverged"][0]
    assert run["train_loss"][0] < 0.1  # from about 10 x 27^2: the initial function is alpha^3 times larger


def test_circle_points_are_iid_on_the_circle_with_unit_rms_test_labels():
    a, b = circle_teacher(10, 1000, 3, seed=0), circle_teacher(10, 1000, 3, seed=1)
    assert np.allclose(np.linalg.norm(a["X"], axis=1), 1.0) and np.allclose(
        np.linalg.norm(a["X_test"], axis=1), 1.0
    )
    assert np.sqrt(np.mean(a["y_test"] ** 2)) == pytest.approx(1.0)
    gaps = np.diff(np.sort(np.arctan2(a["X"][:, 1], a["X"][:, 0])))
    assert gaps.std() > 0.1  # not evenly spaced
    assert not np.allclose(a["X"], b["X"])


def test_torch_init_is_pytorchs_linear_default_times_alpha():
    """``init="torch"``: weights and biases ``U(+-alpha / sqrt(fan_in))``, the bounds of
    ``torch.nn.Linear``'s own initialisation (the reading of fig. 6 measured in docs/teacher_readings.md)."""
    params = init_students(2, 400, 2, [2.0], [3], init="torch")
    for W, b in zip(params[0::2], params[1::2]):
        bound = 2.0 / math.sqrt(W.shape[1])
        assert bound * 0.97 < float(W.abs().max()) <= bound and float(b.abs().max()) <= bound
    assert float(params[1].abs().max()) > 0.97 * 2.0 / math.sqrt(2)  # 400 biases of the first layer
    with pytest.raises(ValueError, match="init must be one of"):
        init_students(2, 4, 2, [1.0], [0], init="xavier")


def test_implicit_steps_land_on_the_kernel_limit_at_the_lazy_end():
    """Centred students at alpha^2 = 100 (lazy): with linearly implicit steps (regimes.flow) a run meets
    the paper's 1e-9 in far fewer steps than gradient descent at the paper's step, and its function is the
    kernel-regime limit (the model linearised at initialisation, trained to convergence); would catch an
    implicit step that is not the flow's or one taken where the linearisation failed."""
    data = _stack([0, 1])
    kw = dict(centre=True, lr=0.01, atol=1e-9, max_steps=4000, X_test=data["X_test"])
    gd = train_students(data["X"], data["y"], [10.0, 10.0], [0, 1], 2, 30, **kw)
    run = train_students(data["X"], data["y"], [10.0, 10.0], [0, 1], 2, 30, rtol=1e-3, **kw)
    assert run.converged.all() and (run.implicit_steps > 0).all() and (run.steps < gd.steps / 4).all()
    gap = np.sqrt(((run.test_prediction - run.kernel_prediction) ** 2).mean(1))
    assert gap.max() < 1e-3


def test_why_a_run_is_slow_counts_kinks_on_training_points():
    """A unit whose pre-activation is zero at a training point is a kink on it; the projected steps are
    ``log(loss / atol) / (lr * lambda_min)`` and 0 once the rule is met."""
    from regimes.networks.teacher import _why_slow

    params = init_students(2, 6, 2, [1.0], [0])
    X = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]]], dtype=torch.float64)
    params[0][0, :, 0] = torch.tensor([0.0, 1.0])  # unit 0: zero pre-activation at the first point
    out = _why_slow(params, X, torch.tensor([1e-3], dtype=torch.float64), 1e-9, 0.01)
    assert int(out["kinks"][0]) >= 1
    J = student_jacobian(params, X)[0]
    lam = 2 * float(torch.linalg.eigvalsh(J @ J.T)[0])
    assert float(out["kernel_min_eig"][0]) == pytest.approx(lam)
    assert float(out["projected_steps"][0]) == pytest.approx(math.log(1e6) / (0.01 * lam))
    met = _why_slow(params, X, torch.tensor([1e-10], dtype=torch.float64), 1e-9, 0.01)
    assert float(met["projected_steps"][0]) == 0.0
