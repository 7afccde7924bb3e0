"""What every workflow script does first: log to the rule's log file (uncaught exceptions included) and use
the rule's threads."""

from __future__ import annotations

import atexit
import logging
import os
import sys

__all__ = ["start", "since_process_start", "use_package_for_jobs"]


def use_package_for_jobs(src: str) -> None:
    """Put ``src`` (the workflow's own ``src/``) first on the import path of every job Snakemake starts
    from this process: jobs import the package the workflow was planned with, installed or not."""
    os.environ["PYTHONPATH"] = os.pathsep.join([str(src), *filter(None, [os.environ.get("PYTHONPATH")])])


def start(snakemake) -> logging.Logger:
    """Configure logging (the rule's ``log:`` file and stderr) and the thread count from ``threads:``
    (torch's, when the script uses torch; the BLAS libraries' through the environment otherwise).  An
    exception that ends the job is logged with its traceback, so it lands in the log file too."""
    handlers = [logging.StreamHandler(sys.stderr)]
    if snakemake.log:
        handlers.append(logging.FileHandler(str(snakemake.log[0]), mode="w"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
        handlers=handlers,
        force=True,
    )
    for noisy in ("fontTools", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    registry = sys.modules.get("regimes.networks.registry")
    if registry is not None:  # the script resolves data sets or architectures by name: yours too
        registry.load_extensions(getattr(snakemake, "config", {}).get("extensions", []))
    if getattr(snakemake, "scriptdir", None):
        os.environ["REGIMES_WORKFLOW_DIR"] = str(snakemake.scriptdir)  # provenance: the workflow's own commit
    threads = max(1, int(snakemake.threads))
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(threads)  # for libraries imported later
    torch = sys.modules.get("torch")
    if torch is not None:  # imported by the script's trainer; scripts that do not need torch never pay for it
        torch.set_num_threads(threads)
    log = logging.getLogger(f"regimes.{snakemake.rule}")

    def log_uncaught(kind, value, traceback):
        log.critical("the job failed: %s: %s", kind.__name__, value, exc_info=(kind, value, traceback))

    sys.excepthook = log_uncaught
    log.info(
        "rule %s, wildcards %s, threads %s", snakemake.rule, dict(snakemake.wildcards), snakemake.threads
    )
    started = since_process_start()
    if started is not None:  # read by regimes.results_page.job_profile
        log.info("start-up %.2f s (the interpreter, Snakemake's preamble and the imports)", started)
        atexit.register(lambda: log.info("finished %.2f s after the process started", since_process_start()))
    return log


def since_process_start() -> float | None:
    """Seconds since this process started (Linux: ``/proc``), or None where that is not known."""
    try:
        with open("/proc/self/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open("/proc/uptime") as handle:
            uptime = float(handle.read().split()[0])
        return max(0.0, uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return None
