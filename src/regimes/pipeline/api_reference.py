"""The API reference (docs/api.md) written from the package's docstrings: every module, and in each its
public names (``__all__``, or the functions and classes it defines without a leading underscore) with
their signatures and the first paragraph of their docstrings."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

__all__ = ["public_names", "api_reference"]

HEADER = """# API reference

Every public name of the `regimes` package, module by module: its signature and the first paragraph of
its docstring (the rest is in the source). Written from the docstrings by `tools/write_references.py`;
the tests check that it is current. The formulas behind the functions are in [science.md](science.md).
"""


def _modules() -> list[str]:
    import regimes

    return ["regimes"] + sorted(m.name for m in pkgutil.walk_packages(regimes.__path__, "regimes."))


def public_names(module) -> list[str]:
    """A module's public names: its ``__all__``, or what it defines itself without a leading underscore."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    return [
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and (inspect.isfunction(value) or inspect.isclass(value))
        and value.__module__ == module.__name__
    ]


def _paragraph(doc: str | None) -> str:
    text = inspect.cleandoc(doc or "").split("\n\n")[0].strip()
    return " ".join(text.split())


def _signature(value) -> str:
    try:
        text = str(inspect.signature(value))
    except (TypeError, ValueError):
        return ""
    return re.sub(r" at 0x[0-9a-f]+", "", text)  # a default's repr: no addresses that change per run


def api_reference() -> str:
    lines = [HEADER]
    for name in _modules():
        module = importlib.import_module(name)
        names = public_names(module)
        if name != "regimes" and not names and not module.__doc__:
            continue
        lines += [f"## `{name}`", "", _paragraph(module.__doc__), ""]
        for public in names:
            value = getattr(module, public, None)
            if value is None or inspect.ismodule(value):
                continue
            kind = "class" if inspect.isclass(value) else ("" if callable(value) else "constant")
            signature = _signature(value) if callable(value) else ""
            title = f"- **`{public}{signature}`**" + (f" ({kind})" if kind else "")
            doc = value.__doc__ if (inspect.isclass(value) or inspect.isfunction(value)) else None
            summary = _paragraph(doc)
            if summary and not (kind == "constant"):
                title += f": {summary}"
            lines.append(title)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
