"""ConvNetClassifier / ConvNetRegressor: input forms, geometry errors, features."""

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skdeep import ConvNetClassifier, ConvNetRegressor

SMALL = [{"type": "conv", "sx": 3, "filters": 8, "pad": 1, "activation": "relu"},
         {"type": "pool", "sx": 2, "stride": 2}]
# the CNN-digits workload of shared/WORKLOADS.md
WORKLOAD = [
    {"type": "conv", "sx": 3, "filters": 16, "pad": 1, "activation": "relu"},
    {"type": "pool", "sx": 2, "stride": 2},
    {"type": "conv", "sx": 3, "filters": 32, "pad": 1, "activation": "relu"},
    {"type": "pool", "sx": 2, "stride": 2},
]


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.25, random_state=0, stratify=y)


def test_cnn_digits_workload_accuracy(digits):
    X_tr, X_te, y_tr, y_te = digits
    net = ConvNetClassifier(WORKLOAD, batch_size=32, max_iter=30, tol=None,
                            l2_decay=0.0, random_state=0)
    assert net.fit(X_tr, y_tr).score(X_te, y_te) >= 0.975


def test_cnn_digits_defaults_accuracy(digits):
    X_tr, X_te, y_tr, y_te = digits
    assert ConvNetClassifier(random_state=0).fit(X_tr, y_tr).score(X_te, y_te) >= 0.985


@pytest.mark.parametrize("form", ["2d_square", "2d_input_shape", "3d", "4d"])
def test_input_forms_agree(digits, form):
    X_tr, X_te, y_tr, _ = digits
    reshape = {
        "2d_square": lambda X: X,
        "2d_input_shape": lambda X: X,
        "3d": lambda X: X.reshape(-1, 8, 8),
        "4d": lambda X: X.reshape(-1, 1, 8, 8),
    }[form]
    shape = (1, 8, 8) if form == "2d_input_shape" else None
    net = ConvNetClassifier(SMALL, input_shape=shape, max_iter=2, random_state=0)
    net.fit(reshape(X_tr), y_tr)
    assert net.input_shape_ == (1, 8, 8)
    ref = ConvNetClassifier(SMALL, max_iter=2, random_state=0).fit(X_tr, y_tr)
    np.testing.assert_allclose(net.predict_proba(reshape(X_te)),
                               ref.predict_proba(X_te), rtol=1e-5, atol=1e-6)


def test_non_square_rows_are_signals():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 10))
    y = (X[:, :5].sum(axis=1) > 0).astype(int)
    net = ConvNetClassifier([{"type": "conv", "sx": 3, "sy": 1, "filters": 4,
                              "pad": (0, 1),
                              "activation": "relu"}], max_iter=3).fit(X, y)
    assert net.input_shape_ == (1, 1, 10)


def test_mnist1d_style_per_axis_geometry():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(50, 40))
    y = rng.integers(0, 3, 50)
    layers = [
        {"type": "conv", "sx": 5, "sy": 1, "filters": 6, "stride": (1, 2),
         "pad": (0, 1), "activation": "relu"},
        {"type": "conv", "sx": 3, "sy": 1, "filters": 6, "stride": (1, 2),
         "pad": (0, 1), "activation": "relu"},
    ]
    net = ConvNetClassifier(layers, input_shape=(1, 1, 40), max_iter=2).fit(X, y)
    assert net.feature_maps(X[:4], 0).shape == (4, 6, 1, 19)
    assert net.feature_maps(X[:4], 1).shape == (4, 6, 1, 10)


@pytest.mark.parametrize("layers,match", [
    ([{"type": "conv", "sx": 5, "filters": 4}], r"5×5 window .* 3×3 input map"),
    ([{"type": "pool", "sx": 4}], r"4×4 window .* 3×3 input map"),
    ([{"type": "convv", "sx": 3}], "unknown layer type 'convv'"),
    ([{"type": "conv", "filters": 4}], "needs the option 'sx'"),
    ([{"type": "conv", "sx": 3, "filter": 4}], r"unknown option\(s\) \['filter'\]"),
    ([{"type": "fc", "num_neurons": 4}, {"type": "conv", "sx": 1, "filters": 2}],
     "needs an image input"),
    ([{"type": "softmax", "num_classes": 3}], "declares 3 outputs"),
    ([{"type": "fc", "num_neurons": 4, "activation": "swish"}], "unknown activation"),
    ([{"type": "conv", "sx": 1, "filters": 3, "activation": "maxout"}], None),
])
def test_layer_errors_name_the_layer(layers, match):
    X = np.random.default_rng(0).random((20, 9))  # 3×3 images
    y = np.arange(20) % 2
    net = ConvNetClassifier(layers, max_iter=1)
    if match is None:  # maxout with an odd width is fine: filters × group_size
        net.fit(X, y)
        return
    with pytest.raises(ValueError, match=match):
        net.fit(X, y)


