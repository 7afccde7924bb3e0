"""Code versions: each script is hashed with exactly the library modules it runs."""

from regimes.pipeline.code import code_version, modules_run_by

from ..conftest import ROOT

SCRIPTS = ROOT / "workflow" / "scripts"


def test_a_figure_script_runs_its_figure_module_and_the_shared_style_only():
    run = modules_run_by(SCRIPTS / "figures/width.py")
    assert "regimes/figures/matrix.py" in run and "regimes/figures/style.py" in run
    assert "regimes/figures/diagonal.py" not in run and "regimes/figures/nonlinear.py" not in run


def test_training_scripts_run_their_family_and_analysis_scripts_no_trainer():
    train = modules_run_by(SCRIPTS / "diagonal/train.py")
    assert {
        "regimes/diagonal/mirror.py",
        "regimes/diagonal/gd.py",
        "regimes/batched.py",
        "regimes/grid.py",
    } <= set(train)
    # Every job loads the config's extensions into the network registry (torch-free); nothing else of
    # another family.
    others = [m for m in train if m.startswith(("regimes/networks/", "regimes/matrix/"))]
    assert others == ["regimes/networks/__init__.py", "regimes/networks/registry.py"], others
    analyse = modules_run_by(SCRIPTS / "diagonal/analyse.py")
    assert "regimes/diagonal/exact.py" in analyse
    assert not {"regimes/diagonal/gd.py", "regimes/diagonal/mirror.py", "regimes/batched.py"} & set(analyse)


def test_every_script_of_the_workflow_has_a_version():
    scripts = sorted(SCRIPTS.rglob("*.py"))
    assert len(scripts) >= 30
    versions = {s: code_version(s) for s in scripts}
    assert all(len(v) == 12 for v in versions.values())
    # Scripts that run the same modules share a version; a figure and a trainer do not.
    assert versions[SCRIPTS / "figures/width.py"] == versions[SCRIPTS / "figures/matrix_factorisation.py"]
    assert versions[SCRIPTS / "figures/width.py"] != versions[SCRIPTS / "diagonal/train.py"]


def test_relative_and_absolute_imports_are_followed(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("import regimes.kernels\nfrom regimes.figures import style\n")
    run = modules_run_by(script)
    assert {
        "regimes/__init__.py",
        "regimes/kernels.py",
        "regimes/figures/__init__.py",
        "regimes/figures/style.py",
        "regimes/pipeline/io.py",
    } <= set(run)
    other = tmp_path / "t.py"
    other.write_text("import numpy\n")
    assert modules_run_by(other) == []
