"""The trainers on CUDA agree with the CPU (skipped where no GPU is present)."""

import numpy as np
import pytest
import torch

from regimes.diagonal.train import train_diagonal
from regimes.networks.architectures import build
from regimes.networks.linearise import train_iteratively_linearised

from .conftest import small_problem

pytestmark = [
    pytest.mark.gpu,
    pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device on this machine"),
]


def test_diagonal_trainer_on_cuda_matches_cpu():
    data = [small_problem(seed=s) for s in (0, 1)]
    X, y = np.stack([d["X"] for d in data]), np.stack([d["y"] for d in data])
    cpu = train_diagonal(X, y, 0.05, 3, device="cpu")
    gpu = train_diagonal(X, y, 0.05, 3, device="cuda")
    assert gpu.converged.all()
    np.testing.assert_allclose(gpu.beta, cpu.beta, rtol=1e-6, atol=1e-9)


def test_mirror_integrator_on_cuda_matches_cpu():
    data = [small_problem(seed=s) for s in (0, 1)]
    X, y = np.stack([d["X"] for d in data]), np.stack([d["y"] for d in data])
    alphas, group = np.array([0.05, 1.0] * 2), np.repeat([0, 1], 2)
    cpu = train_diagonal(X, y, alphas, 3, integrator="mirror", group=group, device="cpu")
    gpu = train_diagonal(X, y, alphas, 3, integrator="mirror", group=group, device="cuda")
    assert gpu.converged.all()
    np.testing.assert_allclose(gpu.beta, cpu.beta, rtol=1e-6, atol=1e-9)


def test_linearised_trainer_on_cuda_matches_cpu():
    g = torch.Generator().manual_seed(0)
    data = {
        "X": torch.randn(64, 6, generator=g, dtype=torch.float64),
        "y": torch.randint(0, 3, (64,), generator=g),
    }
    data.update(X_test=data["X"][:16], y_test=data["y"][:16])
    runs = {}
    for device in ("cpu", "cuda"):
        model = build("mlp", (6,), 16, 3, 3, alpha=1.0, seed=0, dtype=torch.float64).to(device)
        moved = {k: v.to(device) for k, v in data.items()}
        runs[device] = train_iteratively_linearised(
            model, moved, K=4, steps=20, lr=0.05, batch_size=16, record_every=10, probe_size=8
        )
    np.testing.assert_allclose(
        runs["cuda"]["final_weights"], runs["cpu"]["final_weights"], rtol=1e-8, atol=1e-10
    )


def test_matrix_trainer_on_cuda_matches_cpu():
    from regimes.matrix.factorised import train_factorised
    from regimes.matrix.problems import completion_problem

    p = completion_problem(6, 1, 20, seed=0)
    runs = {
        device: train_factorised(p["A"][None], p["y"][None], 0.01, 2, 6, [0], device=device, max_steps=2000)
        for device in ("cpu", "cuda")
    }
    assert runs["cuda"].converged.all()
    np.testing.assert_allclose(runs["cuda"].M, runs["cpu"].M, rtol=1e-6, atol=1e-9)


def test_univariate_trainer_on_cuda_matches_cpu():
    from regimes.networks.data import univariate_points
    from regimes.networks.univariate import train_univariate

    data = univariate_points(9, 0, points="plateau")
    x, y, grid = (np.stack([d] * 3) for d in (data["X"][:, 0], data["y"], data["X_test"][::10, 0]))
    runs = {
        device: train_univariate(
            x, y, [0.1, 1.0, 3.0], [0, 1, 2], 500, balance=0.25, grid=grid, max_steps=300, device=device
        )
        for device in ("cpu", "cuda")
    }
    np.testing.assert_allclose(runs["cuda"]["prediction"], runs["cpu"]["prediction"], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(
        runs["cuda"]["kernel_prediction"], runs["cpu"]["kernel_prediction"], rtol=1e-6, atol=1e-9
    )
    assert np.array_equal(runs["cuda"]["steps"], runs["cpu"]["steps"])


@pytest.mark.parametrize(
    "architecture,shape,width,depth",
    [
        ("mlp", (1, 40), 6, 3),
        ("cnn", (1, 40), 6, 3),
        ("lenet5", (3, 32, 32), 2, 5),
        ("vgg11", (3, 32, 32), 4, 9),
    ],
)
def test_ensemble_trainer_on_cuda_matches_cpu(architecture, shape, width, depth):
    """Every member, SGD with momentum and Adam, in float64: the same numbers on the GPU (the paper
    tier's LeNet-5 and VGG11-like net among them)."""
    from regimes.networks.ensemble import Member, train_ensemble

    g = torch.Generator().manual_seed(0)
    X = torch.randn(64, int(np.prod(shape)), generator=g, dtype=torch.float64)
    y = torch.randint(0, 3, (64,), generator=g)
    members = [Member(0, 1), Member(1, 4), Member(2, "inf")]
    for optimiser in ("sgd", "adam"):
        runs = {}
        for device in ("cpu", "cuda"):
            data = {
                "X": X.to(device),
                "y": y.to(device),
                "X_test": X[:16].to(device),
                "y_test": y[:16].to(device),
            }
            models = [
                build(architecture, shape, width, depth, 3, 1.0, m.seed, dtype=torch.float64).to(device)
                for m in members
            ]
            runs[device] = train_ensemble(
                models,
                members,
                data,
                steps=20,
                optimiser=optimiser,
                momentum=0.9 if optimiser == "sgd" else 0.0,
                batch_size=16,
                record_every=10,
                probe_size=8,
                step_scale=0.5,
            )
        np.testing.assert_allclose(
            runs["cuda"]["final_weights"], runs["cpu"]["final_weights"], rtol=1e-8, atol=1e-10
        )
