"""Run a notebook's code cells in order in this process and save what each printed as its outputs
(``make notebook``): the examples are shipped with the outputs of a run, without a Jupyter kernel (the
``notebook`` extra installs Jupyter to open and rerun them interactively).

    python tools/run_notebook.py examples/api_tour.ipynb [--check]

``--check``: run without saving, and fail unless each cell prints what it has saved, numbers aside (a
number may differ in its last digits between machines; the words and the cells' asserts may not).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import re
import sys
from pathlib import Path

import nbformat

NUMBER = re.compile(r"[-+]?\d+(\.\d+)?([eE][-+]?\d+)?")


def run(path) -> tuple[nbformat.NotebookNode, list[str]]:
    """The notebook with each code cell's printed text as its one stream output, and those texts."""
    notebook = nbformat.read(path, as_version=4)
    namespace: dict = {"__name__": "__main__"}
    texts = []
    for number, cell in enumerate(c for c in notebook.cells if c.cell_type == "code"):
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(cell.source, f"{Path(path).name}, code cell {number + 1}", "exec"), namespace)
        text = printed.getvalue()
        cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)] if text else []
        cell.execution_count = number + 1
        texts.append(text)
    return notebook, texts


def saved(path) -> list[str]:
    """What each code cell of the notebook file shows as printed."""
    notebook = nbformat.read(path, as_version=4)
    return [
        "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
        for cell in notebook.cells
        if cell.cell_type == "code"
    ]


def shape(text: str) -> str:
    return NUMBER.sub("#", text)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook")
    parser.add_argument("--check", action="store_true", help="compare with the saved outputs, save nothing")
    args = parser.parse_args(argv)
    notebook, texts = run(args.notebook)
    if args.check:
        before = saved(args.notebook)
        differ = [i + 1 for i, (a, b) in enumerate(zip(before, texts)) if shape(a) != shape(b)]
        if differ or len(before) != len(texts) or not all(before):
            print(
                f"{args.notebook}: saved outputs differ from a fresh run in code cells {differ}",
                file=sys.stderr,
            )
            return 1
        print(f"{args.notebook}: every code cell prints what it has saved")
        return 0
    nbformat.write(notebook, args.notebook)
    print(f"wrote {args.notebook} with the outputs of this run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
