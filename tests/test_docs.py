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


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_readme_is_short_and_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 200
    first = text.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split()[:2] for line in first] == [["make", "reproduce"], ["make", "test"]]


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_links_between_the_docs_resolve(path):
    """Would catch: a page moved or renamed (README -> docs/guide.md) with a link left pointing at it, or
    an anchor to a heading that no longer exists."""
    for target in re.findall(r"\]\(([^)#\s]+\.(?:md|png))(#[\w-]+)?\)", path.read_text()):
        file, anchor = target
        resolved = (path.parent / file).resolve()
        assert resolved.exists(), (path.name, file)
        if anchor and file.endswith(".md"):
            headings = re.findall(r"^#+ (.+)$", resolved.read_text(), re.M)
            slugs = {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}
            assert anchor[1:] in slugs, (path.name, file, anchor)


@pytest.mark.parametrize("path", DOCS, ids=[p.name for p in DOCS])
def test_every_name_the_docs_give_resolves(path):
    for dotted in sorted(set(re.findall(r"`(regimes(?:\.\w+)+)`", path.read_text()))):
        _resolve(dotted)


def test_the_reference_pages_are_the_schema_and_the_docstrings_written_out():
    """``docs/config.md`` and ``docs/api.md`` are what ``tools/write_references.py`` writes from today's
    schema and docstrings (what would catch a key or a public name added, renamed or re-documented and
    not on the page); the config page names every ``train`` key the default config uses, the API page the
    names a researcher reaches for first."""
    import subprocess
    import sys

    import yaml

    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "write_references.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = (ROOT / "docs" / "config.md").read_text()
    config = yaml.safe_load((ROOT / "config.yaml").read_text())
    for name, experiment in config.items():
        assert f"## `model: {experiment['model']}`" in page, name
        for key in experiment.get("train", {}):
            assert f"`train.{key}`" in page, (name, key)
    api = (ROOT / "docs" / "api.md").read_text()
    for name in ("implicit_limit(", "train_diagonal(", "train_iteratively_linearised(", "empirical_ntk("):
        assert f"**`{name}" in api, name


def test_the_version_is_one_number_in_every_place_that_states_it():
    """pyproject.toml, ``regimes.__version__``, CITATION.cff and the CHANGELOG's latest version heading
    agree (a release bumps them together and tags ``v<version>``)."""
    import yaml

    import regimes

    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), flags=re.M).group(1)
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    headings = re.findall(r"^## (\d+\.\d+\.\d+)", (ROOT / "CHANGELOG.md").read_text(), flags=re.M)
    assert regimes.__version__ == version == str(citation["version"]) == headings[0]
    assert "## Unreleased" in (ROOT / "CHANGELOG.md").read_text().split(f"## {version}")[0]
