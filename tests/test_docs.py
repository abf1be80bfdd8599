"""The documentation's sources agree with the code: the gallery's list of
examples, the API reference, the toctrees and the declared checks.

The site itself is built by ``.ci/run`` (Sphinx with warnings as errors); these
tests catch the same drift in the default suite, without Sphinx.
"""

import ast
import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS, EXAMPLES = ROOT / "docs", ROOT / "examples"


def _gallery_config():
    spec = importlib.util.spec_from_file_location("gallery_config",
                                                  DOCS / "gallery_config.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GALLERY = _gallery_config()
SCRIPTS = sorted(EXAMPLES.glob("*.py"))


def test_the_gallery_lists_every_example_and_runs_at_least_eight():
    assert {p.name for p in SCRIPTS} == set(GALLERY.EXAMPLES)
    executed = [name for name, argv in GALLERY.EXAMPLES.items() if argv is not None]
    assert len(executed) >= 8
    for name in GALLERY.EXAMPLES:
        matched = re.search(GALLERY.FILENAME_PATTERN, f"/x/examples/{name}")
        assert bool(matched) == (name in executed), name


def test_reset_argv_gives_each_example_its_arguments():
    for name, argv in GALLERY.EXAMPLES.items():
        script_vars = {"src_file": str(EXAMPLES / name)}
        assert GALLERY.reset_argv({}, script_vars) == list(argv or [])


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_example_is_ready_for_the_gallery(path):
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree, clean=False)
    # sphinx-gallery takes the page title from an underlined first line
    lines = docstring.strip("\n").splitlines()
    assert len(lines) > 2 and set(lines[1]) == {"="}, path.name
    assert len(lines[1]) == len(lines[0]), f"{path.name}: underline length"
    # the gallery runs the file in the Sphinx process, where __file__ does not
    # exist and sys.exit(0) would end the build; data never come from ../shared
    assert "__file__" not in source
    assert "sys.exit(main())" not in source
    assert "shared/data" not in source and '"shared"' not in source
    # the closing text block names the command whose output the page shows
    tail = source[source.rindex("# %%"):]
    text = " ".join(line.lstrip("# ").strip() for line in tail.splitlines()
                    if line.startswith("#"))
    if GALLERY.EXAMPLES[path.name] is None:
        assert "do not run this example" in text, path.name
    else:
        assert f"``{GALLERY.command(path.name)}``" in text, (path.name, text)


def _toctree_entries(page):
    entries = []
    for block in re.findall(r"```\{toctree\}\n(.*?)```", page.read_text(
            encoding="utf-8"), flags=re.DOTALL):
        entries += [line.strip() for line in block.splitlines()
                    if line.strip() and not line.startswith(":")]
    return entries


def test_every_page_is_in_a_toctree():
    # a page in no toctree fails the -W build; say which one here already
    listed = set(_toctree_entries(DOCS / "index.md")) | set(
        _toctree_entries(DOCS / "user_guide.md"))
    pages = {p.stem for p in DOCS.glob("*.md")} | {p.stem for p in
                                                   DOCS.glob("*.rst")}
    assert pages - {"index"} <= listed, pages - {"index"} - listed


def test_the_api_reference_lists_every_public_class_and_function():
    from tests.test_docstrings import PUBLIC

    api = (DOCS / "api.rst").read_text(encoding="utf-8")
    documented = set()
    module = None
    for line in api.splitlines():
        if line.startswith(".. currentmodule:: "):
            module = line.split()[-1]
        elif re.fullmatch(r"   [\w.]+", line) and module is not None:
            documented.add(f"{module}.{line.strip()}")
    public = {name for name, kind in PUBLIC if kind != "method"}
    assert public == documented, (public - documented, documented - public)


def test_contracts_md_lists_the_declared_scikit_learn_checks():
    from tests import test_common

    declared = set()
    for estimator in test_common.ESTIMATORS:
        declared |= set(test_common._expected_failed_checks(estimator))
    contracts = (DOCS / "contracts.md").read_text(encoding="utf-8")
    mentioned = set(re.findall(r"check_\w+", contracts))
    # contracts.md writes the sparse twin of a check as `…_on_dense_data` /
    # `_on_sparse_data`
    if "_on_sparse_data" in contracts:
        mentioned |= {name.replace("_on_dense_data", "_on_sparse_data")
                      for name in mentioned}
    assert declared <= mentioned, declared - mentioned
    assert mentioned <= declared, mentioned - declared


def test_install_page_and_readme_give_the_same_commands():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in ('pip install . && python -m skdeep',
                    'pip install -e ".[test,distributed]" && python -m pytest -q'):
        assert command in readme
    assert "python -m sphinx -W --keep-going -b html docs docs/_build/html" in readme
    install = (DOCS / "install.md").read_text(encoding="utf-8")
    assert "python -m sphinx -W --keep-going -b html docs docs/_build/html" in install
