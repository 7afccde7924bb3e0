"""Code versions: a hash of exactly the library modules a workflow script runs, so that editing one of
them reruns the jobs that use it, and only those (a rule's ``params: code=``).

The modules a script runs are found from its imports: every ``regimes`` module it imports, the modules
those import, and so on, with the packages' ``__init__.py`` files on the way (Python runs them too).
"""

from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path

__all__ = ["PACKAGE", "modules_run_by", "code_version"]

PACKAGE = Path(__file__).resolve().parents[1]  # the installed regimes package: the code that will run


def _module_files(dotted: str) -> list[Path]:
    """``regimes.a.b`` -> the files Python runs to import it (package ``__init__``s, then the module)."""
    parts = dotted.split(".")
    if parts[0] != PACKAGE.name:
        return []
    files, here = [], PACKAGE.parent
    for i, part in enumerate(parts):
        here = here / part
        if here.is_dir():
            files.append(here / "__init__.py")
        elif here.with_suffix(".py").exists() and i == len(parts) - 1:
            files.append(here.with_suffix(".py"))
        else:
            break
    return [f for f in files if f.exists()]


def _dotted(file: Path) -> str:
    rel = file.resolve().relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(file: Path) -> set[str]:
    """The dotted names of the ``regimes`` modules ``file`` imports (relative imports resolved)."""
    tree = ast.parse(Path(file).read_text(), filename=str(file))
    inside = Path(file).resolve().is_relative_to(PACKAGE)
    package = _dotted(file).split(".") if inside else []
    if inside and Path(file).name != "__init__.py":
        package = package[:-1]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)  # ``from pkg import module``
    return {n for n in names if n.split(".")[0] == PACKAGE.name}


@functools.cache
def _closure(script: Path) -> tuple[Path, ...]:
    seen: set[Path] = set()
    todo = [f for name in _imports(script) for f in _module_files(name)]
    while todo:
        file = todo.pop()
        if file in seen:
            continue
        seen.add(file)
        todo += [f for name in _imports(file) for f in _module_files(name)]
    return tuple(sorted(seen))


def modules_run_by(script) -> list[str]:
    """The library files ``script`` runs, relative to the package's parent (``regimes/diagonal/gd.py``)."""
    return [str(f.relative_to(PACKAGE.parent)) for f in _closure(Path(script).resolve())]


def code_version(script) -> str:
    """Hash of the contents of every library module ``script`` runs (12 hex digits)."""
    digest = hashlib.sha1()
    for file in _closure(Path(script).resolve()):
        digest.update(str(file.relative_to(PACKAGE.parent)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:12]
