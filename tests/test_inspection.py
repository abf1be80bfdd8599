"""skdeep.inspection: each display drawn on the Agg backend, and what it drew.

The checks read the drawn matplotlib objects back: how many Axes, lines and
images there are, and that they hold the estimator's own numbers.
"""

import subprocess
import sys

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

import skdeep
from tests._support import fit_quietly

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt

from skdeep.inspection import (
    FeatureMapsDisplay,
    FiltersDisplay,
    LossCurveDisplay,
)

X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
X, Y = X_DIGITS[:240] / 16, Y_DIGITS[:240]
SMALL_CONV = [{"type": "conv", "sx": 3, "filters": 4, "pad": 1, "activation": "relu"},
              {"type": "pool", "sx": 2},
              {"type": "fc", "num_neurons": 12, "activation": "relu"}]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def image_count(figure):
    return sum(len(ax.images) for ax in figure.axes)


# ------------------------------------------------------------ LossCurveDisplay
def test_loss_curve_training_only():
    net = fit_quietly(skdeep.MLPNet((8,), max_iter=5, random_state=0), X, Y)
    display = LossCurveDisplay.from_estimator(net)
    assert len(display.figure_.axes) == 1 and len(display.ax_.lines) == 1
    np.testing.assert_array_equal(display.line_.get_xdata(), np.arange(1, 6))
    np.testing.assert_allclose(display.line_.get_ydata(), net.loss_curve_)
    assert display.validation_line_ is None and display.score_ax_ is None
    assert display.line_.get_label() == "training loss (log_loss)"
    assert display.ax_.get_xlabel() == "epoch"
    assert display.ax_.get_title() == "MLPNet"


@pytest.mark.parametrize("estimator", [
    skdeep.MLPNet((8,), max_iter=6, early_stopping=True, random_state=0),
    skdeep.ConvNetClassifier(SMALL_CONV, max_iter=4, early_stopping=True,
                             random_state=0),
    skdeep.DBNClassifier((16,), pretrain_n_iter=2, max_iter=4, early_stopping=True,
                         random_state=0),
], ids=lambda est: type(est).__name__)
def test_loss_curve_with_validation(estimator):
    est = fit_quietly(estimator, X, Y)
    display = LossCurveDisplay.from_estimator(est, name="with validation")
    n = len(est.loss_curve_)
    assert len(display.figure_.axes) == 2  # the losses and the score's twin
    assert len(display.ax_.lines) == 2 and len(display.score_ax_.lines) == 1
    np.testing.assert_allclose(display.line_.get_ydata(), est.loss_curve_)
    np.testing.assert_allclose(display.validation_line_.get_ydata(),
                               est.validation_loss_curve_)
    np.testing.assert_allclose(display.score_line_.get_ydata(),
                               est.validation_scores_)
    np.testing.assert_array_equal(display.score_line_.get_xdata(),
                                  np.arange(1, n + 1))
    assert display.score_ax_.get_ylabel() == "validation score"
    assert display.ax_.get_title() == "with validation"
    legend = display.score_ax_.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[0] == display.line_.get_label()
    assert texts[0].startswith("training loss")
    assert texts[1:] == ["validation loss", "validation score"]


