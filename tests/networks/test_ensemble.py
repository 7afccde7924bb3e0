"""The ensemble trainer against the same models trained one at a time.

What these catch: members that share anything (a minibatch order, an anchor schedule, a learning rate,
optimiser state, a gradient), a stacked layer wired wrongly (a transposed weight, convolution groups
mixing members), a linearised step that differs from the Taylor model's, a diverging member that
disturbs the others.
"""

import numpy as np
import pytest
import torch

from regimes.networks.architectures import build
from regimes.networks.ensemble import (
    Ensemble,
    Member,
    _loss_and_cotangent,
    dense,
    dense_gradients,
    linearised_gradients,
    member_losses,
    plateau,
    supports,
    train_ensemble,
)
from regimes.networks.linearise import loss_fn, train_iteratively_linearised


def _data(shape=(1, 40), n=96, n_test=48, classes=4, seed=0):
    gen = torch.Generator().manual_seed(seed)
    X = torch.randn(n + n_test, *shape, generator=gen).reshape(n + n_test, -1)
    y = (X[:, :4].sum(1) > 0).long() + 2 * (X[:, 4:8].sum(1) > 0).long()
    return {"X": X[:n], "y": y[:n] % classes, "X_test": X[n:], "y_test": y[n:] % classes}


SETTINGS = dict(steps=24, batch_size=16, record_every=8, probe_size=12)


@pytest.mark.parametrize("architecture", ["mlp", "plain-mlp", "cnn", "rf"])
@pytest.mark.parametrize(
    "optimiser,loss,momentum",
    [("sgd", "mse", 0.0), ("sgd", "ce", 0.9), ("adam", "mse", 0.0), ("adam", "ce", 0.0)],
)
def test_member_equals_the_model_trained_alone(architecture, optimiser, loss, momentum):
    data = _data()
    lr = 3e-3 if optimiser == "adam" else None
    members = [Member(0, 1, lr), Member(1, 4, lr), Member(2, "inf", lr), Member(3, 16, lr)]
    centre = architecture == "mlp"  # the plain MLP and rf: written-out gradients (dense_gradients)
    name = architecture.removeprefix("plain-")
    make = lambda m: build(name, (1, 40), 6, 3, 4, 0.7, m.seed, centre=centre)  # noqa: E731
    settings = dict(SETTINGS, optimiser=optimiser, loss=loss, momentum=momentum, step_scale=0.5)
    together = train_ensemble([make(m) for m in members], members, data, **settings)
    for i, m in enumerate(members):
        alone = train_iteratively_linearised(make(m), data, K=m.K, seed=m.seed, lr=m.lr, **settings)
        np.testing.assert_allclose(together["final_weights"][i], alone["final_weights"], atol=2e-6, rtol=1e-5)
        for key in ("train_loss", "test_acc", "kernel_distance", "weight_change"):
            np.testing.assert_allclose(together[key][i], alone[key], atol=1e-5, rtol=1e-4, err_msg=key)
        assert together["lr"][i] == pytest.approx(float(alone["lr"]), rel=1e-6)


def test_digits_shaped_cnn_members_do_not_mix():
    """Two-dimensional inputs: a grouped 2-D convolution, one member a different alpha."""
    data = _data(shape=(1, 8, 8), classes=3)
    members = [Member(0, 1), Member(1, 8)]
    models = [build("cnn", (1, 8, 8), 5, 3, 3, a, m.seed) for a, m in zip((0.5, 1.5), members)]
    together = train_ensemble(models, members, data, **SETTINGS)
    for i, m in enumerate(members):
        model = build("cnn", (1, 8, 8), 5, 3, 3, (0.5, 1.5)[i], m.seed)
        alone = train_iteratively_linearised(model, data, K=m.K, seed=m.seed, **SETTINGS)
        np.testing.assert_allclose(together["final_weights"][i], alone["final_weights"], atol=2e-6, rtol=1e-5)


