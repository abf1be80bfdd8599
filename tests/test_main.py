"""``python -m skdeep``: the tour's options, its rows and its progress line."""

import io
import re
import subprocess
import sys

import pytest

from skdeep import __main__ as tour

ROW = re.compile(r"^(\w+)\s{2,}(.+?)\s+(-?\d+\.\d{4})\s+(\d+\.\d{2})$", re.MULTILINE)


def test_help_explains_the_options_and_names_the_models(capsys):
    with pytest.raises(SystemExit) as excinfo:
        tour.main(["--help"])
    assert excinfo.value.code == 0
    text = capsys.readouterr().out
    for option in ("MODEL", "--list", "--verbose", "--threads"):
        assert option in text
    for name in tour.NAMES:
        assert name in text.replace("\n", " ")


def test_help_from_the_command_line_trains_nothing():
    result = subprocess.run([sys.executable, "-m", "skdeep", "--help"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.startswith("usage: python -m skdeep")
    assert "-------" not in result.stdout  # no table: nothing trained


def test_list_names_every_model(capsys):
    assert tour.main(["--list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == tour.NAMES
    # every estimator of the package is in the tour, except the tree model
    import skdeep

    estimators = {name for name in skdeep.__all__ if name[0].isupper()}
    assert estimators - set(tour.NAMES) == {"RecursiveNetClassifier"}


def test_unknown_model_is_an_error(capsys):
    with pytest.raises(SystemExit) as excinfo:
        tour.main(["NoSuchNet"])
    assert excinfo.value.code == 2
    assert "unknown model(s) NoSuchNet; choose from PerceptronClassifier" in (
        capsys.readouterr().err)


def test_one_model_by_name_any_case(capsys):
    assert tour.main(["perceptronclassifier", "LinearUnitRegressor"]) == 0
    out = capsys.readouterr().out
    rows = ROW.findall(out)
    assert [r[0] for r in rows] == ["PerceptronClassifier", "LinearUnitRegressor"]
    assert 0.85 < float(rows[0][2]) <= 1.0  # accuracy on digits
    assert "epoch" not in out  # the estimators' verbose lines are swallowed
    assert re.search(r"^total: [\d.]+ s for 2 model\(s\)", out, re.MULTILINE)


def test_verbose_prints_the_estimators_epoch_lines(capsys):
    assert tour.main(["--verbose", "LinearUnitRegressor"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"^Iteration 1, loss = [\d.]+, time = [\d.]+s$", out,
                     re.MULTILINE)
    assert [r[0] for r in ROW.findall(out)] == ["LinearUnitRegressor"]


def test_a_terminal_sees_a_status_line_per_epoch(monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    terminal = Terminal()
    monkeypatch.setattr(sys, "stdout", terminal)
    assert tour.main(["LinearUnitRegressor"]) == 0
    out = terminal.getvalue()
    status = re.findall(r"\r(LinearUnitRegressor .*?epoch (\d+)/(\d+) \d+s)", out)
    assert status and [int(s[1]) for s in status] == list(
        range(1, len(status) + 1))
    assert {s[2] for s in status} == {"200"}  # LinearUnitRegressor's max_iter
    # the row replaces the status line, on the same line
    assert ROW.search(out.replace("\r", "\n").replace(" \n", "\n"))


def test_epoch_counter_counts_lines_split_across_writes():
    shown = []
    counter = tour._EpochCounter("x ", shown.append, planned=3)
    counter.write("Iteration 1, loss = 0.5, ti")
    counter.write("me = 0.01s\nIteration 2, loss = 0.4, time = 0.01s\n")
    counter.write("Validation score did not improve\n")
    assert counter.epochs == 2
    assert [line.split()[1:3] for line in shown] == [["epoch", "1/3"],
                                                     ["epoch", "2/3"]]


def test_every_row_builds_an_estimator_with_a_plan():
    for name, _, kind, factory in tour.ROWS:
        estimator = factory(1)
        assert tour._planned_epochs(estimator) > 0, name
    dbn = {row[0]: row[3] for row in tour.ROWS}["DBNClassifier"](0)
    assert tour._planned_epochs(dbn) == 2 * 5 + 50
