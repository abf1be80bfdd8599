"""The examples run with ``--fast`` and print the seeds' key facts.

Each example is imported from examples/ by path (the folder is not a package) and
its ``main(['--fast'])`` is called in-process.
"""

import importlib.util
import re
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"


def load_example(name):
    """Import ``examples/<name>.py`` as a module."""
    path = EXAMPLES_DIR / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"skdeep_example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_fast(name, capsys):
    status = load_example(name).main(["--fast"])
    out = capsys.readouterr().out
    assert status == 0, out
    return out


@pytest.mark.parametrize("name", ["perceptron_and_or", "linear_unit_salary",
                                  "dnnjs_logistic_and_mlp", "keras_mlp_mnist"])
def test_example_has_docstring_and_cli(name, capsys):
    module = load_example(name)
    assert module.__doc__ and module.__doc__.strip()
    with pytest.raises(SystemExit) as excinfo:
        module.main(["--help"])
    assert excinfo.value.code == 0
    assert "--fast" in capsys.readouterr().out


def test_perceptron_and_or(capsys):
    out = run_fast("perceptron_and_or", capsys)
    # Seed 004 part 1: the AND perceptron ends at weights [0.1, 0.2], bias -0.2.
    assert "AND: weights [0.1, 0.2], bias -0.2" in out
    assert "1 and 1 = 1, 0 and 0 = 0, 1 and 0 = 0, 0 and 1 = 0" in out
    assert "1 or 1 = 1, 0 or 0 = 0, 1 or 0 = 1, 0 or 1 = 1" in out
    assert "XOR: the perceptron cannot separate it" in out


def test_linear_unit_salary(capsys):
    out = run_fast("linear_unit_salary", capsys)
    # SPEC §3: learn_dl's linear_unit.py, exact in float64.
    assert "weights: [1124.0634970262222]" in out
    assert "bias: 85.48528882583837" in out
    for years, salary in [("3.4", "3907.30"), ("15", "16946.44"),
                          ("1.5", "1771.58"), ("6.3", "7167.09")]:
        assert f"Work {years} years, monthly salary = {salary}" in out


def test_dnnjs_logistic_and_mlp(capsys):
    out = run_fast("dnnjs_logistic_and_mlp", capsys)
    assert "MLPNet(hidden_layer_sizes=()" in out
    assert "MLPNet((4, 4, 5), activation='logistic'" in out
    assert out.count("decisions hold") == 4  # 2 random states x 2 models
    assert "DIFFER" not in out
    assert "hold for all 2 random states" in out


def test_dnnjs_decisions_over_five_random_states():
    # SPEC §3 is statistical for these: assert over several seeds, not one.
    ex = load_example("dnnjs_logistic_and_mlp")
    from skdeep import MLPNet

    for rs in range(5):
        lr = MLPNet(hidden_layer_sizes=(), random_state=rs, **ex.SOLVER)
        assert ex.decisions_hold(lr.fit(ex.X_LR, ex.y).predict_proba(ex.TEST_LR))
        mlp = MLPNet((4, 4, 5), activation="logistic", random_state=rs, **ex.SOLVER)
        assert ex.decisions_hold(
            mlp.fit(ex.X_MLP, ex.y).predict_proba(ex.TEST_MLP))


def test_keras_mlp_mnist(capsys):
    out = run_fast("keras_mlp_mnist", capsys)
    # Without --mnist the seed's net runs on scikit-learn's 8x8 digits.
    assert "64-500-500-10" in out and "digits" in out
    rows = re.findall(r"^(squared_error|log_loss)\s+(\d+)\s+([\d.]+)\s+([\d.]+)$",
                      out, flags=re.MULTILINE)
    assert [r[0] for r in rows] == ["squared_error", "log_loss"]
    for _, epochs, accuracy, _seconds in rows:
        assert int(epochs) == 2
        assert 0.0 <= float(accuracy) <= 1.0


def test_keras_mlp_mnist_reads_idx_files(tmp_path, capsys):
    # --mnist goes through skdeep.datasets.load_mnist; tiny fake IDX files suffice.
    import numpy as np

    from tests.test_datasets import make_split

    make_split(tmp_path, "train", n=120, rows=28, cols=28, seed=0)
    make_split(tmp_path, "t10k", n=10, rows=28, cols=28, seed=1)
    status = load_example("keras_mlp_mnist").main(
        ["--mnist", str(tmp_path), "--fast", "--loss", "log_loss"])
    out = capsys.readouterr().out
    assert status == 0
    assert "784-500-500-10" in out and "120 training / 10 test" in out
    assert np.all([line.split()[0] == "log_loss" for line in out.splitlines()
                   if re.match(r"^(squared_error|log_loss)\s+\d", line)])