@pytest.mark.parametrize("architecture", ["mlp", "cnn"])
def test_a_diverging_member_leaves_the_others_as_they_were(architecture):
    """The diverged member leaves the ensemble's computation; the others are bit for bit what they are
    without it where the layers are batched matrix products (an MLP), and to float32 rounding through a
    grouped convolution, whose algorithm may change with the number of groups."""
    data = _data()
    make = lambda seed: build(architecture, (1, 40), 8, 3, 4, 1.0, seed)  # noqa: E731
    calm = [Member(0, 1, 1e-2), Member(1, 4, 1e-2), Member(2, 1, 1e-2)]
    wild = [calm[0], Member(1, 4, 1e4), calm[2]]  # the middle member explodes
    a = train_ensemble([make(m.seed) for m in calm], calm, data, **SETTINGS)
    b = train_ensemble([make(m.seed) for m in wild], wild, data, **SETTINGS)
    assert b["diverged"].tolist() == [False, True, False]
    assert not a["diverged"].any()
    for i in (0, 2):
        if architecture == "mlp":
            assert np.array_equal(a["final_weights"][i], b["final_weights"][i])
            assert np.array_equal(a["test_acc"][i], b["test_acc"][i])
        else:
            np.testing.assert_allclose(a["final_weights"][i], b["final_weights"][i], rtol=1e-5, atol=1e-6)
    assert np.isnan(b["test_acc"][1, -1]) and not b["plateau"][1]
    assert not b["final_weights"][1].any()  # zeroed where it diverged


def _tanh_mlp(shape, width, depth, d_out):
    return torch.nn.Sequential(
        torch.nn.Flatten(),
        torch.nn.Linear(40, width),
        torch.nn.Tanh(),
        torch.nn.Linear(width, width),
        torch.nn.GELU(),
        torch.nn.Linear(width, d_out),
    )


def _avgpool_cnn(shape, width, depth, d_out):
    return torch.nn.Sequential(
        torch.nn.Unflatten(1, (1, 40)),
        torch.nn.Conv1d(1, width, 3, padding=1),
        torch.nn.ReLU(),
        torch.nn.AvgPool1d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(width * 20, d_out),
    )


