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
    # Nothing of another family: the network registry (and the extensions it loads) only where a script
    # imports it.
    others = [m for m in train if m.startswith(("regimes/networks/", "regimes/matrix/"))]
    assert others == [], others
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


def _scripts(*folders):
    return [s for f in folders for s in sorted((SCRIPTS / f).glob("*.py"))]


def _run_by_any(scripts) -> set[str]:
    return {m for s in scripts for m in modules_run_by(s)}


def test_a_family_module_versions_no_job_of_another_family():
    """Would catch: shared plumbing (``regimes.pipeline``) importing a family's module, so that editing
    it reruns every job.  Editing a module changes the version of exactly the scripts that run it, so: a
    diagonal module is run by no network, teacher or univariate job (the matrix references reuse the
    diagonal model's exact limit, sec. 6's commuting case, and only that), and a network module by no
    diagonal or matrix job."""
    diagonal = {m for m in _run_by_any(_scripts("diagonal")) if m.startswith("regimes/diagonal/")}
    assert {"regimes/diagonal/gd.py", "regimes/diagonal/mirror.py", "regimes/diagonal/exact.py"} <= diagonal
    assert not diagonal & _run_by_any(_scripts("networks", "teacher", "univariate"))
    assert diagonal & _run_by_any(_scripts("matrix")) <= {
        "regimes/diagonal/__init__.py",
        "regimes/diagonal/exact.py",
        "regimes/diagonal/potential.py",
    }
    networks = {m for m in _run_by_any(_scripts("networks", "teacher", "univariate")) if "/networks/" in m}
    assert {"regimes/networks/ensemble.py", "regimes/networks/teacher.py"} <= networks
    assert not networks & _run_by_any(_scripts("diagonal", "matrix"))
    # the teacher's and the univariate network's trainers are their own modules
    teacher = set(modules_run_by(SCRIPTS / "teacher/train.py"))
    assert "regimes/networks/univariate.py" not in teacher and "regimes/networks/ensemble.py" not in teacher


def test_the_pipeline_package_imports_no_science():
    """``regimes.pipeline`` is plumbing: io, provenance, the start of a job, code versions, run
    comparison.  Its modules import nothing of the package outside it but the grid's spelling of values
    (``regimes.grid``) and, for the config check, the registries that list what a config may name."""
    import ast

    package = ROOT / "src" / "regimes" / "pipeline"
    for module in package.glob("*.py"):
        if module.name == "config.py":
            continue  # validates the science's names against the registries (docs/extending.md)
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 2:
                assert node.module == "grid", (module.name, node.module)
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                assert not node.module.startswith("regimes.") or node.module.startswith(
                    ("regimes.pipeline", "regimes.grid")
                ), (module.name, node.module)
