"""Config validation against ``workflow/schemas/config.schema.yaml``, with errors that name the key,
the value and what is allowed, raised before any job starts."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import yaml

__all__ = ["ConfigError", "load_schema", "validate", "load_config", "SCHEMA_PATH"]

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


class ConfigError(ValueError):
    pass


def load_schema(path=None) -> dict:
    return yaml.safe_load(Path(path or SCHEMA_PATH).read_text())


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
    """Fill defaults into ``config`` (in place) and check it; raise ``ConfigError`` listing every problem."""
    schema = schema or load_schema()
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
    _check_consistency(config)
    return config


def _check_consistency(config: dict) -> None:
    for name in ("width", "matrix_factorisation"):
        experiment = config.get(name)
        if not experiment:
            continue
        data = experiment["data"]
        d, n = data["d"], data["n"]
        if data["rank"] > d:
            raise ConfigError(f"config key '{name}.data.rank': value {data['rank']} is not allowed; allowed: <= {name}.data.d ({d})")
        if "completion" in data["tasks"] and not 2 * d - 1 <= n <= d * d:
            raise ConfigError(f"config key '{name}.data.n': value {n} is not allowed; allowed: observed entries from 2d - 1 to d^2 ({2 * d - 1} to {d * d}) for completion")
    for name in ("sparse", "sparse_K"):
        experiment = config.get(name)
        if not experiment:
            continue
        data = experiment["data"]
        if data["sparsity"] > data["d"]:
            raise ConfigError(f"config key '{name}.data.sparsity': value {data['sparsity']} is not allowed; allowed: <= {name}.data.d ({data['d']})")
        if experiment["grid"]["width"] != [1]:
            raise ConfigError(f"config key '{name}.grid.width': value {experiment['grid']['width']} is not allowed; allowed: [1] (the diagonal model has no width)")
        if experiment["train"]["integrator"] == "mirror" and experiment["grid"]["K"] != [1]:
            raise ConfigError(f"config key '{name}.grid.K': value {experiment['grid']['K']} is not allowed with {name}.train.integrator 'mirror'; allowed: [1] (or integrator 'gd')")
    for name in ("linearised", "linearised_phase", "nonlinear"):
        experiment = config.get(name)
        if not experiment:
            continue
        if "cnn" in experiment["architectures"] and min(experiment["grid"]["depth"]) < 2:
            raise ConfigError(f"config key '{name}.grid.depth': value {experiment['grid']['depth']} is not allowed; allowed: integers >= 2 with architecture 'cnn'")


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def load_config(path) -> dict:
    return validate(yaml.safe_load(Path(path).read_text()) or {})