@pytest.mark.parametrize("estimator, x, y, label, x_label", [
    (skdeep.PerceptronClassifier(max_iter=4, tol=None, random_state=0), X, Y,
     "fraction of training mistakes", "epoch"),
    (skdeep.RBMTransformer(n_components=8, n_iter=3, random_state=0), X, None,
     "minus pseudo-likelihood", "pass over the data"),
    (skdeep.MLPNet((8,), solver="lbfgs", max_iter=7, random_state=0), X, Y,
     "training loss (log_loss)", "L-BFGS iteration"),
    (skdeep.LinearUnitRegressor(max_iter=3, random_state=0), X, X[:, 20],
     "training loss", "epoch"),
    (skdeep.RNNClassifier(hidden_size=4, max_iter=3, random_state=0),
     X.reshape(-1, 8, 8), Y, "training loss", "epoch"),
    (skdeep.RNNLanguageModel(hidden_size=8, bptt=8, batch_size=4, max_iter=2,
                             random_state=0), ["abcabcabd" * 20] * 4, None,
     "training loss", "epoch"),
], ids=lambda v: type(v).__name__ if hasattr(v, "fit") else "")
def test_loss_curve_of_every_kind(estimator, x, y, label, x_label):
    est = fit_quietly(estimator, x, y)
    recorded = est._train_state.loss_curve
    display = LossCurveDisplay.from_estimator(est)
    assert len(display.ax_.lines) == 1
    np.testing.assert_allclose(display.line_.get_ydata(), recorded)
    assert len(display.line_.get_xdata()) == len(recorded) > 0
    assert display.line_.get_label() == label
    assert display.ax_.get_xlabel() == x_label


def test_loss_curve_plot_on_given_axes_with_style():
    net = fit_quietly(skdeep.MLPNetRegressor((8,), max_iter=4, random_state=0),
                      X, X[:, 30])
    fig, (left, right) = plt.subplots(1, 2)
    display = LossCurveDisplay.from_estimator(net, ax=right, color="black",
                                              linestyle=":")
    assert display.ax_ is right and display.figure_ is fig
    assert len(left.lines) == 0 and len(right.lines) == 1
    assert display.line_.get_color() == "black"
    assert display.line_.get_linestyle() == ":"
    assert display.line_.get_label() == "training loss (squared_error)"
    # plot() draws the same curves again elsewhere
    again = display.plot(ax=left)
    assert again is display and display.ax_ is left and len(left.lines) == 1


def test_loss_curve_from_pipeline_and_scikit_learn_mlp():
    pipe = fit_quietly(make_pipeline(FunctionTransformer(),
                                     skdeep.MLPNet((8,), max_iter=3,
                                                   random_state=0)), X, Y)
    display = LossCurveDisplay.from_estimator(pipe)
    np.testing.assert_allclose(display.line_.get_ydata(), pipe[-1].loss_curve_)
    sk = fit_quietly(MLPClassifier((8,), max_iter=4, random_state=0), X, Y)
    display = LossCurveDisplay.from_estimator(sk)
    np.testing.assert_allclose(display.line_.get_ydata(), sk.loss_curve_)


def test_loss_curves_of_several_fits_share_one_axes_and_legend():
    fig, ax = plt.subplots()
    for solver in ("sgd", "adam"):
        net = fit_quietly(skdeep.MLPNet((8,), solver=solver, max_iter=3,
                                        random_state=0), X, Y)
        display = LossCurveDisplay.from_estimator(net, ax=ax, label=solver)
        np.testing.assert_allclose(display.line_.get_ydata(), net.loss_curve_)
    assert len(fig.axes) == 1 and len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sgd", "adam"]


def test_loss_curve_constructor_aligns_validation_with_the_last_epochs():
    display = LossCurveDisplay(loss_curve=[3.0, 2.0, 1.5, 1.0],
                               validation_scores=[0.5, 0.7],
                               estimator_name="manual").plot()
    np.testing.assert_array_equal(display.score_line_.get_xdata(), [3, 4])
    assert display.validation_line_ is None
    assert display.ax_.get_title() == "manual"


def test_loss_curve_errors():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(skdeep.MLPNet())
    sk = fit_quietly(MLPClassifier((4,), solver="lbfgs", max_iter=3), X, Y)
    with pytest.raises(ValueError, match="has no recorded loss curve"):
        LossCurveDisplay.from_estimator(sk)


