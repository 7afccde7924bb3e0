"""The ensemble's stacked minibatch order is each member's own (``linearise.minibatches``) row by row:
a member trained in an ensemble sees the batches it would see alone.  Would catch a shared generator,
a row permutation or an epoch boundary off by one."""

import itertools

import torch

from regimes.networks.ensemble import _stacked_minibatches
from regimes.networks.linearise import minibatches


def test_stacked_rows_are_each_seeds_own_order():
    seeds = [3, 0, 11]
    n, batch = 23, 5  # 4 batches an epoch, a 3-point tail dropped
    stacked = list(itertools.islice(_stacked_minibatches(n, batch, seeds, "cpu"), 10))
    for row, seed in enumerate(seeds):
        alone = list(itertools.islice(minibatches(n, batch, seed), 10))
        for a, b in zip(stacked, alone):
            assert torch.equal(a[row], b)


def test_full_batch_is_none():
    assert next(_stacked_minibatches(10, None, [0, 1], "cpu")) is None
    assert next(_stacked_minibatches(10, 10, [0, 1], "cpu")) is None
