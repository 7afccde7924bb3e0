"""Test accuracy against K and T/K, mean over seeds with a 95 % bootstrap interval, as a Markdown table.

    python tools/accuracy_table.py results/linearised/summary.csv results/linearised_cnn/summary.csv

A cell where a run was short of its plateau is marked with a dagger; one with a failed run reads "failed".
"""

from __future__ import annotations

import sys

import pandas as pd

from regimes.claims import bootstrap_interval
from regimes.grid import K_order
from regimes.pipeline.io import read_table


def accuracy_table(summary: pd.DataFrame, metric: str = "test_acc") -> str:
    steps = int(summary["T"].max())
    Ks = sorted(summary["K"].unique(), key=K_order)
    head = ["data set, architecture"] + [
        f"K = {k} (T/K = {0 if k == 'inf' else steps // int(k)})" for k in Ks
    ]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join("---" for _ in head) + " |"]
    for (dataset, arch), g in summary.groupby(["dataset", "architecture"]):
        cells = []
        for k in Ks:
            part = g[g["K"] == k]
            mean, lo, hi = bootstrap_interval(part[metric].to_numpy())
            short = "plateau" in part and not part["plateau"].astype(bool).all()
            cells.append(
                "failed" if pd.isna(mean) else f"{mean:.3f} [{lo:.3f}, {hi:.3f}]" + (" †" if short else "")
            )
        lines.append(f"| {dataset}, {arch} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def matched_table(summary: pd.DataFrame, history: pd.DataFrame, metric: str = "train_acc") -> str:
    """Test accuracy at the first record where ``metric`` reaches the level every K reaches."""
    from regimes.networks.analyse import matched_loss

    table = matched_loss(summary, history, metric)
    Ks = sorted(table["K"].unique(), key=K_order)
    lines = [
        f"| data set, architecture ({metric} level) | " + " | ".join(f"K = {k}" for k in Ks) + " |",
        "| --- |" + " --- |" * len(Ks),
    ]
    for (dataset, arch), g in table.groupby(["dataset", "architecture"]):
        cells = []
        for k in Ks:
            part = g[g["K"] == k]
            mean, lo, hi = bootstrap_interval(part["test_acc"].to_numpy())
            step = part["step"].median()
            cells.append(
                "not reached" if pd.isna(mean) else f"{mean:.3f} [{lo:.3f}, {hi:.3f}] at step {step:.0f}"
            )
        lines.append(f"| {dataset}, {arch} ({g['level'].iloc[0]:.3g}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    summaries = [p for p in sys.argv[1:] if p.endswith("summary.csv")]
    summary = pd.concat([read_table(p) for p in summaries], ignore_index=True)
    print(accuracy_table(summary))
    histories = [p.replace("summary.csv", "history.csv") for p in summaries]
    print()
    print(matched_table(summary, pd.concat([read_table(p) for p in histories], ignore_index=True)))
