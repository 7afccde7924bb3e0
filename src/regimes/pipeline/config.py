"""Config validation against ``config.schema.yaml`` (shipped with the package; ``workflow/schemas/`` links
to it), with errors that name the key, the value and what is allowed, raised before any job starts.

Every top-level key but the run's settings (``outdir``, ``extensions``: ``SETTINGS``) is an experiment
whose ``model`` names its family (``regimes.pipeline.families``); the experiment is then checked
against that family's definition, and across keys (``CHECKS``).  The schema's choices that the code owns
(the families, each family's claim sets, the registered data sets and architectures) are filled in from
the code's registries when it is loaded.
"""

from __future__ import annotations

import copy
import importlib.resources
import math
import os
import re
import sys
from pathlib import Path

import jsonschema
import yaml

from .families import FAMILIES

__all__ = [
    "ConfigError",
    "SETTINGS",
    "load_schema",
    "validate",
    "read_yaml",
    "resolve_config",
    "merge",
    "load_config",
    "schema_text",
    "experiments",
]


class ConfigError(ValueError):
    pass


def schema_text() -> str:
    """The schema file as shipped inside the package (works for editable and ordinary installs alike)."""
    return importlib.resources.files("regimes.pipeline").joinpath("config.schema.yaml").read_text()


def load_schema(path=None) -> dict:
    """The schema, with the families, each family's claim sets and the network registries filled in."""
    from ..claims import CLAIMS
    from ..networks.registry import ARCHITECTURES, DATASETS

    schema = yaml.safe_load(Path(path).read_text() if path else schema_text())
    schema["additionalProperties"]["properties"]["model"]["enum"] = list(FAMILIES)
    schema["properties"] = copy.deepcopy(SETTINGS)
    for family in ("network", "gauss_newton"):
        network = schema["$defs"][family]["properties"]
        network["data"]["properties"] = {name: {"$ref": "#/$defs/classification_data"} for name in DATASETS}
        network["architectures"]["items"]["enum"] = list(ARCHITECTURES)
    for family in FAMILIES:
        properties = schema["$defs"][family]["properties"]
        properties["model"] = {"description": FAMILIES[family], "const": family}
        properties["claims"] = {
            "description": "the claim sets this experiment is checked against (regimes.claims); all of its "
            "family's by default",
            "type": "array",
            "uniqueItems": True,
            "items": {"type": "string", "enum": list(CLAIMS[family])},
            "default": list(CLAIMS[family]),
        }
    return schema


# Top-level keys that are settings of the run, not experiments.
SETTINGS = {
    "outdir": {
        "description": "the folder results/, figures/ and logs/ of this config go under (relative to where "
        "snakemake runs; --directory wins)",
        "type": "string",
        "minLength": 1,
        "default": ".",
    },
    "overwrite": {
        "description": "replace results under outdir made with other settings of an experiment (its data, "
        "train, ...; a grid or seeds widened only add results and need no flag); false: refused, naming "
        "what differs",
        "type": "boolean",
        "default": False,
    },
    "extensions": {
        "description": "Python files that register your own data sets and architectures (docs/extending.md); "
        "paths relative to the config file that names them",
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "default": [],
    },
}


def experiments(config: dict, *families: str) -> list[str]:
    """The config's experiments of the given families (all of them when none is given), in config order."""
    return [
        name
        for name, cfg in config.items()
        if name not in SETTINGS and (not families or cfg["model"] in families)
    ]


