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


def _modules(nodes):
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names - {"skdeep"}


def _imported_top_level_modules(when="any"):
    """Top-level modules the package imports: ``'lazy'`` inside functions
    (only when called), ``'import'`` when a module is imported, or ``'any'``."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        lazy = {id(node) for function in ast.walk(tree)
                if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
                for node in ast.walk(function)}
        nodes = [node for node in ast.walk(tree)
                 if when == "any" or (id(node) in lazy) == (when == "lazy")]
        names |= _modules(nodes)
    return names


def _names(requirements):
    return {re.split(r"[<>=!~ ;\[]", req)[0].lower() for req in requirements}


def _third_party(names):
    return {DISTRIBUTIONS.get(name, name) for name in names
            if name not in sys.stdlib_module_names}


def test_every_third_party_import_is_a_declared_dependency():
    # importing skdeep needs the core dependencies only
    declared = _names(_pyproject()["project"]["dependencies"])
    missing = _third_party(_imported_top_level_modules("import")) - declared
    assert not missing


def test_every_lazy_import_is_a_core_or_extra_dependency():
    # a function may import an extra's package (skdeep.parallel: threadpoolctl)
    project = _pyproject()["project"]
    declared = _names(project["dependencies"]) | {
        name for extra in project["optional-dependencies"].values()
        for name in _names(extra)}
    missing = _third_party(_imported_top_level_modules("lazy")) - declared
    assert not missing


def test_the_core_dependencies_are_scikit_learns_own():
    # threadpoolctl and scipy are scikit-learn's dependencies too: declaring
    # them (for `python -m skdeep`'s one BLAS thread, L-BFGS and sparse input)
    # installs nothing scikit-learn does not
    assert _names(_pyproject()["project"]["dependencies"]) == {
        "numpy", "scipy", "scikit-learn", "threadpoolctl"}


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


def test_ci_runs_the_readme_test_command_with_the_extras():
    # .ci/run installs what the README's test command installs, and runs it
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r'^(pip install -e "\.\[([\w,]+)\]") && '
                        r"(python -m pytest -q)$", readme, flags=re.MULTILINE)
    assert command, "README lost its test command"
    install, extras, test = command.groups()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert install in ci and test in ci
    assert {"test", "distributed"} <= set(extras.split(","))
    assert set(extras.split(",")) <= set(_pyproject()["project"][
        "optional-dependencies"])
