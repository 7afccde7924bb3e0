"""The schema rejects bad input with a message naming the key, the value and what is allowed."""

import copy
from pathlib import Path

import pytest
import yaml

from regimes.claims import CLAIMS
from regimes.pipeline.config import ConfigError, experiments, load_config, load_schema, validate
from regimes.pipeline.families import FAMILIES

GOOD = {
    "sparse": {
        "model": "diagonal",
        "data": {"n": 20, "d": 60, "sparsity": 2, "noise": 0.1, "n_test": 50},
        "grid": {"alpha": [0.01, 1.0], "depth": [2, 3], "width": [1], "K": [1]},
        "seeds": [0, 1],
    }
}


def _bad(path, value):
    cfg = copy.deepcopy(GOOD)
    node = cfg
    for key in path[:-1]:
        node = node[key]
    if isinstance(path[-1], int):
        node[path[-1]] = value
    else:
        node[path[-1]] = value
    return cfg


def test_good_config_gets_defaults():
    cfg = validate(copy.deepcopy(GOOD))
    assert cfg["sparse"]["train"]["step_scale"] == 0.5
    assert cfg["sparse"]["claims"] == list(CLAIMS["diagonal"])
    assert "sample_complexity" not in cfg["sparse"]  # computed only when asked for
    cfg = copy.deepcopy(GOOD)
    cfg["sparse"]["sample_complexity"] = {"n": [10, 20], "alpha": [0.01, 1.0], "depth": [2], "seeds": [0]}
    assert validate(cfg)["sparse"]["sample_complexity"]["threshold"] == 0.025


def test_the_schema_takes_its_choices_from_the_code():
    schema = load_schema()
    assert schema["additionalProperties"]["properties"]["model"]["enum"] == list(FAMILIES)
    for family in FAMILIES:
        assert schema["$defs"][family]["properties"]["model"]["const"] == family
        assert schema["$defs"][family]["properties"]["claims"]["items"]["enum"] == list(CLAIMS[family])


@pytest.mark.parametrize(
    "change,words",
    [
        (lambda c: c["sparse"].pop("model"), ["config key 'sparse'", "'model' is a required property"]),
        (
            lambda c: c["sparse"].update(model="diagnal"),
            [
                "config key 'sparse.model'",
                "'diagnal'",
                "'diagonal', 'network', 'matrix', 'teacher', 'univariate'",
            ],
        ),
        (
            lambda c: c["sparse"].update(claims=["kernel"]),
            ["config key 'sparse.claims[0]'", "'kernel'", "'transition', 'kernel_limit'"],
        ),
        (lambda c: c.update(other=[1, 2]), ["config key 'other'", "[1, 2]", "object"]),
    ],
)
def test_every_experiment_names_a_known_family(change, words):
    cfg = copy.deepcopy(GOOD)
    change(cfg)
    with pytest.raises(ConfigError) as err:
        validate(cfg)
    for word in words:
        assert word in str(err.value)


def test_an_experiment_a_figure_draws_must_be_of_the_figures_family(root):
    smoke = yaml.safe_load((root / "config/smoke.yaml").read_text())
    with pytest.raises(
        ConfigError, match=r"'sparse.model'.*'network'.*allowed: 'diagonal'.*figure 'sparse_transition'"
    ):
        validate({"sparse": smoke["linearised"]})
    renamed = validate(
        {"my_networks": copy.deepcopy(smoke["linearised"]), "my_sparse": copy.deepcopy(GOOD["sparse"])}
    )
    assert experiments(renamed) == ["my_networks", "my_sparse"] and renamed["outdir"] == "."