@pytest.mark.parametrize("architecture", ["mlp", "cnn", "lenet", "rf", "tanh", "avgpool", "centred"])
def test_linearised_forward_is_the_taylor_model(architecture):
    """One pass: the primal is f(w_a) (the members' own networks), the tangent J(w_a) t (a central finite
    difference of f, and forward-mode AD), for every kind of layer the ensemble stacks."""
    torch.manual_seed(0)
    if architecture in ("tanh", "avgpool"):
        builder = _tanh_mlp if architecture == "tanh" else _avgpool_cnn
        models = []
        for s in range(3):
            torch.manual_seed(s)
            models.append(builder((1, 40), 6, 3, 4).double())
    else:
        name = "mlp" if architecture == "centred" else architecture
        # wide enough that no example switches every unit off (a later layer's input exactly at its kink)
        models = [
            build(name, (1, 40), 16, 3, 4, 1.0, s, dtype=torch.float64, centre=architecture == "centred")
            for s in range(3)
        ]
    ens = Ensemble(models)
    x = torch.randn(3, 5, 40, dtype=torch.float64)
    t = {k: torch.randn_like(v) for k, v in ens.trained.items()}
    primal, tangent = ens.linearised(ens.trained, t, x)
    h = 1e-8  # small: no ReLU kink between the two points
    up = ens.forward({k: v + h * t[k] for k, v in ens.trained.items()}, x)
    down = ens.forward({k: v - h * t[k] for k, v in ens.trained.items()}, x)
    np.testing.assert_allclose(tangent.detach(), (up - down) / (2 * h), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(
        tangent.detach(), ens.linearised_dual(ens.trained, t, x)[1].detach(), rtol=1e-10, atol=1e-12
    )
    for m, model in enumerate(models):
        np.testing.assert_allclose(primal[m].detach(), model(x[m]).detach(), rtol=1e-12, atol=1e-12)
    zero_primal, zero_tangent = ens.linearised(ens.trained, None, x)
    assert torch.equal(zero_primal, primal) and not zero_tangent.any()


@pytest.mark.parametrize("architecture", ["mlp", "rf"])
@pytest.mark.parametrize("loss", ["mse", "ce"])
@pytest.mark.parametrize("plain,zero_tangent", [(0, False), (2, False), (4, False), (0, True)])
def test_dense_gradients_are_the_autograd_ones(architecture, loss, plain, zero_tangent):
    """The written-out gradients of a stack of linear layers and ReLUs (``dense_gradients``) against
    autograd through the Taylor model (``linearised_gradients``), float64: a transposed weight, a mask
    taken at the wrong layer or on the wrong side of the kink, a bias gradient summed over the wrong
    axis, a frozen layer given a gradient, or a tangent dropped from members that carry one would
    each differ.  The first ``plain`` members' weights are their anchor's (K = 1), as in training."""
    torch.manual_seed(0)
    models = [build(architecture, (1, 40), 16, 4, 5, 1.0, s, dtype=torch.float64) for s in range(4)]
    ens = Ensemble(models)
    assert dense(ens)
    anchor = {k: v.clone() for k, v in ens.trained.items()}
    params = {k: v + 0.05 * torch.randn_like(v) for k, v in anchor.items()}
    for v, a in zip(params.values(), anchor.values()):
        v[: (4 if zero_tangent else plain)] = a[: (4 if zero_tangent else plain)]
    x = torch.randn(4, 9, 40, dtype=torch.float64)
    y = torch.randint(0, 5, (4, 9))
    loss_a, grads_a = linearised_gradients(ens, anchor, params, x, y, loss, zero_tangent=zero_tangent)
    loss_b, grads_b = dense_gradients(ens, anchor, params, x, y, loss, zero_tangent, plain)
    np.testing.assert_allclose(loss_b, loss_a, rtol=1e-12)
    assert list(grads_b) == list(grads_a) == list(ens.trained)
    for k in grads_a:
        np.testing.assert_allclose(grads_b[k], grads_a[k], rtol=1e-10, atol=1e-12, err_msg=k)


def test_only_plain_dense_stacks_take_the_written_out_gradients():
    """``dense``: linear layers and ReLUs after an optional Flatten, not centred; anything else goes
    through autograd."""
    assert dense(Ensemble([build("mlp", (1, 40), 6, 3, 4, 1.0, 0)]))
    assert dense(Ensemble([build("rf", (1, 40), 6, 3, 4, 1.0, 0)]))
    assert not dense(Ensemble([build("mlp", (1, 40), 6, 3, 4, 1.0, 0, centre=True)]))
    assert not dense(Ensemble([build("cnn", (1, 40), 6, 3, 4, 1.0, 0)]))
    torch.manual_seed(0)
    assert not dense(Ensemble([_tanh_mlp((1, 40), 6, 3, 4)]))


@pytest.mark.parametrize("kind", ["mse", "ce"])
def test_member_losses_match_the_single_model_loss(kind):
    out = torch.randn(3, 7, 5)
    y = torch.randint(0, 5, (3, 7))
    expected = torch.stack([loss_fn(kind)(out[m], y[m]) for m in range(3)])
    np.testing.assert_allclose(member_losses(kind, out, y), expected, rtol=1e-6)


@pytest.mark.parametrize("batch", [1, 7, 100, 128])
@pytest.mark.parametrize("kind", ["mse", "ce"])
def test_the_loss_cotangent_is_autograds_to_the_last_bit(kind, batch):
    # the squared loss's cotangent is written out: a wrong scale (1/B against 1/(B C)), sign or target
    # fails here, and so does any rounding that differs from autograd's (the runs' numbers would move)
    torch.manual_seed(batch)
    out = torch.randn(3, batch, 10)
    y = torch.randint(0, 10, (3, batch))
    leaf = out.clone().requires_grad_(True)
    expected_losses = member_losses(kind, leaf, y)
    (expected,) = torch.autograd.grad(expected_losses.sum(), leaf)
    losses, cotangent = _loss_and_cotangent(kind, out, y)
    assert torch.equal(losses, expected_losses.detach())
    assert torch.equal(cotangent, expected)


def test_unsupported_models_are_refused():
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 4), torch.nn.BatchNorm1d(4))
    assert not supports(model)
    with pytest.raises(ValueError, match="supported layers"):
        Ensemble([model])


def test_plateau_rule():
    steps = np.array([0, 50, 100])
    test_acc = np.array([[0.1, 0.80, 0.805], [0.1, 0.5, 0.7], [0.1, 0.5, np.nan], [0.1, 0.2, 0.5]])
    train_acc = np.array([[0.1, 0.9, 0.95], [0.1, 0.6, 0.8], [0.1, 0.6, np.nan], [0.1, 0.9, 1.0]])
    assert plateau(steps, test_acc, train_acc, 0.01).tolist() == [True, False, False, True]