def merge(base: dict, update: dict) -> dict:
    """``update`` merged into ``base`` (in place): mappings key by key, anything else replaced."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base


def resolve_config(files, overrides=()) -> dict:
    """The config in force: the files merged in order, then each ``--config key=value`` override, its
    value read as YAML and merged into what the files say (``--config 'sparse={seeds: [0, 1, 2]}'``
    changes the seeds of ``sparse`` and nothing else)."""
    config: dict = {}
    for path in files:
        data = read_yaml(path)
        if isinstance(data.get("extensions"), list):  # relative to the file that names them
            data["extensions"] = [
                str((Path(path).parent / e).resolve()) if isinstance(e, str) else e
                for e in data["extensions"]
            ]
        merge(config, data)
    for entry in overrides or ():
        key, sep, text = str(entry).partition("=")
        if not sep:
            raise ConfigError(
                f"--config {entry!r}: write key=value (a YAML value: --config 'sparse={{seeds: [0, 1, 2]}}')"
            )
        try:
            value = load_yaml(text)
        except yaml.YAMLError as error:
            raise ConfigError(
                f"--config {entry!r}: the value is not valid YAML: {getattr(error, 'problem', None) or error}"
            ) from None
        merge(config, {key.strip(): value})
    return config


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
    for key, word in (
        ("minimum", ">="),
        ("exclusiveMinimum", ">"),
        ("maximum", "<="),
        ("exclusiveMaximum", "<"),
    ):
        if key in s:
            bits.append(f"{word} {s[key]}")
    if "minItems" in s:
        bits.append(f"at least {s['minItems']} item(s)")
    if s.get("uniqueItems"):
        bits.append("no repeats")
    return " ".join(bits) or "see the schema"


def _is_integer(checker, value) -> bool:
    """Integers only: YAML's 0.0 is a float, and a seed or a size of 0.0 is refused (jsonschema alone
    would take any whole float)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(checker, value) -> bool:
    """Finite numbers only: ``.nan`` and ``.inf`` are refused wherever a number is asked for."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


TYPES = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine_many(
    {"integer": _is_integer, "number": _is_number}
)


def _with_defaults(validator_class):
    validator_class = jsonschema.validators.extend(validator_class, type_checker=TYPES)
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if "default" in sub and name not in instance:
                    instance[name] = copy.deepcopy(sub["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(validator_class, {"properties": set_defaults})


# Keys of an experiment's ``train`` section that were renamed: old -> new (one spelling per concept).
RENAMED = {
    "optimizer": "optimiser",
    "lr_scale": "step_scale",
    "until_loss": "atol",
}


def _check_renamed(config: dict) -> None:
    """Refuse a key spelled the old way, naming the key to write instead."""
    for name in experiments(config):
        train = config[name].get("train") if isinstance(config[name], dict) else None
        for old in (k for k in (train if isinstance(train, dict) else {}) if k in RENAMED):
            raise ConfigError(
                f"config key '{name}.train.{old}': renamed; write '{name}.train.{RENAMED[old]}' (same "
                "meaning and values)"
            )


def validate(config: dict, schema: dict | None = None) -> dict:
    """Fill defaults into ``config`` (in place) and check it; raise ``ConfigError`` listing every problem.

    First keys spelled the old way (``RENAMED``), then every experiment's ``model``, then each experiment
    against its family's definition."""
    _check_names(config)
    if not experiments(config):
        raise ConfigError(
            "the config names no experiment; allowed: at least one experiment (a name mapped to its "
            "settings: config.yaml shows every experiment, docs/config.md every key)"
        )
    _check_renamed(config)
    before = schema or load_schema()  # the extensions' registries are filled in below
    _raise_errors(config, before)
    _check_ignored(config, before)
    _check_outdir(config)
    _load_extensions(config)
    schema = schema or load_schema()  # again: with what the extensions registered
    by_family = dict(
        schema,
        additionalProperties=False,
        properties={
            **schema["properties"],
            **{name: {"$ref": f"#/$defs/{config[name]['model']}"} for name in experiments(config)},
        },
    )
    _raise_errors(config, by_family)
    _check_consistency(config)
    return config


def _check_ignored(config: dict, schema: dict) -> None:
    """Keys a family or an integrator would accept and then ignore, each refused naming the key that
    applies instead.  A value equal to the key's default changes nothing and passes (so a config
    validated once, its defaults filled in, validates again)."""
    defs = schema["$defs"]
    defaults = {
        "diagonal": {k: v.get("default") for k, v in defs["diagonal_train"]["properties"].items()},
        "network": {
            k: v.get("default") for k, v in defs["network"]["properties"]["train"]["properties"].items()
        },
    }

    def given(train, key, model):
        return key in train and train[key] != defaults[model].get(key)

    for name, experiment in config.items():
        if (
            name in SETTINGS
            or not isinstance(experiment, dict)
            or not isinstance(experiment.get("train"), dict)
        ):
            continue
        train, model = experiment["train"], experiment.get("model")
        key = f"{name}.train"
        if model == "diagonal":
            mirror = train.get("integrator", "gd") == "mirror"
            for ignored in ("step_scale", "max_rel_change") if mirror else ("nonlinearity",):
                if given(train, ignored, "diagonal"):
                    applies = "nonlinearity" if mirror else "step_scale, max_rel_change"
                    raise ConfigError(
                        f"config key '{key}.{ignored}': value {train[ignored]!r} is not allowed with "
                        f"integrator {train.get('integrator', 'gd')!r}, which ignores it; allowed: leave it "
                        f"out ({applies} sets the step of this integrator)"
                    )
        if model != "network":
            continue
        if given(train, "lr", "network") and given(train, "step_scale", "network"):
            raise ConfigError(
                f"config key '{key}.step_scale': value {train['step_scale']!r} is not allowed beside lr "
                f"{train['lr']!r}, which replaces it; allowed: one of lr (a fixed step) or step_scale (a "
                "step from each run's initial kernel)"
            )
        if train.get("optimiser") == "adam" and train.get("momentum"):
            raise ConfigError(
                f"config key '{key}.momentum': value {train['momentum']!r} is not allowed with optimiser "
                "'adam', which ignores it; allowed: leave it out (Adam's own averaging replaces momentum)"
            )
        steps = train.get("lr", train.get("step_scale"))
        if given(train, "validation", "network") and not (isinstance(steps, list) and len(steps) > 1):
            raise ConfigError(
                f"config key '{key}.validation': value {train['validation']!r} is not allowed with a single "
                "learning rate, which has nothing to choose; allowed: leave it out, or give lr or step_scale "
                "as a list to search"
            )


NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
NAME_LENGTH = 64


def _check_names(config: dict) -> None:
    """Every experiment's name is an identifier (an ASCII letter, then letters, digits and _; K is upper
    case as in the papers), at most
    ``NAME_LENGTH`` long: it becomes a folder under results/ and logs/ and part of the rules' patterns, so
    ``../x``, ``a/b``, ``.*`` or an empty name would write outside the run or break its patterns."""
    for name in config:
        if name in SETTINGS:
            continue
        if not isinstance(name, str):
            hint = " (YAML reads yes/no/on/off as booleans and bare numbers as numbers)"
            raise ConfigError(
                f"config key {name!r}: an experiment name must be text; allowed: an identifier "
                f"(a letter, then letters, digits and _){hint}"
            )
        if not NAME.fullmatch(name) or len(name) > NAME_LENGTH:
            raise ConfigError(
                f"config key {name!r}: value {name!r} is not allowed as an experiment name; allowed: an "
                f"identifier of at most {NAME_LENGTH} characters (a letter, then letters, digits "
                "and _: it names the experiment's folders)"
            )


SYSTEM_FOLDERS = ("/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sbin", "/sys", "/usr")


def _check_outdir(config: dict) -> None:
    """``outdir`` with ``~`` and ``$VARS`` expanded (as data ``path`` keys are), then refused when it is
    a system folder, a file, or under a folder this user cannot write."""
    raw = config.get("outdir", ".")
    folder = os.path.expandvars(os.path.expanduser(raw))
    if "$" in folder:
        raise ConfigError(
            f"config key 'outdir': value {raw!r} names an environment variable that is not set; allowed: a "
            "folder (export the variable, or write the folder out)"
        )
    path = Path(folder).absolute()
    if str(path.resolve()) in SYSTEM_FOLDERS:
        raise ConfigError(
            f"config key 'outdir': value {raw!r} is not allowed; allowed: a folder of your own, not a system "
            f"folder ({', '.join(SYSTEM_FOLDERS)})"
        )
    existing = path
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise ConfigError(
            f"config key 'outdir': value {raw!r} is not allowed: {existing} is a file; allowed: a folder"
        )
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(
            f"config key 'outdir': value {raw!r} is not allowed: {existing} is not writable by this user; "
            "allowed: a folder you can write"
        )
    config["outdir"] = folder


def _load_extensions(config: dict) -> None:
    """Import the config's extension files (their paths made absolute: jobs run elsewhere)."""
    from ..networks.registry import load_extensions

    paths = []
    for i, path in enumerate(config.get("extensions", [])):
        if not Path(path).is_file():
            raise ConfigError(
                f"config key 'extensions[{i}]': value {path!r} is not allowed; allowed: a Python file that "
                f"exists (relative to {Path.cwd()})"
            )
        paths.append(str(Path(path).resolve()))
    config["extensions"] = paths
    try:
        load_extensions(paths)
    except Exception as error:  # the user's file: say which one failed and how
        raise ConfigError(
            f"config key 'extensions': importing {paths} failed: {type(error).__name__}: {error}"
        ) from error