def test_input_shape_errors(digits):
    X_tr, _, y_tr, _ = digits
    with pytest.raises(ValueError, match=r"input_shape=\(1, 7, 7\) needs 49"):
        ConvNetClassifier(SMALL, input_shape=(1, 7, 7)).fit(X_tr, y_tr)
    with pytest.raises(ValueError, match="input_shape"):
        ConvNetClassifier(SMALL, input_shape=(1, 8)).fit(X_tr, y_tr)
    net = ConvNetClassifier(SMALL, max_iter=1).fit(X_tr.reshape(-1, 1, 8, 8), y_tr)
    with pytest.raises(ValueError, match=r"features|\(3, 8, 8\)"):
        net.predict(np.repeat(X_tr.reshape(-1, 1, 8, 8), 3, axis=1))
    with pytest.raises(ValueError, match="NaN"):
        bad = X_tr.reshape(-1, 1, 8, 8).copy()
        bad[0, 0, 3, 3] = np.nan
        net.predict(bad)


def test_transform_feature_maps_and_pipeline(digits):
    X_tr, X_te, y_tr, y_te = digits
    net = ConvNetClassifier(SMALL + [{"type": "fc", "num_neurons": 20,
                                      "activation": "tanh"}], max_iter=5,
                            random_state=0).fit(X_tr, y_tr)
    assert net.transform(X_te).shape == (len(X_te), 20)
    assert net.feature_maps(X_te, 0).shape == (len(X_te), 8, 8, 8)
    assert net.feature_maps(X_te, -1).shape == (len(X_te), 10)
    with pytest.raises(ValueError, match="layer must be"):
        net.feature_maps(X_te, 7)
    pipe = make_pipeline(ConvNetClassifier(SMALL, max_iter=5, random_state=0),
                         LogisticRegression(max_iter=500))
    assert pipe.fit(X_tr, y_tr).score(X_te, y_te) > 0.9


@pytest.mark.parametrize("extra", [
    [{"type": "dropout", "drop_prob": 0.3}],
    [{"type": "fc", "num_neurons": 16, "activation": "maxout", "group_size": 2}],
    [{"type": "fc", "num_neurons": 16, "activation": "sigmoid", "drop_prob": 0.2}],
    [{"type": "svm", "num_classes": 10}],
])
def test_vocabulary(digits, extra):
    X_tr, X_te, y_tr, y_te = digits
    layers = [{"type": "input", "out_sx": 8, "out_sy": 8, "out_depth": 1},
              {"type": "conv", "sx": 3, "filters": 8, "pad": 1, "activation": "relu"},
              {"type": "pool", "sx": 2, "stride": 2, "mode": "avg"}] + extra
    net = ConvNetClassifier(layers, max_iter=10, learning_rate_init=0.005,
                            random_state=0).fit(X_tr, y_tr)
    assert net.score(X_te, y_te) > 0.85


