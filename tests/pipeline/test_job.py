"""A workflow job's start-up: logging to its log file, uncaught exceptions included."""

import subprocess
import sys
import textwrap


def test_a_crashing_job_leaves_its_traceback_in_its_log(tmp_path):
    log = tmp_path / "job.log"
    script = textwrap.dedent(
        f"""
        from types import SimpleNamespace
        from regimes.pipeline.job import start

        snakemake = SimpleNamespace(log=[{str(log)!r}], threads=1, rule="train_diagonal", wildcards={{"batch":
        "b"}})
        start(snakemake)

        def deep():
            raise RuntimeError("the step size shrank to nothing")

        deep()
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 1  # still a failed job
    text = log.read_text()
    assert "rule train_diagonal" in text
    assert "Traceback (most recent call last)" in text and "in deep" in text
    assert "RuntimeError: the step size shrank to nothing" in text