def _within(error: jsonschema.ValidationError) -> list:
    """A oneOf / anyOf error as the errors of the branches the value's type picks (``alpha: [-0.1]`` is
    reported at ``alpha[0]``, not as "a list or a mapping"); the error itself, naming every branch, when
    the value's type fits none (``K: [true]``: an integer or 'inf')."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    value = error.instance
    if isinstance(value, str) and _looks_numeric(value) and _wanted(error) & {"integer", "number"}:
        return [error]  # a number quoted (K: ["10"]): every branch, and the hint to unquote it
    depth = len(error.absolute_path)
    wrong_type = {
        c.relative_schema_path[0]
        for c in error.context
        if c.validator == "type" and len(c.absolute_path) == depth
    }
    picked = [c for c in error.context if c.relative_schema_path[0] not in wrong_type]
    return [e for c in picked for e in _within(c)] or [error]


def _raise_errors(config: dict, schema: dict) -> None:
    validator = _with_defaults(jsonschema.Draft202012Validator)(schema)
    errors = sorted(
        (e for error in validator.iter_errors(config) for e in _within(error)),
        key=lambda e: list(map(str, e.absolute_path)),
    )
    if errors:
        lines = []
        for e in errors:
            if e.validator == "additionalProperties":
                extra = sorted(set(e.instance) - set(e.schema.get("properties", {})))
                for name in extra:
                    key = _key(list(e.absolute_path) + [name])
                    lines.append(
                        f"config key '{key}': value {e.instance[name]!r} is not allowed ({_allowed(e)})"
                    )
                continue
            if e.validator == "required":
                lines.append(f"config key '{_key(e.absolute_path)}': {e.message}")
                continue
            hint = _hint(e)
            lines.append(
                f"config key '{_key(e.absolute_path)}': value {e.instance!r} is not allowed; allowed: "
                f"{_allowed(e)}{hint}"
            )
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(lines))


PATH_TEXT = 24  # the longest a grid value may be in a file name (alpha = 1e-20 is 22 characters)


def _check_grid(name: str, experiment: dict) -> None:
    """Grid values name files: distinct after formatting, and short enough for a file name."""
    from ..grid import format_value

    grid = experiment["grid"]
    lists = {axis: grid[axis] for axis in ("depth", "width", "K")}
    if isinstance(grid["alpha"], dict):
        keys = sorted(grid["alpha"], key=str)
        if any(not isinstance(k, int) or isinstance(k, bool) for k in keys) or sorted(keys) != sorted(
            grid["depth"]
        ):
            raise ConfigError(
                f"config key '{name}.grid.alpha': keys {keys} are not allowed; allowed: exactly the grid's "
                f"depths {grid['depth']}, each with its list of alphas"
            )
        lists.update({f"alpha.{D}": grid["alpha"][D] for D in grid["depth"]})
    else:
        lists["alpha"] = grid["alpha"]
    for axis, values in lists.items():
        texts = [format_value(v) for v in values]
        for value, text in zip(values, texts):
            if len(text) > PATH_TEXT:
                raise ConfigError(
                    f"config key '{name}.grid.{axis}': value {value!r} is not allowed; allowed: values whose "
                    f"text in file names has at most {PATH_TEXT} characters (alpha from 1.0e-20 up), this "
                    f"one is {len(text)}"
                )
        seen = {}
        for value, text in zip(values, texts):
            if text in seen:
                raise ConfigError(
                    f"config key '{name}.grid.{axis}': values {seen[text]!r} and {value!r} are not allowed "
                    "together; allowed: values that differ in their first 12 significant digits (both are "
                    f"written '{text}' in file names)"
                )
            seen[text] = value


def _check_diagonal(name: str, experiment: dict) -> None:
    data = experiment["data"]
    if data["n"] >= data["d"]:
        raise ConfigError(
            f"config key '{name}.data.n': value {data['n']} is not allowed; allowed: < {name}.data.d "
            f"({data['d']}): the regression is underdetermined (n < d), or no implicit norm chooses among "
            "the interpolants"
        )
    sample = experiment.get("sample_complexity")
    if sample:
        too_many = [n for n in sample["n"] if n >= data["d"]]
        if too_many:
            raise ConfigError(
                f"config key '{name}.sample_complexity.n': value {too_many[0]} is not allowed; allowed: < "
                f"{name}.data.d ({data['d']})"
            )
        floor = sample.get("alpha_D_floor")
        for depth in sample["depth"] if floor is not None else []:
            if sum(a**depth >= floor for a in sample["alpha"]) < 2:
                raise ConfigError(
                    f"config key '{name}.sample_complexity.alpha_D_floor': value {floor:g} is not allowed "
                    f"with depth {depth}; allowed: a floor that leaves at least two alphas with "
                    f"alpha^{depth} >= it (largest alpha {max(sample['alpha']):g})"
                )
    grid = experiment["grid"]
    for depth in grid["depth"]:
        alphas = grid["alpha"][depth] if isinstance(grid["alpha"], dict) else grid["alpha"]
        small = [a for a in alphas if a**depth < sys.float_info.min]
        if small:
            raise ConfigError(
                f"config key '{name}.grid.alpha': value {small[0]!r} is not allowed with depth {depth}; "
                f"allowed: alpha^{depth} >= {sys.float_info.min:.3g}, float64's smallest normal number "
                f"(alpha >= {sys.float_info.min ** (1 / depth) * (1 + 1e-12):.4g}): below it the weights "
                "cannot leave their initialisation and the exact limit reads beta = 0"
            )
    if data["sparsity"] > data["d"]:
        raise ConfigError(
            f"config key '{name}.data.sparsity': value {data['sparsity']} is not allowed; allowed: <= "
            f"{name}.data.d ({data['d']})"
        )
    if experiment["grid"]["width"] != [1]:
        raise ConfigError(
            f"config key '{name}.grid.width': value {experiment['grid']['width']} is not allowed; allowed: "
            "[1] (the diagonal model has no width)"
        )
    if experiment["train"]["integrator"] == "mirror" and experiment["grid"]["K"] != [1]:
        raise ConfigError(
            f"config key '{name}.grid.K': value {experiment['grid']['K']} is not allowed with "
            f"{name}.train.integrator 'mirror'; allowed: [1] (or integrator 'gd')"
        )


def _check_halves(name: str, experiment: dict, config: dict) -> None:
    """``halves: other``: ``other`` is a diagonal experiment of the config trained by gradient descent on
    the same data, grid and seeds at twice this one's step."""
    other = experiment.get("halves")
    if other is None:
        return
    key = f"config key '{name}.halves'"
    if other not in config or other == name or config[other].get("model") != "diagonal":
        raise ConfigError(
            f"{key}: value {other!r} is not allowed; allowed: the name of another diagonal experiment of the "
            "config"
        )
    mine, theirs = experiment["train"], config[other]["train"]
    if mine.get("integrator") != "gd" or theirs.get("integrator") != "gd":
        raise ConfigError(
            f"{key}: value {other!r} is not allowed; allowed: both experiments with train.integrator 'gd' (a "
            "fixed step to halve)"
        )
    if not math.isclose(2 * mine.get("step_scale", 0.5), theirs.get("step_scale", 0.5), rel_tol=1e-12):
        raise ConfigError(
            f"config key '{name}.train.step_scale': value {mine.get('step_scale')} is not allowed with "
            f"{name}.halves {other!r}; allowed: half of {other}.train.step_scale "
            f"({theirs.get('step_scale', 0.5) / 2:g})"
        )
    for part in ("data", "grid", "seeds"):
        if experiment[part] != config[other][part]:
            raise ConfigError(
                f"config key '{name}.{part}': value {experiment[part]} is not allowed with {name}.halves "
                f"{other!r}; allowed: the same as {other}.{part} ({config[other][part]})"
            )