@pytest.mark.parametrize("solver", ["sgd", "adam", "adagrad", "adadelta"])
def test_exact_warm_start(digits, solver):
    X_tr, _, y_tr, _ = digits
    kw = dict(layers=SMALL + [{"type": "dropout", "drop_prob": 0.2}], solver=solver,
              random_state=0, l1_decay=1e-4)
    once = ConvNetClassifier(max_iter=4, **kw).fit(X_tr[:300], y_tr[:300])
    twice = ConvNetClassifier(max_iter=2, warm_start=True, **kw)
    twice.fit(X_tr[:300], y_tr[:300]).fit(X_tr[:300], y_tr[:300])
    for a, b in zip(once._network.param_arrays(), twice._network.param_arrays()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_binary_and_joblib(tmp_path, digits):
    X_tr, X_te, y_tr, _ = digits
    mask = y_tr < 2
    net = ConvNetClassifier(SMALL, max_iter=3, random_state=0).fit(X_tr[mask],
                                                                   y_tr[mask])
    assert net.predict_proba(X_te).shape == (len(X_te), 2)
    joblib.dump(net, tmp_path / "net.joblib")
    loaded = joblib.load(tmp_path / "net.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(X_te), net.predict_proba(X_te))


def test_regressor_learns_a_spatial_target():
    rng = np.random.default_rng(0)
    X = rng.uniform(size=(400, 16))
    y = X.reshape(-1, 4, 4)[:, :2].mean(axis=(1, 2))
    reg = ConvNetRegressor(max_iter=40, random_state=0).fit(X[:300], y[:300])
    assert reg.score(X[300:], y[300:]) > 0.8
    assert reg.layers_[-1] == {"type": "regression", "num_neurons": 1}


AUGMENT = {"shift": 1, "flip": True, "scale": 0.1}


def test_augment_resumes_exactly_and_leaves_prediction_alone(digits):
    X_tr, X_te, y_tr, _ = digits
    kw = dict(layers=SMALL, augment=AUGMENT, random_state=0, tol=None)
    once = ConvNetClassifier(max_iter=4, **kw).fit(X_tr[:300], y_tr[:300])
    twice = ConvNetClassifier(max_iter=2, warm_start=True, **kw)
    twice.fit(X_tr[:300], y_tr[:300]).fit(X_tr[:300], y_tr[:300])
    for a, b in zip(once.coefs_ + once.intercepts_, twice.coefs_ + twice.intercepts_):
        np.testing.assert_array_equal(a, b)
    again = ConvNetClassifier(max_iter=4, **kw).fit(X_tr[:300], y_tr[:300])
    np.testing.assert_array_equal(again.predict_proba(X_te), once.predict_proba(X_te))
    plain = ConvNetClassifier(max_iter=4, layers=SMALL, random_state=0, tol=None)
    plain.fit(X_tr[:300], y_tr[:300])
    assert not np.allclose(plain.coefs_[0], once.coefs_[0])  # the images moved
    # inference: the same weights give the same outputs with or without augment
    plain._network.layers = once._network.layers[1:]
    np.testing.assert_array_equal(plain.predict_proba(X_te), once.predict_proba(X_te))
    assert once.layers_ == plain.layers_ and len(once.feature_maps(X_te[:2], 0)) == 2
    np.testing.assert_array_equal(once.feature_maps(X_te[:2], 0),
                                  plain.feature_maps(X_te[:2], 0))


def test_augment_shifts_help_on_shifted_digits(digits):
    X_tr, X_te, y_tr, y_te = digits
    # test digits moved by one pixel: the augmented net has seen such moves
    moved = np.roll(X_te.reshape(-1, 8, 8), 1, axis=2).reshape(len(X_te), -1)
    scores = [ConvNetClassifier(SMALL, max_iter=15, augment=augment, random_state=0)
              .fit(X_tr, y_tr).score(moved, y_te) for augment in (None, {"shift": 1})]
    assert scores[1] > scores[0] + 0.02


@pytest.mark.parametrize("augment,match", [
    ({"shift": -1}, "shift"), ({"shift": 1.5}, "shift"), ({"flip": "yes"}, "flip"),
    ({"scale": 0.7}, "scale"), ({"rotate": 10}, "unknown keys"), ("shift", "dict")])
def test_bad_augment_is_named(digits, augment, match):
    X_tr, _, y_tr, _ = digits
    with pytest.raises((ValueError, TypeError), match=match):
        ConvNetClassifier(SMALL, augment=augment).fit(X_tr[:50], y_tr[:50])


def test_conv_relu_moves_into_the_max_pool_after_it(digits):
    from skdeep.nn import Activation, Conv2D, MaxPool2D, Sequential

    X_tr, X_te, y_tr, _ = digits
    layers = [{"type": "conv", "sx": 3, "filters": 6, "pad": 1, "activation": "relu"},
              {"type": "pool", "sx": 2, "stride": 2},
              {"type": "conv", "sx": 3, "filters": 6, "pad": 1, "activation": "relu"},
              {"type": "pool", "sx": 2, "stride": 2, "mode": "avg"}]
    net = ConvNetClassifier(layers, max_iter=3, random_state=0).fit(X_tr, y_tr)
    engine = net._network.layers
    # conv, relu-pool; conv, relu, avg pool (no fusion there); flatten, dense
    assert [type(layer).__name__ for layer in engine[:5]] == [
        "Conv2D", "MaxPool2D", "Conv2D", "Activation", "AvgPool2D"]
    assert engine[1].relu_input and "relu_input=True" in repr(engine[1])
    assert net.layers_[0]["activation"] == "relu"  # the description is unchanged
    # the same network written out unfused gives the same numbers
    plain = [engine[0], Activation("relu"), MaxPool2D(2), *engine[2:]]
    x = X_te[:20].reshape(-1, 1, 8, 8).astype(np.float32)
    logits = Sequential(plain).forward(x, training=False)
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    np.testing.assert_allclose(net.predict_proba(X_te[:20]),
                               e / e.sum(axis=1, keepdims=True), rtol=1e-5, atol=1e-6)
    # feature maps after the first conv are its ReLU maps, before pooling
    maps = net.feature_maps(X_te[:20], 0)
    assert maps.shape == (20, 6, 8, 8) and maps.min() == 0
    np.testing.assert_array_equal(maps, Sequential(plain[:2]).forward(
        x, training=False))
    assert isinstance(engine[0], Conv2D)
