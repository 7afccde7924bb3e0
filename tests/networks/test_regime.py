"""The training regime of a K axis in words (``regimes.networks.regime``): what the tables and claims
print, and whether a row is the paper's regime or a labelled variant."""

import pandas as pd
import pytest

from regimes.networks.regime import describe, in_paper_regime


@pytest.mark.parametrize(
    "columns, words, paper",
    [
        ({"optimiser": "sgd", "loss": "mse", "momentum": 0.0, "batch_size": 100}, "SGD, squared loss", True),
        ({"optimiser": "sgd", "loss": "mse", "momentum": 0.0, "batch_size": 0}, "GD, squared loss", True),
        ({"optimiser": "sgd", "loss": "mse", "momentum": 0.0}, "SGD, squared loss", True),  # older tables
        (
            {"optimiser": "adam", "loss": "ce", "momentum": 0.0, "batch_size": 100},
            "variant: Adam, cross-entropy",
            False,
        ),
        (
            {"optimiser": "sgd", "loss": "mse", "momentum": 0.9, "batch_size": 0},
            "variant: GD (momentum 0.9), squared loss",
            False,
        ),
        (
            {"optimiser": "sgd", "loss": "ce", "momentum": 0.0, "batch_size": 0},
            "variant: GD, cross-entropy",
            False,
        ),
    ],
)
def test_the_regime_is_named_from_the_summary_columns(columns, words, paper):
    rows = pd.DataFrame([columns, columns])
    assert describe(rows) == words
    assert in_paper_regime(rows) is paper


def test_one_axis_trained_with_two_batch_sizes_is_refused_naming_the_column():
    rows = pd.DataFrame(
        [
            {"optimiser": "sgd", "loss": "mse", "batch_size": 0},
            {"optimiser": "sgd", "loss": "mse", "batch_size": 100},
        ]
    )
    with pytest.raises(ValueError, match="batch_size"):
        describe(rows)