def _check_univariate(name: str, experiment: dict, config: dict) -> None:
    """The paper's plateau has a middle point (``n`` odd); ``rebalances: other`` names another univariate
    experiment of the config on the same data, grid and seeds at another balance."""
    data = experiment["data"]
    if data.get("points") == "plateau" and data["n"] % 2 == 0:
        raise ConfigError(
            f"config key '{name}.data.n': value {data['n']} is not allowed with points 'plateau'; allowed: "
            "an odd number (the paper's 9: y = 1 at the three middle points)"
        )
    if experiment["grid"]["depth"] != [2]:
        raise ConfigError(
            f"config key '{name}.grid.depth': value {experiment['grid']['depth']} is not allowed; allowed: "
            "[2] (one hidden layer)"
        )
    other = experiment.get("rebalances")
    if other is None:
        return
    key = f"config key '{name}.rebalances'"
    if (
        other not in config
        or other == name
        or not isinstance(config[other], dict)
        or config[other].get("model") != "univariate"
    ):
        raise ConfigError(
            f"{key}: value {other!r} is not allowed; allowed: the name of another univariate experiment of "
            "the config"
        )
    for part in ("data", "grid", "seeds"):
        if experiment[part] != config[other][part]:
            raise ConfigError(
                f"config key '{name}.{part}': value {experiment[part]} is not allowed with {name}.rebalances "
                f"{other!r}; allowed: the same as {other}.{part} ({config[other][part]})"
            )
    if experiment.get("balance", 0.0) == config[other].get("balance", 0.0):
        raise ConfigError(
            f"config key '{name}.balance': value {experiment.get('balance', 0.0)} is not allowed with "
            f"{name}.rebalances {other!r}; allowed: a balance other than {other}'s "
            f"({config[other].get('balance', 0.0)})"
        )


def _check_network(name: str, experiment: dict) -> None:
    from ..networks.registry import DATASETS

    for dataset, sizes in experiment["data"].items():
        entry, key = DATASETS[dataset], f"{name}.data.{dataset}.path"
        if entry.local and "path" not in sizes:
            raise ConfigError(
                f"config key '{key}' is missing: data set {dataset!r} is read from a local copy (never "
                "downloaded); allowed: the folder of the copy"
            )
        if not entry.local and "path" in sizes:
            raise ConfigError(
                f"config key '{key}': value {sizes['path']!r} is not allowed; allowed: no path ({dataset!r} "
                "is generated, not read from a copy)"
            )
        if entry.local and entry.check is not None:
            from ..networks.local import DataCopyError
            from ..networks.registry import resolve

            try:
                held = resolve(entry.check)(sizes["path"], key)
            except DataCopyError as error:
                raise ConfigError(f"config key {error}") from None
            for split, count in (held or {}).items():  # the images the copy holds, where the check says
                if sizes.get(f"n_{split}", 0) > count:
                    raise ConfigError(
                        f"config key '{name}.data.{dataset}.n_{split}': value {sizes[f'n_{split}']} is not "
                        f"allowed; allowed: <= {count} (the images of the {split} split of the copy at "
                        f"{sizes['path']!r})"
                    )
        available = DATASETS[dataset].samples
        wanted = sizes["n_train"] + sizes["n_test"]
        if available is not None and wanted > available:
            raise ConfigError(
                f"config key '{name}.data.{dataset}.n_train': value {sizes['n_train']} is not allowed with "
                f"n_test {sizes['n_test']}; allowed: n_train + n_test <= {available} (the samples {dataset} "
                "has)"
            )
    from ..networks.registry import ARCHITECTURES

    for architecture in experiment["architectures"]:
        depths = ARCHITECTURES[architecture].depths
        if depths is not None and any(d not in depths for d in experiment["grid"]["depth"]):
            raise ConfigError(
                f"config key '{name}.grid.depth': value {experiment['grid']['depth']} is not allowed with "
                f"architecture {architecture!r}; allowed: {list(depths)} (its number of weight layers)"
            )
    steps = experiment["train"].get("steps")  # T (gauss_newton counts rounds instead)
    late = [k for k in experiment["grid"]["K"] if steps and k != "inf" and int(k) >= steps]
    if late:
        raise ConfigError(
            f"config key '{name}.grid.K': value {late} is not allowed with train.steps {steps}; allowed: K < "
            f'{steps} (T), or "inf" (a K >= T re-linearises at most at the last step: it trains as K = '
            "inf and would be a second name for it)"
        )
    if "cnn" in experiment["architectures"] and min(experiment["grid"]["depth"]) < 2:
        raise ConfigError(
            f"config key '{name}.grid.depth': value {experiment['grid']['depth']} is not allowed; allowed: "
            "integers >= 2 with architecture 'cnn'"
        )


