"""The quantities a network's training records at each record step, one name each: the columns of its
history (``regimes.networks.ensemble`` records them, ``regimes.networks.train`` gathers them,
``regimes.networks.analyse`` tabulates them).  No torch here: the analysis depends on the names only."""

__all__ = ["HISTORY"]

HISTORY = (
    "train_loss",
    "train_acc",
    "test_loss",
    "test_acc",
    "val_loss",  # with a validation split only
    "val_acc",
    "kernel_distance",  # of the anchor's tangent kernel from the initial one
    "anchor_distance",  # from the previous record's
    "weight_change",  # ||w - w_0|| / ||w_0||
    "feature_updates",  # re-linearisations so far
)
