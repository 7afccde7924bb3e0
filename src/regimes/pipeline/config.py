"""Config validation against ``config.schema.yaml`` (shipped with the package; ``workflow/schemas/`` links
to it), with errors that name the key, the value and what is allowed, raised before any job starts.

Every top-level key is an experiment whose ``model`` names its family (``regimes.pipeline.families``);
the experiment is then checked against that family's definition.  The schema's choices that the code
owns (the families, each family's claim sets) are filled in from the code's registries when it is loaded.
"""

from __future__ import annotations

import copy
import importlib.resources
from pathlib import Path

import jsonschema
import yaml

from .families import FAMILIES

__all__ = ["ConfigError", "load_schema", "validate", "load_config", "schema_text", "experiments"]


class ConfigError(ValueError):
    pass


def schema_text() -> str:
    """The schema file as shipped inside the package (works for editable and ordinary installs alike)."""
    return importlib.resources.files("regimes.pipeline").joinpath("config.schema.yaml").read_text()


def load_schema(path=None) -> dict:
    """The schema, with the families and each family's claim sets filled in from the code's registries."""
    from ..claims import CLAIMS

    schema = yaml.safe_load(Path(path).read_text() if path else schema_text())
    schema["additionalProperties"]["properties"]["model"]["enum"] = list(FAMILIES)
    for family in FAMILIES:
        properties = schema["$defs"][family]["properties"]
        properties["model"] = {"description": FAMILIES[family], "const": family}
        properties["claims"] = {
            "description": "the claim sets this experiment is checked against (regimes.claims); all of its family's by default",
            "type": "array",
            "uniqueItems": True,
            "items": {"type": "string", "enum": list(CLAIMS[family])},
            "default": list(CLAIMS[family]),
        }
    return schema


def experiments(config: dict, *families: str) -> list[str]:
    """The config's experiments of the given families (all of them when none is given), in config order."""
    return [name for name, cfg in config.items() if not families or cfg["model"] in families]


def _key(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<top level>"


def _allowed(error: jsonschema.ValidationError) -> str:
    s = error.schema if isinstance(error.schema, dict) else {}
    v = error.validator
    if v == "additionalProperties":
        known = sorted(s.get("properties", {}))
        return f"unknown key; allowed keys: {', '.join(known)}"
    if v in ("oneOf", "anyOf"):
        return "; or ".join(_describe(sub) for sub in error.schema[v])
    return _describe(s) if s else error.message


def _describe(s: dict) -> str:
    if "$ref" in s:
        return s["$ref"].rsplit("/", 1)[-1].replace("_", " ")
    bits = []
    if "type" in s:
        bits.append(s["type"] if isinstance(s["type"], str) else " or ".join(s["type"]))
    if "enum" in s:
        bits.append("one of " + ", ".join(map(repr, s["enum"])))
    if "const" in s:
        bits.append(f"exactly {s['const']!r}")
    for key, word in (("minimum", ">="), ("exclusiveMinimum", ">"), ("maximum", "<="), ("exclusiveMaximum", "<")):
        if key in s:
            bits.append(f"{word} {s[key]}")
    if "minItems" in s:
        bits.append(f"at least {s['minItems']} item(s)")
    if s.get("uniqueItems"):
        bits.append("no repeats")
    return " ".join(bits) or "see the schema"


def _with_defaults(validator_class):
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if "default" in sub and name not in instance:
                    instance[name] = copy.deepcopy(sub["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


def validate(config: dict, schema: dict | None = None) -> dict:
    """Fill defaults into ``config`` (in place) and check it; raise ``ConfigError`` listing every problem.

    First every experiment's ``model``, then each experiment against its family's definition."""
    schema = schema or load_schema()
    _raise_errors(config, schema)
    by_family = dict(schema, additionalProperties=False, properties={name: {"$ref": f"#/$defs/{cfg['model']}"} for name, cfg in config.items()})
    _raise_errors(config, by_family)
    _check_consistency(config)
    return config


def _raise_errors(config: dict, schema: dict) -> None:
    validator = _with_defaults(jsonschema.Draft202012Validator)(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        lines = []
        for e in errors:
            if e.validator == "additionalProperties":
                extra = sorted(set(e.instance) - set(e.schema.get("properties", {})))
                for name in extra:
                    key = _key(list(e.absolute_path) + [name])
                    lines.append(f"config key '{key}': value {e.instance[name]!r} is not allowed ({_allowed(e)})")
                continue
            if e.validator == "required":
                lines.append(f"config key '{_key(e.absolute_path)}': {e.message}")
                continue
            hint = ""
            if isinstance(e.instance, str) and _looks_numeric(e.instance):
                hint = " (a number is wanted: YAML reads 1e-3 as a string, write 1.0e-3)"
            lines.append(f"config key '{_key(e.absolute_path)}': value {e.instance!r} is not allowed; allowed: {_allowed(e)}{hint}")
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines))


def _check_diagonal(name: str, experiment: dict) -> None:
    data = experiment["data"]
    if data["sparsity"] > data["d"]:
        raise ConfigError(f"config key '{name}.data.sparsity': value {data['sparsity']} is not allowed; allowed: <= {name}.data.d ({data['d']})")
    if experiment["grid"]["width"] != [1]:
        raise ConfigError(f"config key '{name}.grid.width': value {experiment['grid']['width']} is not allowed; allowed: [1] (the diagonal model has no width)")
    if experiment["train"]["integrator"] == "mirror" and experiment["grid"]["K"] != [1]:
        raise ConfigError(f"config key '{name}.grid.K': value {experiment['grid']['K']} is not allowed with {name}.train.integrator 'mirror'; allowed: [1] (or integrator 'gd')")


def _check_network(name: str, experiment: dict) -> None:
    if "cnn" in experiment["architectures"] and min(experiment["grid"]["depth"]) < 2:
        raise ConfigError(f"config key '{name}.grid.depth': value {experiment['grid']['depth']} is not allowed; allowed: integers >= 2 with architecture 'cnn'")


def _check_matrix(name: str, experiment: dict) -> None:
    data = experiment["data"]
    d, n = data["d"], data["n"]
    if data["rank"] > d:
        raise ConfigError(f"config key '{name}.data.rank': value {data['rank']} is not allowed; allowed: <= {name}.data.d ({d})")
    if "completion" in data["tasks"] and not 2 * d - 1 <= n <= d * d:
        raise ConfigError(f"config key '{name}.data.n': value {n} is not allowed; allowed: observed entries from 2d - 1 to d^2 ({2 * d - 1} to {d * d}) for completion")


CHECKS = {"diagonal": _check_diagonal, "network": _check_network, "matrix": _check_matrix}


def _check_consistency(config: dict) -> None:
    """Checks across keys, by family; and the experiments the figures draw must be of the figures' family."""
    from ..figures import CATALOGUE

    for name, experiment in config.items():
        CHECKS.get(experiment["model"], lambda *_: None)(name, experiment)
    for figure, needs in CATALOGUE.items():
        for name, family in needs.items():
            if name in config and config[name]["model"] != family:
                raise ConfigError(f"config key '{name}.model': value {config[name]['model']!r} is not allowed; allowed: {family!r} (figure '{figure}' draws experiment '{name}'; name the experiment otherwise to keep it out of the figure)")


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def load_config(path) -> dict:
    return validate(yaml.safe_load(Path(path).read_text()) or {})