def test_until_interpolation_stops_each_member_where_it_classifies_every_training_point():
    """A member that interpolates stops there, its records frozen; it leaves the ensemble's computation,
    and the member still training is bit for bit the same run alone.  What this would catch: a stopped
    member that goes on moving, its weights lost when it leaves, the others' rows mixed up as it leaves."""
    data = _data(n=24, n_test=24)
    members = [Member(0, 1, 3e-2), Member(1, 1, 1e-6)]  # the second barely moves: never interpolates
    settings = dict(
        steps=400,
        optimiser="adam",
        batch_size=None,
        loss="ce",
        record_every=20,
        probe_size=8,
        until_interpolation=True,
    )
    make = lambda m: build("mlp", (1, 40), 64, 2, 4, 1.0, m.seed)  # noqa: E731
    out = train_ensemble([make(m) for m in members], members, data, **settings)
    alone = train_ensemble([make(members[1])], members[1:], data, **settings)
    assert np.array_equal(out["final_weights"][1], alone["final_weights"][0])
    assert np.array_equal(out["train_loss"][1], alone["train_loss"][0])
    stopped = out["stopped"]
    assert stopped[0] < 400 and stopped[1] == 400
    hit = list(out["step"]).index(stopped[0])
    assert out["train_acc"][0, hit] == 1.0 and out["train_acc"][0, hit - 1] < 1.0
    # frozen from there on: its later records repeat the one where it stopped
    assert np.all(out["test_acc"][0, hit:] == out["test_acc"][0, hit])
    assert np.all(out["weight_change"][0, hit:] == out["weight_change"][0, hit])
    assert np.all(out["anchor_distance"][0, hit + 1 :] == 0.0)


def test_the_learning_rate_choice_prefers_options_whose_runs_interpolate_when_training_to_interpolation():
    from regimes.networks.train import choose_lr

    val = np.array([[0.90, 0.92], [0.85, 0.86], [np.nan, 0.99]])  # option 2 has a diverged seed
    train = np.array([[0.99, 1.0], [1.0, 1.0], [np.nan, 1.0]])
    assert choose_lr(val, train) == 0  # best mean validation accuracy; NaN counts as -inf
    assert choose_lr(val, train, until_interpolation=True) == 1  # the only option with every seed at 100 %
    assert (
        choose_lr(val, np.ones_like(val), until_interpolation=True) == 0
    )  # all interpolate: validation decides


def test_a_learning_rate_grid_is_chosen_per_cell_on_the_held_out_split():
    from regimes.grid import Cell
    from regimes.networks.train import train_network_batch

    d = _data(n=120, n_test=40)
    data = {
        "X": d["X"].numpy(),
        "y": d["y"].numpy(),
        "X_test": d["X_test"].numpy(),
        "y_test": d["y_test"].numpy(),
        "shape": (1, 40),
    }
    settings = dict(
        steps=30,
        optimiser="adam",
        lr=[1e-7, 3e-2],
        validation=0.25,
        batch_size=16,
        loss="ce",
        record_every=10,
        probe_size=8,
    )
    out = train_network_batch([Cell(1.0, 2, 16, 1), Cell(0.5, 2, 16, "inf")], data, "mlp", [0, 1], settings)
    for cell in out.values():
        assert cell["search_lr"].shape == (2, 2)
        best = int(np.argmax(cell["search_val_acc"].mean(axis=1)))
        assert int(cell["lr_option"]) == best and np.allclose(cell["lr"], cell["search_lr"][best])
        assert best == 1  # 1e-7 does not learn
        np.testing.assert_array_equal(cell["test_acc"][:, -1], cell["search_test_acc"][best])
    with pytest.raises(ValueError, match="validation"):
        train_network_batch([Cell(1.0, 2, 16, 1)], data, "mlp", [0], dict(settings, validation=0))


