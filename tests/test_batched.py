"""The driver every trainer runs on (``regimes.batched``) and the pieces it shares."""

import math

import numpy as np
import pytest
import torch

from regimes.batched import Runs, Trained, is_diverged, power_step
from regimes.kernels import kernel_distance


def test_power_step_finds_each_runs_top_eigenvalue():
    """Warm power iteration on a batch of PSD matrices converges to each one's largest eigenvalue
    (what would catch a normalisation over the wrong axis, which mixes the runs)."""
    g = torch.Generator().manual_seed(0)
    B = torch.randn(3, 6, 6, generator=g, dtype=torch.float64)
    A = B @ B.transpose(1, 2) * torch.tensor([1.0, 10.0, 1e-3], dtype=torch.float64)[:, None, None]
    v = torch.full((3, 6), 6**-0.5, dtype=torch.float64)
    for _ in range(500):
        lam, v = power_step(lambda u: torch.einsum("rij,rj->ri", A, u), v)
    np.testing.assert_allclose(lam.numpy(), torch.linalg.eigvalsh(A)[:, -1].numpy(), rtol=1e-8)
    np.testing.assert_allclose(v.norm(dim=1).numpy(), 1.0)


def test_power_step_on_one_vector_and_on_zero():
    A = torch.diag(torch.tensor([3.0, 1.0], dtype=torch.float64))
    lam, v = power_step(lambda u: A @ u, torch.tensor([1.0, 1.0], dtype=torch.float64))
    assert float(lam) == math.sqrt(10.0) and v.shape == (2,)
    lam, v = power_step(lambda u: 0 * u, torch.ones(2, 4, dtype=torch.float64))
    assert (lam == 0).all() and torch.isfinite(v).all()  # no division by zero


def test_divergence_is_a_non_finite_loss_or_a_huge_rise():
    loss = torch.tensor([0.5, math.inf, math.nan, 2e6, 1e6])
    assert is_diverged(loss, torch.ones(5)).tolist() == [False, True, True, True, False]
    assert is_diverged(float("nan"), 1.0) and is_diverged(2e6, 1.0) and not is_diverged(0.1, 1.0)


def test_kernel_distance_takes_arrays_and_tensors_alike():
    g = np.random.default_rng(0)
    a = g.standard_normal((5, 5))
    a, b = a @ a.T, np.eye(5)
    direct = 1 - np.sum(a * b) / (np.linalg.norm(a) * np.linalg.norm(b))
    assert kernel_distance(torch.tensor(a), torch.tensor(b)) == kernel_distance(a, b)
    assert abs(kernel_distance(a, b) - direct) < 1e-12
    assert kernel_distance(a, 3 * a) < 1e-15 and 0 <= kernel_distance(a, -a) <= 1


def test_runs_stop_on_the_relative_rule_or_divergence_and_count_only_live_steps():
    """Would catch: a run stopped on the wrong side of ``tol``, a diverged run counted as converged, a
    finished run still counting steps or flow time (the zero-step convention of a masked trainer), or an
    inactive run's loss overwritten by a later step's."""
    runs = Runs(4, tol=0.1)
    runs.observe(torch.tensor([1.0, 2.0, 4.0, 1.0], dtype=torch.float64))
    assert runs.all() and runs.steps.tolist() == [0] * 4
    runs.advance(torch.full((4,), 0.5, dtype=torch.float64))
    finished = runs.observe(torch.tensor([0.1, 0.21, math.nan, 2e6], dtype=torch.float64))
    assert finished.tolist() == [True, False, True, True]
    assert runs.converged.tolist() == [True, False, False, False]
    assert runs.diverged.tolist() == [False, False, True, True]
    runs.advance(torch.full((4,), 0.25, dtype=torch.float64))
    assert runs.steps.tolist() == [1, 2, 1, 1]
    assert runs.flow_time.tolist() == [0.5, 0.75, 0.5, 0.5]
    runs.observe(torch.tensor([7.0, 0.2, 7.0, 7.0], dtype=torch.float64))  # only run 1 is read
    assert runs.loss[0] == 0.1 and runs.converged.tolist() == [True, True, False, False]
    assert not runs.any()


def test_runs_of_a_compacted_batch_read_and_write_by_index():
    """A trainer that computes on the runs still training passes their values with ``ids``: the same
    bookkeeping as a full-length call (what would catch values written to the wrong runs)."""
    full, compact = Runs(3, atol=1e-3), Runs(3, atol=1e-3)
    first = torch.tensor([1.0, 1.0, 1.0], dtype=torch.float64)
    full.observe(first), compact.observe(first)
    full.observe(torch.tensor([1.0, 1e-4, 0.5], dtype=torch.float64))
    compact.observe(torch.tensor([1.0, 1e-4, 0.5], dtype=torch.float64), torch.arange(3))
    full.advance(torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64))
    compact.advance(torch.tensor([0.1, 0.3], dtype=torch.float64), compact.ids)
    for a, b in ((full.steps, compact.steps), (full.flow_time, compact.flow_time), (full.loss, compact.loss)):
        assert torch.equal(a, b)
    assert full.ids.tolist() == [0, 2] and full.converged.tolist() == [False, True, False]


def test_runs_have_one_stopping_rule_a_family_stop_and_one_result_type():
    with pytest.raises(ValueError, match="tol .* or atol"):
        Runs(2, tol=1e-3, atol=1e-3)
    with pytest.raises(ValueError, match="every run"):
        Runs(2, tol=1e-3).observe(torch.ones(1), torch.tensor([0]))
    runs = Runs(3)  # no loss rule: a fixed budget; a family's own rule ends runs
    runs.observe(torch.ones(3))
    runs.stop(torch.tensor([True, False, False]), converged=True)
    runs.stop(torch.tensor([2]))
    runs.advance()
    result = runs.result(train_loss=np.zeros((3, 2)), extra=torch.arange(3))
    assert isinstance(result, Trained) and result.steps.tolist() == [0, 1, 0]
    assert result.converged.tolist() == [True, False, False] and result["extra"].tolist() == [0, 1, 2]
    assert result.train_loss.shape == (3, 2)  # the family's own array wins over the driver's last loss
    assert "flow_time" not in result  # no step carried a size
    assert isinstance(result.seconds, float)
    with pytest.raises(AttributeError):
        _ = result.nothing