@pytest.mark.parametrize(
    "path,value,words",
    [
        (("sparse", "grid", "alpha"), [-0.1], ["sparse.grid.alpha[0]", "-0.1", "> 0"]),
        (("sparse", "grid", "alpha"), ["1e-3"], ["sparse.grid.alpha[0]", "'1e-3'", "1.0e-3"]),
        (("sparse", "grid", "depth"), [0], ["sparse.grid.depth[0]", "0", ">= 2"]),
        (("sparse", "grid", "K"), ["infinity"], ["sparse.grid.K[0]", "'infinity'", "'inf'"]),
        (("sparse", "data", "noise"), -1.0, ["sparse.data.noise", "-1.0", ">= 0"]),
        (("sparse", "grid", "width"), [3], ["sparse.grid.width", "[1]"]),
        (("sparse", "data", "sparsity"), 100, ["sparse.data.sparsity", "100", "sparse.data.d"]),
    ],
)
def test_bad_values_are_named(path, value, words):
    with pytest.raises(ConfigError) as err:
        validate(_bad(path, value))
    for word in words:
        assert word in str(err.value)


def test_unknown_key_is_named():
    cfg = copy.deepcopy(GOOD)
    cfg["sparse"]["grid"]["alpha_values"] = [1.0]
    with pytest.raises(
        ConfigError, match=r"sparse\.grid\.alpha_values.*unknown key; allowed keys: K, alpha, depth, width"
    ):
        validate(cfg)
    cfg = copy.deepcopy(GOOD)
    cfg["sprase"] = {"model": "diagonal"}
    with pytest.raises(ConfigError, match="'sprase'"):
        validate(cfg)


def test_yaml_exponent_without_dot_is_caught(tmp_path):
    text = yaml.safe_dump(GOOD).replace("- 0.01", "- 1e-2")
    path = tmp_path / "c.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"YAML reads 1e-2 as a string; write 1\.0e-2"):
        load_config(path)


@pytest.mark.parametrize("name", ["config.yaml", "config/smoke.yaml", "examples/toy_extension.yaml"])
def test_shipped_configs_are_valid(root, name):
    load_config(root / name)


def test_the_config_check_reads_extensions_relative_to_the_config_file(root, tmp_path, monkeypatch, capsys):
    """``make check-config CONFIG=examples/toy_extension.yaml`` (``python -m regimes.pipeline.config``)
    from any working directory: the extension's path is the config file's business, as in a run (what
    would catch the check resolving it against the working directory and refusing the shipped
    example)."""
    from regimes.pipeline.config import main

    monkeypatch.chdir(tmp_path)
    assert main([str(root / "examples" / "toy_extension.yaml")]) == 0
    assert "toy_extension.yaml: valid" in capsys.readouterr().out


SMOKE_NEW = ("width", "matrix_factorisation", "nonlinear", "nonlinear_teacher", "univariate")


@pytest.fixture
def smoke(root):
    return yaml.safe_load((root / "config/smoke.yaml").read_text())


