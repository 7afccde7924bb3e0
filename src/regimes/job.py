"""What every workflow script does first: log to the rule's log file and use the rule's threads."""

from __future__ import annotations

import logging
import sys

import torch

__all__ = ["start"]


def start(snakemake) -> logging.Logger:
    """Configure logging (the rule's ``log:`` file and stderr) and torch's thread count from ``threads:``."""
    handlers = [logging.StreamHandler(sys.stderr)]
    if snakemake.log:
        handlers.append(logging.FileHandler(str(snakemake.log[0]), mode="w"))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s", handlers=handlers, force=True)
    for noisy in ("fontTools", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    torch.set_num_threads(max(1, int(snakemake.threads)))
    log = logging.getLogger(f"regimes.{snakemake.rule}")
    log.info("rule %s, wildcards %s, threads %s", snakemake.rule, dict(snakemake.wildcards), snakemake.threads)
    return log