def _check_matrix(name: str, experiment: dict) -> None:
    data = experiment["data"]
    d, n = data["d"], data["n"]
    if data["rank"] > d:
        raise ConfigError(
            f"config key '{name}.data.rank': value {data['rank']} is not allowed; allowed: <= {name}.data.d "
            f"({d})"
        )
    if "completion" in data["tasks"] and not 2 * d - 1 <= n <= d * d:
        raise ConfigError(
            f"config key '{name}.data.n': value {n} is not allowed; allowed: observed entries from 2d - 1 to "
            f"d^2 ({2 * d - 1} to {d * d}) for completion"
        )
    if "commuting" in data["tasks"] and not 1 <= n < d:
        raise ConfigError(
            f"config key '{name}.data.n': value {n} is not allowed; allowed: 1 to d - 1 ({d - 1}) for "
            "commuting (diagonal) measurements"
        )
    if experiment.get("limit", "gd") == "flow" and data["tasks"] != ["commuting"]:
        raise ConfigError(
            f"config key '{name}.limit': value 'flow' is not allowed with tasks {data['tasks']}; allowed: "
            "tasks [commuting] (the closed form needs commuting measurements), or limit 'gd'"
        )
    if "commuting" in data["tasks"] and (
        experiment.get("init", "gaussian") != "gaussian" or experiment["grid"]["depth"] != [2]
    ):
        raise ConfigError(
            f"config key '{name}.data.tasks': value {data['tasks']} is not allowed with init "
            f"{experiment.get('init', 'gaussian')!r} and depths {experiment['grid']['depth']}; allowed: "
            "commuting with init 'gaussian' and depth [2] (theorem 4 is about U V^T from N(0, alpha^2))"
        )


CHECKS = {
    "diagonal": _check_diagonal,
    "network": _check_network,
    "gauss_newton": _check_network,
    "matrix": _check_matrix,
}


def _check_consistency(config: dict) -> None:
    """Checks across keys, by family; and the experiments the figures draw must be of the figures' family."""
    from ..figures import ALSO, CATALOGUE

    for name in experiments(config):
        experiment = config[name]
        _check_grid(name, experiment)
        _check_sizes(name, experiment)
        CHECKS.get(experiment["model"], lambda *_: None)(name, experiment)
        if experiment["model"] == "diagonal":
            _check_halves(name, experiment, config)
        if experiment["model"] == "univariate":
            _check_univariate(name, experiment, config)
    for figure, needs in CATALOGUE.items():
        for name, family in (needs | ALSO.get(figure, {})).items():
            if name in config and config[name]["model"] != family:
                raise ConfigError(
                    f"config key '{name}.model': value {config[name]['model']!r} is not allowed; allowed: "
                    f"{family!r} (figure '{figure}' draws experiment '{name}'; name the experiment otherwise "
                    "to keep it out of the figure)"
                )


def check_devices(config: dict) -> None:
    """Refuse ``device: cuda[:N]`` where the jobs run on this machine and it has no such GPU (called
    by the workflow for local execution only: a cluster's login node has no GPU while its jobs do).
    torch is imported only when some experiment asks for a GPU by name."""
    asked = [
        (name, config[name]["device"])
        for name in experiments(config)
        if str(config[name].get("device", "auto")).startswith("cuda")
    ]
    if not asked:
        return
    import torch

    count = torch.cuda.device_count() if torch.cuda.is_available() else 0
    for name, device in asked:
        index = int(device.split(":")[1]) if ":" in device else 0
        if index >= count:
            raise ConfigError(
                f"config key '{name}.device': value {device!r} is not allowed on this machine; allowed: auto "
                f"or cpu{f', cuda or cuda:0..{count - 1}' if count else ''} (torch sees {count} CUDA "
                "device(s) here; on a cluster, run with its executor profile, whose jobs get the GPUs)"
            )


