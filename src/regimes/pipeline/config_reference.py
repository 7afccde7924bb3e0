"""``docs/config.md``: every config key with its meaning, what is allowed and its default, written from the
schema the configs are checked against (``load_schema``), so that the reference cannot drift from the
check.  ``tools/write_references.py`` writes it; ``--check`` (run by the tests) says whether the
committed page is current."""

from __future__ import annotations

from .config import load_schema
from .families import FAMILIES

__all__ = ["config_reference"]

_BOUNDS = (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<"))


def _resolve(node: dict, defs: dict) -> dict:
    """``node`` with its ``$ref`` (a name under ``$defs``) replaced by what it names, its own keys kept."""
    while "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = {**defs[name], **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _allowed(node: dict, defs: dict) -> str:
    """What a value may be, in words (``number > 0``, ``one of 'sgd', 'adam'``, a list of ...)."""
    node = _resolve(node, defs)
    if "oneOf" in node or "anyOf" in node:
        return " or ".join(_allowed(n, defs) for n in node.get("oneOf", node.get("anyOf")))
    if "const" in node:
        return repr(node["const"])
    if "enum" in node:
        return "one of " + ", ".join(repr(v) for v in node["enum"])
    kind = node.get("type", "any")
    kind = " or ".join(kind) if isinstance(kind, list) else kind
    if kind == "array":
        items = _allowed(node.get("items", {}), defs)
        unique = ", no repeats" if node.get("uniqueItems") else ""
        size = f", at least {node['minItems']}" if node.get("minItems") else ""
        return f"a list of ({items}){size}{unique}"
    if kind == "object" and not node.get("properties"):
        extra = node.get("additionalProperties")
        return "a mapping" + (f" to ({_allowed(extra, defs)})" if isinstance(extra, dict) else "")
    bounds = " ".join(f"{sign} {node[key]:g}" for key, sign in _BOUNDS if key in node)
    if node.get("pattern"):
        bounds += f" matching `{node['pattern']}`"
    return f"{kind} {bounds}".strip()


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _rows(properties: dict, required, defs: dict, prefix: str = ""):
    for key, sub in properties.items():
        sub = _resolve(sub, defs)
        path = f"{prefix}{key}"
        nested = sub.get("type") == "object" and sub.get("properties")
        default = sub.get("default")
        yield (
            f"`{path}`",
            _cell(sub.get("description", "")),
            "" if nested else _cell(_allowed(sub, defs)),
            "required" if key in (required or ()) else ("" if default is None else f"`{default!r}`"),
        )
        if nested:
            yield from _rows(sub["properties"], sub.get("required"), defs, path + ".")


def _table(rows) -> list[str]:
    return ["| key | meaning | allowed | default |", "| --- | --- | --- | --- |"] + [
        "| " + " | ".join(row) + " |" for row in rows
    ]


def config_reference(schema: dict | None = None) -> str:
    """The page: the run's settings, then each family's keys (nested keys by their dotted path)."""
    schema = schema or load_schema()
    defs = schema["$defs"]
    lines = [
        "# Config reference",
        "",
        "Written by `tools/write_references.py` from the schema every config is checked against",
        "(`src/regimes/pipeline/config.schema.yaml`, with the families, claim sets, data sets and",
        "architectures filled in): do not edit by hand. Every top-level key of a config is an experiment",
        "(its folder under `results/`) except the run's settings below; an experiment's `model` names its",
        "family, whose keys follow. Floats are written with a dot and an exponent sign (`1.0e-3`).",
        "",
        "## The run's settings",
        "",
        *_table(_rows(schema["properties"], (), defs)),
    ]
    for family in FAMILIES:
        node = _resolve(defs[family], defs)
        lines += [
            "",
            f"## `model: {family}`",
            "",
            _cell(node.get("description", FAMILIES[family])),
            "",
            *_table(_rows(node["properties"], node.get("required"), defs)),
        ]
    return "\n".join(lines) + "\n"