# -------------------------------------------------------------- FiltersDisplay
def test_filters_of_an_mlp_are_the_columns_of_the_first_weights():
    net = fit_quietly(skdeep.MLPNet((10,), max_iter=3, random_state=0), X, Y)
    display = FiltersDisplay.from_estimator(net)
    assert display.filters.shape == (10, 8, 8)
    assert display.axes_.shape == (3, 4)  # about square: 4 columns for 10
    assert len(display.images_) == 10 and image_count(display.figure_) == 10
    # one Axes per tile, none for the 2 empty cells of the 3 x 4 grid
    assert len(display.figure_.axes) == 10
    assert [ax is None for ax in display.axes_.ravel()] == [False] * 10 + [True] * 2
    assert display.bounding_ax_ is None
    for k, image in enumerate(display.images_):
        np.testing.assert_allclose(image.get_array(),
                                   net.coefs_[0][:, k].reshape(8, 8))
        # ConvNetJS's scaling: each tile from its own minimum to its maximum
        assert image.get_clim() == (net.coefs_[0][:, k].min(),
                                    net.coefs_[0][:, k].max())
    assert display.figure_.get_suptitle() == "MLPNet: first-layer weights"


def test_filters_of_a_regressor_with_max_filters_and_columns():
    net = fit_quietly(skdeep.MLPNetRegressor((12,), max_iter=3, random_state=0),
                      X, X[:, 30])
    display = FiltersDisplay.from_estimator(net, max_filters=5, n_cols=5,
                                            cmap="RdBu_r", symmetric=True)
    assert display.axes_.shape == (1, 5) and len(display.images_) == 5
    tile = net.coefs_[0][:, 2]
    limit = np.abs(tile).max()
    np.testing.assert_allclose(display.images_[2].get_clim(), (-limit, limit),
                               rtol=1e-6)
    assert display.images_[0].get_cmap().name == "RdBu_r"


@pytest.mark.parametrize("Net", [skdeep.ConvNetClassifier, skdeep.ConvNetRegressor])
def test_filters_of_a_convnet_are_its_first_kernels(Net):
    y = Y if Net is skdeep.ConvNetClassifier else X[:, 30]
    net = fit_quietly(Net(SMALL_CONV, max_iter=2, random_state=0), X, y)
    display = FiltersDisplay.from_estimator(net)
    assert net.coefs_[0].shape == (4, 1, 3, 3)
    assert display.filters.shape == (4, 3, 3) and display.axes_.shape == (2, 2)
    assert image_count(display.figure_) == 4
    for k, image in enumerate(display.images_):
        np.testing.assert_allclose(image.get_array(), net.coefs_[0][k, 0])


def test_filters_of_a_colour_convnet_are_rgb_tiles():
    rng = np.random.default_rng(0)
    images = rng.random((40, 3, 6, 6))
    net = fit_quietly(skdeep.ConvNetClassifier(SMALL_CONV, max_iter=1,
                                               random_state=0),
                      images, np.arange(40) % 2)
    display = FiltersDisplay.from_estimator(net)
    assert display.filters.shape == (4, 3, 3, 3)  # (n, H, W, RGB)
    kernel = np.moveaxis(net.coefs_[0][1], 0, -1)
    expected = (kernel - kernel.min()) / (kernel.max() - kernel.min())
    np.testing.assert_allclose(display.images_[1].get_array(), expected,
                               rtol=1e-6)


def test_filters_of_a_convnet_with_other_depths_show_each_channel():
    rng = np.random.default_rng(0)
    net = fit_quietly(skdeep.ConvNetClassifier(SMALL_CONV, max_iter=1,
                                               batch_size=10, random_state=0),
                      rng.random((30, 2, 5, 5)), np.arange(30) % 2)
    display = FiltersDisplay.from_estimator(net)
    assert display.filters.shape == (8, 3, 3)  # 4 filters x 2 channels
    np.testing.assert_allclose(display.images_[3].get_array(),
                               net.coefs_[0][1, 1])