# Keys of an experiment whose change adds results beside the old ones (new files), never replaces them.
ADDITIVE = ("grid", "seeds", "claims", "architectures", "alphas_per_job", "Ks_per_job", "device")


def _differences(old, new, path: str) -> list[str]:
    """Where ``new`` changes a value ``old`` has: mappings compared on the keys both have (a key added
    since, such as a data set added beside the others or a new setting at its default, adds results)."""
    if isinstance(old, dict) and isinstance(new, dict):
        return [
            d
            for key in sorted(set(old) & set(new), key=str)
            for d in _differences(old[key], new[key], f"{path}.{key}")
        ]
    return [] if old == new else [f"{path}: {old!r} -> {new!r}"]


def check_overwrite(config: dict, folder=".") -> None:
    """Refuse a run whose experiments' results under ``folder`` were made with other settings (read from
    each ``results/<experiment>/provenance.json``): those jobs would run again and replace them.  A grid or
    seeds widened (``ADDITIVE``) only add results; ``overwrite: true`` lets the run replace them."""
    import json

    if config.get("overwrite"):
        return
    changed = []
    for name in experiments(config):
        record = Path(folder) / "results" / name / "provenance.json"
        try:
            old = json.loads(record.read_text())["config"]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # no results yet (or a record of another layout): nothing to replace
        new = {k: v for k, v in config[name].items() if k not in ADDITIVE}
        changed += _differences({k: v for k, v in old.items() if k not in ADDITIVE}, new, name)
    if changed:
        where = Path(folder).resolve()
        raise ConfigError(
            f"config key 'overwrite': value False is not allowed with these settings; {where} holds results "
            "made with other settings, which this run would replace:\n    "
            + "\n    ".join(changed[:10])
            + (f"\n    ... and {len(changed) - 10} more" if len(changed) > 10 else "")
            + "\n  allowed: write them elsewhere (--config outdir=<a new folder>), or replace them "
            "(--config overwrite=true)"
        )


def stacking_notice(files, config: dict) -> str:
    """A line for stacked config files whose later file moves ``outdir``: the experiments of the files
    before it are then planned again in the new folder (leave ``outdir`` out to add to the first's)."""
    files = list(files or ())
    if len(files) < 2:
        return ""
    first = read_yaml(files[0]).get("outdir", SETTINGS["outdir"]["default"])
    if config.get("outdir") == first:
        return ""
    return (
        f"note: the stacked config files write to outdir {config.get('outdir')!r}, not {first!r} (that of "
        f"{files[0]}): every experiment of the stack is planned there, those already run under {first!r} "
        "too; to add experiments beside those results, leave outdir out of the later files"
    )


def memory_bytes() -> int:
    """This machine's physical memory (a cluster job is bounded by its own ``mem_mb`` besides)."""
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # not a POSIX system: no estimate to compare with
        return 2**63


def size_estimate(experiment: dict) -> tuple[str, int]:
    """A lower bound on the memory one job of the experiment needs, in bytes, and the key that sets it:
    the arrays of one run alone (float64 data; its weights with their gradient and optimiser state), so
    a size refused here cannot run however the runs are batched."""
    model, data, grid = experiment["model"], experiment.get("data", {}), experiment.get("grid", {})
    widths = [w for w in grid.get("width", [1]) if isinstance(w, int)] or [1]
    if model == "diagonal":
        n = max([data["n"], *experiment.get("sample_complexity", {}).get("n", [])])
        return "data.d", 8 * (n + data["n_test"]) * data["d"]
    if model == "matrix":
        return "grid.width", 8 * 4 * data["d"] * max(widths) * max(grid.get("depth", [2]))
    if model == "network":
        largest = max(
            (sizes.get("n_train", 0) + sizes.get("n_test", 0) for sizes in data.values()), default=0
        )
        weights = 4 * 4 * max(grid.get("depth", [1])) * max(widths) ** 2
        key = "grid.width" if weights >= 8 * largest * 64 else "data.n_train"
        return key, weights + 8 * largest * 64
    return "", 0


def _check_sizes(name: str, experiment: dict) -> None:
    """Refuse a grid whose jobs cannot fit in this machine's memory (``size_estimate``), with the
    estimate and the limit, before any job starts (a width of 1e9 was planned and died of memory)."""
    key, need = size_estimate(experiment)
    limit = memory_bytes()
    if need > limit:
        raise ConfigError(
            f"config key '{name}.{key}': the sizes of experiment {name!r} need at least "
            f"{need / 2**30:.3g} GiB for one run; allowed: sizes whose runs fit this machine's "
            f"{limit / 2**30:.3g} GiB (lower {name}.{key})"
        )