@pytest.mark.parametrize(
    "architecture,shape,width,depth,params",
    [
        ("lenet5", (3, 32, 32), 6, 5, 62006),
        ("lenet5", (1, 28, 28), 6, 5, 61706),
        ("vgg11", (3, 32, 32), 64, 9, 9222858),
    ],
)
def test_the_papers_networks_have_their_layouts_and_stack_like_the_models_alone(
    architecture, shape, width, depth, params
):
    """LeNet-5 on CIFAR-10 has its well-known 62 006 parameters; the VGG11-like net 8 bias-free
    convolutions and a linear head.  A stacked forward (two members of a narrow copy) equals each model's
    own."""
    model = build(architecture, shape, width, depth, 10, 1.0, 0)
    assert sum(p.numel() for p in model.parameters()) == params
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == (8 if architecture == "vgg11" else 2)
    assert all(c.bias is None for c in convs) == (architecture == "vgg11")
    narrow = [build(architecture, shape, 4, depth, 10, 1.0, s, dtype=torch.float64) for s in range(2)]
    ens = Ensemble(narrow)
    x = torch.randn(2, 3, int(np.prod(shape)), dtype=torch.float64)
    out = ens.forward(ens.trained, x)
    for m, net in enumerate(narrow):
        np.testing.assert_allclose(out[m].detach(), net(x[m]).detach(), rtol=1e-10, atol=1e-10)
    with pytest.raises(ValueError, match="depth must be"):
        build(architecture, shape, width, depth + 1, 10, 1.0, 0)


def test_he_uniform_initialisation_has_he_variance_and_the_uniform_bound():
    from regimes.networks.architectures import he_init

    layer = torch.nn.Linear(400, 300)
    he_init(layer, 2.0, torch.Generator().manual_seed(0), uniform=True)
    bound = 2.0 * np.sqrt(6 / 400)
    w = layer.weight.detach()
    assert float(w.abs().max()) <= bound and float(w.abs().max()) > 0.99 * bound
    assert float(w.var()) == pytest.approx(4.0 * 2 / 400, rel=0.02)  # alpha^2 * 2 / fan_in, as He-normal
    assert build("vgg11_rf", (3, 32, 32), 8, 9, 10, 1.0, 0)[-1].weight.requires_grad
    assert not any(
        p.requires_grad for p in build("vgg11_rf", (3, 32, 32), 8, 9, 10, 1.0, 0)[:-1].parameters()
    )


def test_round_move_and_relinearise_jump_against_a_direct_computation():
    """What a round does, measured by the trainer, against the same quantities computed here from the
    model trained alone (``train_iteratively_linearised``) and its Taylor model taken by ``jvp``.  Catches
    a move measured from the wrong point (the initial weights, the previous record), a jump taken after
    the anchor moved (always 0) or on other points, rounds miscounted or the sampling rule misapplied."""
    from torch.func import functional_call, jvp

    data = _data()
    settings = dict(steps=8, batch_size=16, record_every=4, probe_size=12, step_scale=2.0)
    members = [Member(0, 4), Member(1, 1), Member(2, "inf")]
    make = lambda m: build("mlp", (1, 40), 6, 3, 4, 1.0, m.seed)  # noqa: E731
    together = train_ensemble([make(m) for m in members], members, data, jump_every=4, **settings)
    m = members[0]
    flat = lambda weights: torch.as_tensor(weights, dtype=torch.float64)  # noqa: E731
    model = make(m)
    w = [torch.cat([p.detach().reshape(-1).double() for p in model.parameters()])]
    for steps in (4, 8):
        alone = train_iteratively_linearised(make(m), data, K=4, seed=m.seed, **dict(settings, steps=steps))
        w.append(flat(alone["final_weights"]))
    moves = [float((b - a).norm() / a.norm()) for a, b in zip(w, w[1:])]
    assert together["rounds"][0] == 2
    assert together["round_move"][0] == pytest.approx(np.mean(moves), rel=1e-4)
    assert together["round_move_max"][0] == pytest.approx(max(moves), rel=1e-4)

    # the jump at the end of each round: network minus Taylor model around its start, at its end
    gen = torch.Generator().manual_seed(m.seed + 7919)
    chosen = torch.randperm(len(data["y"]), generator=gen)[:12]
    x, y = data["X"][chosen], data["y"][chosen]
    names = [k for k, _ in model.named_parameters()]
    shapes = [p.shape for _, p in model.named_parameters()]

    def unflat(v):
        out, at = {}, 0
        for k, s in zip(names, shapes):
            out[k] = v[at : at + s.numel()].reshape(s).float()
            at += s.numel()
        return out

    f = lambda p: functional_call(model, p, (x,))  # noqa: E731
    jumps = []
    for start, end in ((unflat(w[0]), unflat(w[1])), (unflat(w[1]), unflat(w[2]))):
        primal, tangent = jvp(f, (start,), ({k: end[k] - start[k] for k in names},))
        jumps.append(float(loss_fn("mse")(f(end), y) - loss_fn("mse")(primal + tangent, y)))
    assert min(abs(j) for j in jumps) > 1e-5  # the rounds did leave their Taylor models measurably
    assert together["relinearise_jump"][0] == pytest.approx(np.mean(jumps), rel=1e-3, abs=1e-7)
    assert together["relinearise_jump_max"][0] == pytest.approx(max(jumps), rel=1e-3, abs=1e-7)

    # K = 1: 8 rounds, moves and jumps measured only at the rounds ending at steps 4 and 8 (jump_every)
    assert together["rounds"][1] == 8 and np.isfinite(together["relinearise_jump"][1])
    one = members[1]
    at = {
        steps: flat(
            train_iteratively_linearised(make(one), data, K=1, seed=one.seed, **dict(settings, steps=steps))[
                "final_weights"
            ]
        )
        for steps in (3, 4, 7, 8)
    }
    sampled = [float((at[b] - at[a]).norm() / at[a].norm()) for a, b in ((3, 4), (7, 8))]
    assert together["round_move"][1] == pytest.approx(np.mean(sampled), rel=1e-3)
    assert together["round_move_max"][1] == pytest.approx(max(sampled), rel=1e-3)
    # K = inf: no round
    assert together["rounds"][2] == 0 and np.isnan(together["round_move"][2])
    assert np.isnan(together["relinearise_jump"][2])