def test_filters_of_an_rbm_and_a_dbn():
    rbm = fit_quietly(skdeep.RBMTransformer(n_components=6, n_iter=2,
                                            random_state=0), X)
    display = FiltersDisplay.from_estimator(rbm)
    assert display.axes_.shape == (2, 3) and image_count(display.figure_) == 6
    np.testing.assert_allclose(display.images_[5].get_array(),
                               rbm.components_[5].reshape(8, 8))
    dbn = fit_quietly(skdeep.DBNClassifier((9, 4), pretrain_n_iter=2, max_iter=2,
                                           random_state=0), X, Y)
    display = FiltersDisplay.from_estimator(dbn)
    assert display.filters.shape == (9, 8, 8)
    np.testing.assert_allclose(display.images_[8].get_array(),
                               dbn.coefs_[0][:, 8].reshape(8, 8))
    pretrained = FiltersDisplay.from_estimator(dbn.rbms_[0])
    np.testing.assert_allclose(pretrained.images_[0].get_array(),
                               dbn.rbms_[0].components_[0].reshape(8, 8))


def test_filters_of_linear_models_and_image_shape():
    perceptron = fit_quietly(skdeep.PerceptronClassifier(max_iter=3,
                                                         random_state=0), X, Y)
    display = FiltersDisplay.from_estimator(perceptron)
    assert display.filters.shape == (10, 8, 8)  # one template per class
    display = FiltersDisplay.from_estimator(perceptron, image_shape=(4, 16))
    assert display.filters.shape == (10, 4, 16)
    np.testing.assert_allclose(display.images_[3].get_array(),
                               perceptron.coef_[3].reshape(4, 16))
    unit = fit_quietly(skdeep.LinearUnitRegressor(max_iter=2, random_state=0),
                       X[:, :10], X[:, 30])
    display = FiltersDisplay.from_estimator(unit)  # 10 weights: a 1 x 10 strip
    assert display.filters.shape == (1, 1, 10)


def test_filters_drawn_inside_a_given_axes():
    rbm = fit_quietly(skdeep.RBMTransformer(n_components=4, n_iter=1,
                                            random_state=0), X)
    fig, (left, right) = plt.subplots(1, 2)
    display = FiltersDisplay.from_estimator(rbm, ax=right, name="mine")
    assert display.bounding_ax_ is right and display.figure_ is fig
    assert not right.axison and left.axison
    assert len(fig.axes) == 2 + 4 and image_count(fig) == 4
    # the tiles share the area of the Axes they replace
    box = right.get_position()
    for tile in display.axes_.ravel():
        tile_box = tile.get_position()
        assert box.x0 <= tile_box.x0 and tile_box.x1 <= box.x1 + 1e-9
    assert right.get_title() == "mine"


def test_filters_errors():
    net = fit_quietly(skdeep.MLPNet((4,), max_iter=1, random_state=0), X, Y)
    with pytest.raises(ValueError, match="image_shape=\\(5, 5\\) does not hold"):
        FiltersDisplay.from_estimator(net, image_shape=(5, 5))
    with pytest.raises(ValueError, match="max_filters must be >= 1"):
        FiltersDisplay.from_estimator(net, max_filters=0)
    lm = fit_quietly(skdeep.RNNLanguageModel(hidden_size=4, max_iter=1,
                                             random_state=0), ["abc abd"] * 3)
    with pytest.raises(ValueError, match="cannot find image filters"):
        FiltersDisplay.from_estimator(lm)


