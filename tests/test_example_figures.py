"""The examples that draw: their figures with ``--out``, and what they do
without matplotlib.

Split from test_examples.py (same helpers); the figures are drawn with
:mod:`skdeep.inspection` on the Agg backend (conftest.py).
"""

import re

import pytest

from tests.test_examples import assert_png, load_example, run_drawing


def test_plot_feature_maps(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out_png = tmp_path / "maps.png"
    status = load_example("plot_feature_maps").main(
        ["--fast", "--out", str(out_png)])
    out = capsys.readouterr().out
    assert status == 0, out
    assert out_png.is_file() and out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "filters (8, 5, 5), conv 1 maps (8, 8, 8), pool 2 maps (16, 2, 2)" in out
    assert f"saved {out_png}" in out


def test_plot_feature_maps_without_matplotlib(tmp_path, no_matplotlib, capsys):
    status = load_example("plot_feature_maps").main(
        ["--fast", "--out", str(tmp_path / "x.png")])
    assert status == 1
    assert "needs matplotlib" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_plot_first_layer_filters(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    out, _ = run_drawing("plot_first_layer_filters", capsys, tmp_path)
    rows = re.findall(r"^(\w+)\s+test accuracy ([\d.]+)$", out, re.MULTILINE)
    assert [r[0] for r in rows] == ["MLPNet", "ConvNetClassifier",
                                    "RBMTransformer", "DBNClassifier"]


def test_plot_trainer_comparison(tmp_path, capsys):
    ex = load_example("plot_trainer_comparison")
    png = tmp_path / "trainers.png"
    options = ["--epochs", "1"]
    try:
        import matplotlib  # noqa: F401
        options += ["--out", str(png)]
    except ImportError:
        options.append("--no-plot")
    assert ex.main(options) == 0
    out = capsys.readouterr().out
    rows = re.findall(r"^(.+?)\s+([\d.]+)\s+([\d.]+)\s+[\d.]+$", out, re.MULTILINE)
    assert [r[0] for r in rows] == list(ex.TRAINERS)
    if "--out" in options:
        assert_png(png, out)


@pytest.mark.parametrize("name", ["keras_mlp_mnist", "linear_unit_salary"])
def test_optional_figures_without_matplotlib(name, tmp_path, no_matplotlib,
                                             capsys):
    # the numbers do not need matplotlib: the figure is skipped with a note
    status = load_example(name).main(["--fast", "--out", str(tmp_path / "x.png")])
    assert status == 0
    assert "(no figure: matplotlib is not installed" in capsys.readouterr().out
    assert not (tmp_path / "x.png").exists()
