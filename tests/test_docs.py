"""From a figure to its formula in two hops: every caption names the function that draws it, and every
name the captions and docs/science.md give resolves to real code (stale names after a move fail here)."""

import importlib
import re

import pytest

from regimes.figures import CATALOGUE

from .conftest import ROOT

NAME = re.compile(r"``(regimes(?:\.\w+)+)``")


def _resolve(dotted: str):
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


@pytest.mark.parametrize("name", list(CATALOGUE))
def test_each_caption_names_the_function_that_draws_its_figure(name):
    caption = (ROOT / "workflow" / "report" / f"{name}.rst").read_text()
    names = NAME.findall(caption)
    assert any(n.startswith("regimes.figures.") for n in names), caption
    for dotted in names:
        assert callable(_resolve(dotted)) or hasattr(_resolve(dotted), "__file__"), dotted


def test_every_name_in_the_science_notes_resolves():
    text = (ROOT / "docs" / "science.md").read_text()
    names = set(re.findall(r"`(regimes(?:\.\w+)+)`", text))
    assert len(names) >= 20
    for dotted in sorted(names):
        _resolve(dotted)