# ---------------------------------------------------------- FeatureMapsDisplay
def test_feature_maps_rows_hold_every_layer():
    net = fit_quietly(skdeep.ConvNetClassifier(SMALL_CONV, max_iter=2,
                                               random_state=0), X, Y)
    display = FeatureMapsDisplay.from_estimator(net, X[5])
    # input, conv (4 maps), pool (4 maps), fc (a strip), softmax (a strip)
    assert [len(row) for row in display.images_] == [1, 4, 4, 1, 1]
    assert image_count(display.figure_) == 11
    assert len(display.figure_.axes) == 11  # one Axes per tile
    np.testing.assert_allclose(display.images_[0][0].get_array(),
                               X[5].reshape(8, 8))
    for layer in range(len(net.layers_)):
        expected = net.feature_maps(X[5:6], layer)[0]
        np.testing.assert_allclose(display.maps[layer], expected)
        for k, image in enumerate(display.images_[layer + 1]):
            # ConvNetJS's scaling: one scale for all the maps of a layer
            np.testing.assert_allclose(image.get_clim(),
                                       (expected.min(), expected.max()), rtol=1e-6)
            drawn = np.asarray(image.get_array())
            if expected.ndim == 1:
                np.testing.assert_allclose(drawn, expected[None, :], rtol=1e-6)
            else:
                np.testing.assert_allclose(drawn, expected[k], rtol=1e-6)
    labels = [row[0].get_ylabel() for row in display.axes_]
    assert labels == ["input", "conv 3x3\n4 filters\nrelu", "max pool 2x2",
                      "fc 12\nrelu", "softmax 10"]
    predicted = net.predict(X[5:6])[0]
    assert display.figure_.get_suptitle() == (
        f"ConvNetClassifier: predicts {predicted}")


def test_feature_maps_max_maps_colour_input_and_given_axes():
    rng = np.random.default_rng(0)
    images = rng.random((30, 3, 6, 6))
    layers = [{"type": "conv", "sx": 3, "filters": 6, "pad": 1,
               "activation": "relu"}]
    net = fit_quietly(skdeep.ConvNetRegressor(layers, max_iter=1, batch_size=10,
                                              random_state=0),
                      images, rng.random(30))
    fig, ax = plt.subplots()
    display = FeatureMapsDisplay.from_estimator(net, images[2], max_maps=2, ax=ax,
                                                cmap="magma")
    assert display.figure_ is fig and display.bounding_ax_ is ax
    assert [len(row) for row in display.images_] == [1, 2, 1]
    assert len(fig.axes) == 1 + 4
    np.testing.assert_allclose(display.images_[0][0].get_array().shape, (6, 6, 3))
    assert display.images_[1][0].get_cmap().name == "magma"
    assert display.bounding_ax_.get_title() == "ConvNetRegressor"


def test_feature_maps_accepts_a_flat_row_or_a_batch_of_one():
    net = fit_quietly(skdeep.ConvNetClassifier(SMALL_CONV, max_iter=1,
                                               random_state=0), X, Y)
    flat = FeatureMapsDisplay.from_estimator(net, X[0])
    batch = FeatureMapsDisplay.from_estimator(net, X[:1].reshape(1, 1, 8, 8))
    for a, b in zip(flat.maps, batch.maps):
        np.testing.assert_array_equal(a, b)
    with pytest.raises(ValueError, match="x must be one input of 64 values"):
        FeatureMapsDisplay.from_estimator(net, X[:2])
    mlp = fit_quietly(skdeep.MLPNet((4,), max_iter=1, random_state=0), X, Y)
    with pytest.raises(ValueError, match="needs a convnet"):
        FeatureMapsDisplay.from_estimator(mlp, X[0])


# ------------------------------------------------------------- optional import
def test_importing_skdeep_and_inspection_does_not_import_matplotlib():
    code = ("import sys, skdeep, skdeep.inspection; "
            "assert 'matplotlib' not in sys.modules, 'matplotlib imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_displays_without_matplotlib_say_how_to_install_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def fake_import(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    net = fit_quietly(skdeep.MLPNet((4,), max_iter=1, random_state=0), X, Y)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    for call in (lambda: LossCurveDisplay.from_estimator(net),
                 lambda: FiltersDisplay.from_estimator(net),
                 lambda: FeatureMapsDisplay.from_estimator(net, X[0])):
        with pytest.raises(ImportError, match=r"pip install skdeep\[plot\]"):
            call()
