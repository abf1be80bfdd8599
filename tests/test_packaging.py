"""Packaging: every third-party import of the package is a declared dependency,
the version has one source, and the license and typing marker ship."""

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


def _imported_top_level_modules():
    names = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names.add(node.module.split(".")[0])
    return names - {"skdeep"}


def test_every_third_party_import_is_a_declared_dependency():
    declared = {re.split(r"[<>=!~ ;\[]", req)[0].lower()
                for req in _pyproject()["project"]["dependencies"]}
    third_party = {name for name in _imported_top_level_modules()
                   if name not in sys.stdlib_module_names}
    missing = {DISTRIBUTIONS.get(name, name) for name in third_party} - declared
    assert not missing


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
