"""Test accuracy against K and T/K, mean over seeds with its 95 % Student t interval, as a Markdown table
(``regimes.results_page.accuracy_table``), and the same comparison at matched training accuracy.

    python tools/accuracy_table.py results/linearised/summary.csv results/linearised_adam/summary.csv
"""

import sys
from pathlib import Path

import pandas as pd

from regimes.pipeline.io import read_table
from regimes.results_page import accuracy_table, matched_table

if __name__ == "__main__":
    summaries = [read_table(p) for p in sys.argv[1:]]
    summary = pd.concat(summaries)
    print(accuracy_table(summary))
    histories = [Path(p).with_name("history.csv") for p in sys.argv[1:]]
    if all(h.exists() for h in histories):
        print()
        print(matched_table(summary, pd.concat(read_table(h) for h in histories)))