@pytest.mark.parametrize(
    "experiment,path,value,words",
    [
        (
            "width",
            ("data", "tasks"),
            ["sparse"],
            ["width.data.tasks[0]", "'sparse'", "'sensing', 'completion'"],
        ),
        ("width", ("data", "n"), 500, ["width.data.n", "500", "11 to 36"]),
        ("width", ("data", "rank"), 9, ["width.data.rank", "9", "width.data.d"]),
        ("width", ("grid", "K"), [5], ["width.grid.K[0]", "5", "exactly 1"]),
        (
            "matrix_factorisation",
            ("init",),
            "zero",
            ["matrix_factorisation.init", "'zero'", "'gaussian', 'unbiased'"],
        ),
        ("matrix_factorisation", ("grid", "width"), [0], ["matrix_factorisation.grid.width[0]", "0", ">= 1"]),
        (
            "matrix_factorisation",
            ("train", "tol"),
            "1e-7",
            ["matrix_factorisation.train.tol", "'1e-7'", "write 1.0e-7"],
        ),
        ("nonlinear", ("centre_output",), "yes", ["nonlinear.centre_output", "'yes'", "boolean"]),
        ("nonlinear", ("architectures",), ["resnet"], ["nonlinear.architectures[0]", "'resnet'", "'rf'"]),
        (
            "nonlinear_teacher",
            ("data", "teacher_width"),
            0,
            ["nonlinear_teacher.data.teacher_width", "0", ">= 1"],
        ),
        (
            "nonlinear_teacher",
            ("train", "step_scale"),
            3.0,
            ["nonlinear_teacher.train.step_scale", "3.0", "<= 1"],
        ),
        ("univariate", ("data", "n"), 1, ["univariate.data.n", "1", ">= 3"]),
        ("univariate", ("grid", "alpha"), [0.0], ["univariate.grid.alpha[0]", "0.0", "> 0"]),
        (
            "univariate",
            ("data", "points"),
            "grid",
            ["univariate.data.points", "'grid'", "'plateau', 'random'"],
        ),
        ("univariate", ("balance",), 2.0, ["univariate.balance", "2.0", "<= 1"]),
        ("univariate", ("train", "plateau_loss"), 0.0, ["univariate.train.plateau_loss", "0.0", "> 0"]),
    ],
)
def test_new_experiment_keys_reject_bad_values(smoke, experiment, path, value, words):
    node = smoke[experiment]
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ConfigError) as err:
        validate({experiment: smoke[experiment]})
    for word in words:
        assert word in str(err.value)


@pytest.mark.parametrize("experiment", SMOKE_NEW)
def test_new_experiments_reject_unknown_keys_and_fill_defaults(smoke, experiment):
    cfg = validate({experiment: copy.deepcopy(smoke[experiment])})
    assert "max_steps" in cfg[experiment]["train"] or "steps" in cfg[experiment]["train"]
    bad = copy.deepcopy(smoke[experiment])
    bad["alpha"] = [1.0]
    with pytest.raises(ConfigError, match=rf"{experiment}\.alpha.*unknown key"):
        validate({experiment: bad})


BAD = yaml.safe_load((Path(__file__).parent / "bad_configs.yaml").read_text())


