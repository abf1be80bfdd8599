"""Test-session settings for the tests and the doctests.

matplotlib is optional (the ``plot`` extra): without it the doctests of
``skdeep.inspection`` are skipped, and with it everything draws on the Agg
backend, so no test opens a window.
"""

import sys

import pytest

try:
    import matplotlib
except ImportError:
    matplotlib = None
else:
    # the examples call plt.show() unless --out is given: never open a window
    matplotlib.use("Agg")


def pytest_collection_modifyitems(config, items):
    if matplotlib is not None:
        return
    skip = pytest.mark.skip(reason="the inspection doctests draw: matplotlib is "
                                   "not installed")
    for item in items:
        if isinstance(item, pytest.DoctestItem) and item.name.startswith(
                "skdeep.inspection"):
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _close_figures():
    """Close what a test drew, so that figures do not pile up across tests."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture
def no_matplotlib(monkeypatch):
    """Make ``import matplotlib`` fail, as on an install without the plot extra."""
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