def _yaml_float(text: str) -> str:
    """How to write a number so that PyYAML reads a float: a dot in the mantissa, a sign in the exponent
    (``1e-3`` -> ``1.0e-3``, ``1.0e4`` -> ``1.0e+4``)."""
    mantissa, _, exponent = text.strip().lower().partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    if exponent and exponent[0] not in "+-":
        exponent = "+" + exponent
    return mantissa + ("e" + exponent if exponent else "")


def _wanted(error: jsonschema.ValidationError) -> set:
    """The JSON types the failing schema asks for (every branch's, for a oneOf / anyOf); none where the
    value's type was right and a bound or a choice failed."""
    if error.validator == "type":
        wanted = error.validator_value
        return {wanted} if isinstance(wanted, str) else set(wanted)
    if error.validator in ("oneOf", "anyOf"):
        return {t for branch in error.validator_value for t in _wanted_of(branch)}
    return set()


def _wanted_of(schema: dict) -> set:
    kind = schema.get("type") if isinstance(schema, dict) else None
    return {kind} if isinstance(kind, str) else set(kind or ())


def _hint(error: jsonschema.ValidationError) -> str:
    """A hint derived from the value and the type the field asks for: the spelling that YAML reads as
    that type, or nothing where the type was right and a bound failed (``lr: 0.0`` is a number, and too
    small: no hint to write it otherwise)."""
    value, path = error.instance, list(error.absolute_path)
    last = path[-2] if len(path) > 1 and isinstance(path[-1], int) else (path[-1] if path else "")
    wanted = _wanted(error)
    if isinstance(value, float) and math.isinf(value) and last == "K":
        return " (K = infinity is the string 'inf': write \"inf\", not .inf)"
    if isinstance(value, float) and not math.isfinite(value):
        return " (numbers must be finite)"
    if isinstance(value, bool) and wanted & {"integer", "number"}:
        return f" (YAML reads {str(value).lower()} as a boolean)"
    numeric = isinstance(value, str) and _looks_numeric(value)
    number = float(value) if numeric else value
    # a numeric text that YAML reads as a number unquoted was quoted; one it reads as text (1e-3) was not
    as_written = load_yaml(value) if numeric else None
    quoted = isinstance(as_written, (int, float)) and not isinstance(as_written, bool)
    if "integer" in wanted and isinstance(number, float) and number.is_integer():
        return f" (an integer is wanted: write {int(number)}{' without quotes' if quoted else ''})"
    if "integer" in wanted and "number" not in wanted and isinstance(number, float):
        return " (an integer is wanted)"
    if "number" in wanted and numeric:
        if quoted:
            return f" (a number is wanted: write {value} without quotes)"
        return f" (a number is wanted: YAML reads {value} as a string; write {_yaml_float(value)})"
    return ""


def _looks_numeric(text: str) -> bool:
    """Text that reads as a finite number ('nan' and 'inf' are words here, not numbers to suggest)."""
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key repeated in one mapping (PyYAML keeps the last silently: a
    second ``sparse:`` block would drop the first, a second ``seeds:`` the first list)."""

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"key {key!r} appears twice (first at line {seen[key] + 1}): YAML would keep only the "
                    "last; write each key once",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep)


def load_yaml(text: str):
    """YAML ``text`` read as a config is read: safe types, a repeated key refused."""
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader)


def read_yaml(path) -> dict:
    """A config file's contents; a YAML syntax error names the file, the line and the column."""
    text = Path(path).read_text()
    try:
        data = load_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        line = text.splitlines()[mark.line] if mark and mark.line < len(text.splitlines()) else ""
        tabs = " (a tab: indent YAML with spaces only)" if "\t" in line else ""
        raise ConfigError(
            f"{where}: not valid YAML{tabs}: {getattr(error, 'problem', None) or error}\n    {line}"
        ) from None
    if data is None:
        raise ConfigError(
            f"{path}: the file is empty (or holds only comments); a config is a mapping of experiment names "
            "to their settings (config.yaml shows every experiment; docs/config.md every key)"
        )
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: a config is a mapping of experiment names to their settings, got {type(data).__name__}"
        )
    return data


def load_config(path) -> dict:
    """One config file read as a run reads it (``resolve_config``: extension paths relative to the file)
    and checked."""
    return validate(resolve_config([path]))


def main(argv=None) -> int:
    """``python -m regimes.pipeline.config FILE...``: check config files before a run (a YAML syntax error
    with its file and line, then every value with its key); exit 1 on the first bad file."""
    import sys

    for path in argv if argv is not None else sys.argv[1:]:
        try:
            config = load_config(path)
        except ConfigError as error:
            print(error, file=sys.stderr)
            return 1
        names = ", ".join(f"{name} ({config[name]['model']})" for name in experiments(config))
        print(f"{path}: valid ({names})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