def test_K_inf_trained_to_convergence_is_kernel_regression_with_the_initial_tangent_kernel():
    """A check of the code (Goldwaser & Ge's K = inf is the fixed tangent kernel by definition): gradient
    descent on the squared loss of the Taylor model at the initial weights converges, from ``w_0``, to
    the interpolant closest to ``w_0``: ``w_0 + J^T (J J^T)^{-1} (Y - f_0(X))`` with ``J`` the Jacobian of
    every output at every training point, whose test predictions are kernel regression with the initial
    per-output tangent kernel ``J(x) J^T``.  Catches an anchor that moves at K = inf, a gradient of the
    wrong model or scale, a loss not the squared loss, an evaluation of the network instead of the Taylor
    model."""
    from torch.func import functional_call, jacrev

    torch.manual_seed(0)
    n, n_test, classes = 6, 20, 3
    X = torch.randn(n + n_test, 5)
    y = torch.arange(n + n_test) % classes
    data = {"X": X[:n], "y": y[:n], "X_test": X[n:], "y_test": y[n:]}
    make = lambda: build("mlp", (1, 5), 16, 2, classes, 1.0, 3)  # noqa: E731
    members = [Member(3, "inf")]
    trained = train_ensemble(
        [make()],
        members,
        data,
        steps=4000,
        optimiser="sgd",
        loss="mse",
        step_scale=1.0,
        probe_size=n,
        record_every=4000,
    )
    model = make()
    names = [k for k, _ in model.named_parameters()]
    w0 = {k: p.detach().double() for k, p in model.named_parameters()}
    model = model.double()

    def jacobian(x):  # (points * classes, parameters)
        jac = jacrev(lambda p: functional_call(model, p, (x,)))(w0)
        return torch.cat([jac[k].reshape(x.shape[0] * classes, -1) for k in names], dim=1)

    f0 = lambda x: functional_call(model, w0, (x,)).reshape(-1)  # noqa: E731
    Xd, Xt = data["X"].double(), data["X_test"].double()
    J = jacobian(Xd)
    residual = torch.nn.functional.one_hot(data["y"], classes).double().reshape(-1) - f0(Xd)
    step = J.T @ torch.linalg.solve(J @ J.T, residual)  # the interpolant closest to w_0
    w_limit = torch.cat([w0[k].reshape(-1) for k in names]) + step
    np.testing.assert_allclose(trained["final_weights"][0], w_limit.numpy(), atol=2e-4)
    # and the test loss the trainer reports is that of kernel regression with the initial tangent kernel
    predictions = f0(Xt) + jacobian(Xt) @ step
    expected = loss_fn("mse")(predictions.reshape(-1, classes), data["y_test"])
    assert trained["train_loss"][0, -1] < 1e-6
    assert trained["test_loss"][0, -1] == pytest.approx(float(expected), rel=1e-3)