def _hostile_count():
    """tools/hostile_count.py, which applies a case the way this test does (and counts them for a report)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "hostile_count", Path(__file__).parents[2] / "tools" / "hostile_count.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("case", BAD, ids=[case["name"] for case in BAD])
def test_every_bad_config_is_refused_with_key_value_and_what_is_allowed(root, tmp_path, case):
    """Refused by the config check (a ``ConfigError``, not another traceback, nor accepted), the message
    holding every word the case expects and none it must not."""
    verdict, text = _hostile_count().config_case(case, root / "config" / "smoke.yaml", tmp_path)
    assert verdict == "named", (verdict, text)


def test_an_override_merges_into_its_experiment(root):
    from regimes.pipeline.config import resolve_config

    smoke = root / "config" / "smoke.yaml"
    config = validate(
        resolve_config([smoke], ["sparse={seeds: [0, 1, 2], train: {tol: 1.0e-8}}", "outdir=elsewhere"])
    )
    assert config["sparse"]["seeds"] == [0, 1, 2] and config["sparse"]["train"]["tol"] == 1e-8
    assert config["sparse"]["grid"] == yaml.safe_load(smoke.read_text())["sparse"]["grid"]  # the rest stays
    assert config["outdir"] == "elsewhere"


def test_stacked_configfiles_merge_in_order(root, tmp_path):
    from regimes.pipeline.config import resolve_config

    extra = tmp_path / "more_seeds.yaml"
    extra.write_text("sparse:\n  seeds: [0, 1, 2, 3, 4]\n")
    config = validate(resolve_config([root / "config" / "smoke.yaml", extra]))
    assert config["sparse"]["seeds"] == [0, 1, 2, 3, 4] and config["sparse"]["data"]["d"] == 60


def test_the_command_line_checker_names_file_and_line(tmp_path):
    import subprocess
    import sys

    bad = tmp_path / "bad.yaml"
    bad.write_text("sparse:\n  model: diagonal\n\tdata: 1\n")
    proc = subprocess.run(
        [sys.executable, "-m", "regimes.pipeline.config", str(bad)], capture_output=True, text=True
    )
    assert proc.returncode == 1 and f"{bad}, line 3" in proc.stderr


@pytest.mark.parametrize(
    "change,words",
    [
        (lambda c: c["univariate"]["data"].update(n=6), ["univariate.data.n", "6", "odd"]),
        (lambda c: c["univariate"]["grid"].update(depth=[3]), ["univariate.grid.depth", "[3]", "[2]"]),
        (
            lambda c: c["univariate_half"].update(rebalances="sparse"),
            ["univariate_half.rebalances", "'sparse'", "another univariate experiment"],
        ),
        (
            lambda c: c["univariate_half"].update(rebalances="univariate_half"),
            ["univariate_half.rebalances", "another univariate experiment"],
        ),
        (
            lambda c: c["univariate_half"].update(seeds=[0, 1]),
            ["univariate_half.seeds", "[0, 1]", "the same as univariate.seeds"],
        ),
        (
            lambda c: c["univariate_half"].update(balance=0.0),
            ["univariate_half.balance", "0.0", "a balance other than univariate's"],
        ),
    ],
)
def test_univariate_set_ups_are_checked_before_any_job(smoke, change, words):
    """The paper's plateau needs a middle point; a rebalanced experiment must differ from the one it
    repeats in its balance alone (else the balance claims compare unlike runs)."""
    cfg = {name: copy.deepcopy(smoke[name]) for name in ("sparse", "univariate", "univariate_half")}
    change(cfg)
    with pytest.raises(ConfigError) as err:
        validate(cfg)
    for word in words:
        assert word in str(err.value)


def test_outdir_is_expanded_and_an_unwritable_one_is_refused(root, tmp_path, monkeypatch):
    """``~`` and ``$VARS`` expand as a data ``path`` does (they made literal ``./~`` folders); a folder
    this user cannot write is refused by name before any job (the tests run as root, so the check of
    write access is stood in for)."""
    from regimes.pipeline import config as module

    smoke = yaml.safe_load((root / "config" / "smoke.yaml").read_text())
    monkeypatch.setenv("REGIMES_TEST_RUNS", str(tmp_path))
    checked = validate(dict(copy.deepcopy(smoke), outdir="$REGIMES_TEST_RUNS/smoke"))
    assert checked["outdir"] == f"{tmp_path}/smoke"
    monkeypatch.setenv("HOME", str(tmp_path))
    assert validate(dict(copy.deepcopy(smoke), outdir="~/runs"))["outdir"] == f"{tmp_path}/runs"
    monkeypatch.setattr(module.os, "access", lambda *_: False)
    with pytest.raises(ConfigError, match=r"'outdir'.*not writable by this user"):
        validate(dict(copy.deepcopy(smoke), outdir=str(tmp_path / "runs")))


def test_the_paper_tier_at_copies_smaller_than_it_asks_for_is_refused_before_any_job(
    root, tmp_path, monkeypatch
):
    """config/paper.yaml reads MNIST and CIFAR-10 from local copies; copies with fewer images than its
    ``n_train`` / ``n_test`` are refused at planning, naming the key, the value and the copy's count (the
    check used to look only at which files exist, and the job failed hours later)."""
    from regimes.networks import local
    from regimes.pipeline.config import resolve_config

    local.write_mnist_copy(tmp_path / "mnist", n_train=59, n_test=30)
    local.write_cifar10_copy(tmp_path, per_batch=20, n_test=10)
    monkeypatch.setenv("REGIMES_DATA", str(tmp_path))
    config = resolve_config([root / "config" / "paper.yaml"])
    with pytest.raises(
        ConfigError, match=r"cifar10.n_train': value 50000 is not allowed; allowed: <= 100 \(the"
    ):
        validate(copy.deepcopy(config))
    for name in [n for n, e in config.items() if isinstance(e, dict) and "cifar10" in e.get("data", {})]:
        del config[name]
    with pytest.raises(
        ConfigError, match=r"mnist.n_train': value 60000 is not allowed; allowed: <= 59 \(the"
    ):
        validate(config)


def test_a_gpu_asked_for_by_name_on_a_machine_without_one_is_refused_before_any_job(root, monkeypatch):
    """``device: cuda`` failed only in the training job; where the jobs run on this machine the workflow
    now refuses it at planning, naming the key (auto and cpu never need a GPU; cuda:N needs N + 1)."""
    import torch

    from regimes.pipeline.config import check_devices

    config = validate(yaml.safe_load((root / "config" / "smoke.yaml").read_text()))
    check_devices(config)  # the smoke config: device auto
    config["linearised"]["device"] = "cuda"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ConfigError, match=r"'linearised.device': value 'cuda' .*allowed: auto or cpu \("):
        check_devices(config)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    check_devices(config)
    config["linearised"]["device"] = "cuda:2"
    with pytest.raises(ConfigError, match=r"allowed: auto or cpu, cuda or cuda:0..1 \(torch sees 2"):
        check_devices(config)


def test_results_made_with_other_settings_are_not_replaced_without_overwrite(root, tmp_path):
    """One output folder holds one config's results: a run that would retrain an experiment with other
    settings (its data, its train keys) is refused naming what differs; widening the grid or the seeds, or
    adding a data set beside the others, only adds results; ``overwrite: true`` replaces."""
    import json

    from regimes.pipeline.config import check_overwrite

    config = validate(yaml.safe_load((root / "config" / "smoke.yaml").read_text()))
    check_overwrite(config, tmp_path)  # an empty folder
    for name in ("sparse", "nonlinear"):
        (tmp_path / "results" / name).mkdir(parents=True)
        (tmp_path / "results" / name / "provenance.json").write_text(json.dumps({"config": config[name]}))
    check_overwrite(config, tmp_path)  # the same settings
    wider = copy.deepcopy(config)
    wider["sparse"]["seeds"] = [0, 1, 2, 3, 4]
    wider["sparse"]["grid"]["alpha"] = [1.0e-3, 1.0e-2, 0.1, 1.0]
    wider["nonlinear"]["data"]["mnist"] = {"n_train": 100, "n_test": 50, "seed": 0, "path": "/copies/mnist"}
    check_overwrite(wider, tmp_path)
    changed = copy.deepcopy(config)
    changed["sparse"]["train"]["tol"] = 1.0e-8
    changed["sparse"]["data"]["noise"] = 0.2
    with pytest.raises(ConfigError) as err:
        check_overwrite(changed, tmp_path)
    text = str(err.value)
    assert "config key 'overwrite'" in text and str(tmp_path) in text
    assert "sparse.data.noise: 0.1 -> 0.2" in text and "sparse.train.tol: 1e-09 -> 1e-08" in text
    assert "--config outdir=" in text and "--config overwrite=true" in text
    check_overwrite({**changed, "overwrite": True}, tmp_path)


def test_stacked_files_that_move_outdir_are_told_everything_is_planned_there(root, tmp_path):
    from regimes.pipeline.config import resolve_config, stacking_notice

    smoke = root / "config" / "smoke.yaml"
    adds = tmp_path / "adds.yaml"
    adds.write_text("sparse:\n  seeds: [0, 1, 2]\n")
    moves = tmp_path / "moves.yaml"
    moves.write_text("outdir: runs/mine\nsparse:\n  seeds: [0, 1, 2]\n")
    assert stacking_notice([smoke], resolve_config([smoke])) == ""
    assert stacking_notice([smoke, adds], resolve_config([smoke, adds])) == ""
    notice = stacking_notice([smoke, moves], resolve_config([smoke, moves]))
    assert "'runs/mine', not 'runs/smoke'" in notice and "leave outdir out of the later files" in notice
