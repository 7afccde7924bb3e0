"""The ensemble's stacked minibatch order is each member's own (``linearise.minibatches``, a run alone)
row by row: a member trained in an ensemble sees the batches it would see alone; and a run's batches are
its seed's reshuffled epochs with the incomplete tail dropped.  Would catch a generator shared across
rows, a row permutation, or an epoch boundary off by one."""

import itertools

import torch

from regimes.networks.linearise import minibatches, stacked_minibatches


def test_stacked_rows_are_each_seeds_own_order():
    seeds = [3, 0, 11]
    n, batch = 23, 5  # 4 batches an epoch, a 3-point tail dropped
    stacked = list(itertools.islice(stacked_minibatches(n, batch, seeds, "cpu"), 10))
    for row, seed in enumerate(seeds):
        alone = list(itertools.islice(minibatches(n, batch, seed), 10))
        for a, b in zip(stacked, alone):
            assert torch.equal(a[row], b)


def test_full_batch_is_none():
    assert next(stacked_minibatches(10, None, [0, 1], "cpu")) is None
    assert next(stacked_minibatches(10, 10, [0, 1], "cpu")) is None


def test_a_runs_batches_are_its_seeds_epochs_without_the_tail():
    n, batch, seed = 23, 5, 7
    gen = torch.Generator().manual_seed(seed)
    epochs = [torch.randperm(n, generator=gen) for _ in range(3)]
    expected = [e[start : start + batch] for e in epochs for start in range(0, 20, batch)]
    got = list(itertools.islice(minibatches(n, batch, seed), len(expected)))
    for a, b in zip(got, expected):
        assert torch.equal(a, b)
