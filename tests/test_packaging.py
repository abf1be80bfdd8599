"""Packaging: every third-party import of the package is a declared dependency
(optional extras only inside functions), the version has one source, and the
license and typing marker ship."""

import ast
import re
import sys
from pathlib import Path

import pytest

import skdeep

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = Path(skdeep.__file__).parent
# import name -> distribution name, where they differ
DISTRIBUTIONS = {"sklearn": "scikit-learn"}


def _pyproject():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _imported_names(node):
    if isinstance(node, ast.Import):
        return {alias.name.split(".")[0] for alias in node.names}
    if isinstance(node, ast.ImportFrom) and node.level == 0:
        return {node.module.split(".")[0]}
    return set()


def _imported_top_level_modules(lazy=None):
    """Top-level names the package imports; ``lazy=True``: only those imported
    inside a function, ``False``: only those imported when a module loads."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        in_functions = set()
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                in_functions.update(map(id, ast.walk(node)))
        for node in ast.walk(tree):
            if lazy is None or (id(node) in in_functions) == lazy:
                names |= _imported_names(node)
    return names - {"skdeep"}


def _requirement_names(requirements):
    return {re.split(r"[<>=!~ ;\[]", req)[0].lower() for req in requirements}


def test_every_third_party_import_is_a_declared_dependency():
    project = _pyproject()["project"]
    declared = _requirement_names(project["dependencies"])
    third_party = {name for name in _imported_top_level_modules(lazy=False)
                   if name not in sys.stdlib_module_names}
    missing = {DISTRIBUTIONS.get(name, name) for name in third_party} - declared
    assert not missing
    # optional extras (matplotlib for skdeep.inspection) only inside functions,
    # so that `import skdeep` never needs them
    optional = set().union(*map(_requirement_names,
                                project["optional-dependencies"].values()))
    lazy = {DISTRIBUTIONS.get(name, name)
            for name in _imported_top_level_modules(lazy=True)
            if name not in sys.stdlib_module_names}
    assert not lazy - declared - optional, lazy - declared - optional


def test_every_declared_dependency_is_imported():
    declared = {re.split(r"[<>=!~ ;\[]", req)[0].lower()
                for req in _pyproject()["project"]["dependencies"]}
    imported = {DISTRIBUTIONS.get(name, name).lower()
                for name in _imported_top_level_modules()}
    assert declared <= imported, declared - imported


def test_the_version_has_one_source():
    project = _pyproject()["project"]
    assert "version" not in project and "version" in project["dynamic"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", skdeep.__version__)


def test_license_and_typing_marker_ship():
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert (PACKAGE / "py.typed").exists()
