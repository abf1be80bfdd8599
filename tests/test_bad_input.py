"""Bad input that used to get through: each now fails up front, with a message
naming what is wrong, and leaves a fitted model as it was."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone

from skdeep import (
    ConvNetClassifier,
    ConvNetRegressor,
    DBNClassifier,
    LinearUnitRegressor,
    MLPNet,
    MLPNetRegressor,
    RBMTransformer,
    RNNLanguageModel,
)
from skdeep.nn import NetworkTooLargeError

RNG = np.random.default_rng(0)
X = RNG.random((40, 16))
Y = np.arange(40) % 2


def _fit(estimator, X=X, y=Y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached: not the point here
        return estimator.fit(X, y, **params)


@pytest.mark.parametrize("estimator", [MLPNet(max_iter=2, random_state=0),
                                       ConvNetClassifier(max_iter=1, random_state=0)],
                         ids=["MLPNet", "ConvNetClassifier"])
@pytest.mark.parametrize("label", [7, "a"])
def test_a_single_class_fits_and_predicts_it_with_certainty(estimator, label):
    # scikit-learn's MLP fits one class too (its own tests rely on it), then
    # gives two probability columns; ours match classes_
    model = _fit(clone(estimator), y=np.full(40, label))
    assert list(model.classes_) == [label]
    assert (model.predict(X[:5]) == label).all()
    np.testing.assert_array_equal(model.predict_proba(X[:5]), np.ones((5, 1)))
    np.testing.assert_array_equal(model.predict_log_proba(X[:5]), np.zeros((5, 1)))
    assert model.score(X, np.full(40, label)) == 1.0


def test_a_warm_start_needs_the_classes_of_the_first_fit():
    model = _fit(MLPNet(max_iter=2, random_state=0, warm_start=True),
                 y=np.arange(40) % 3)
    with pytest.raises(ValueError, match=r"warm_start can only be used where `y` has "
                       r"the same classes as in the previous call to fit. Previously "
                       r"got \[0 1 2\], `y` has \[0 1\]"):
        model.fit(X, Y)
    with pytest.raises(ValueError, match=r"`y` has classes not in `self.classes_`"):
        model.partial_fit(X, np.arange(40) % 4)


def test_early_stopping_with_a_class_of_one_member_gives_scikit_learns_error():
    from sklearn.neural_network import MLPClassifier

    y = np.zeros(40, bool)
    y[0] = True
    with pytest.raises(ValueError) as theirs:
        MLPClassifier(early_stopping=True).fit(X, y)
    assert "least populated class" in str(theirs.value)  # text varies by version
    with pytest.raises(ValueError) as ours:
        MLPNet(early_stopping=True).fit(X, y)
    assert str(ours.value) == str(theirs.value)


def test_a_batch_of_one_class_is_fine_when_the_classes_are_given():
    model = MLPNet(random_state=0).partial_fit(X, np.zeros(40, int), classes=[0, 1])
    assert model.predict_proba(X).shape == (40, 2)


FLOAT32_MODELS = [MLPNet(max_iter=2, random_state=0),
                  MLPNetRegressor(max_iter=2, random_state=0),
                  LinearUnitRegressor(max_iter=2, random_state=0),
                  ConvNetRegressor(max_iter=1, random_state=0)]


@pytest.mark.parametrize("estimator", FLOAT32_MODELS,
                         ids=lambda e: type(e).__name__)
def test_values_beyond_float32_are_refused_not_turned_into_nan(estimator):
    y = Y if isinstance(estimator, MLPNet) else X[:, 0]
    huge = X.copy()
    huge[3, 5] = 1e39  # finite in float64, infinite in float32
    with pytest.raises(ValueError, match="float32 range.*dtype='float64'"):
        _fit(clone(estimator), huge, y)
    model = _fit(clone(estimator), X, y)
    before = pickle.dumps(model)
    with pytest.raises(ValueError, match="float32 range"):
        model.predict(huge)
    assert pickle.dumps(model) == before
    # a float64 model takes the value
    wide = _fit(clone(estimator).set_params(dtype="float64"), X, y)
    assert np.isfinite(wide.predict(huge[:4])).all()


ARCHITECTURE_CHANGES = [
    (MLPNet(max_iter=2, random_state=0), "hidden_layer_sizes", (7,)),
    (MLPNet(max_iter=2, random_state=0), "activation", "tanh"),
    (MLPNet(max_iter=2, random_state=0), "dropout", 0.5),
    (MLPNet(max_iter=2, random_state=0), "loss", "hinge"),
    (MLPNetRegressor(max_iter=2, random_state=0), "dtype", "float64"),
    (LinearUnitRegressor(max_iter=2, random_state=0), "fit_intercept", False),
    (ConvNetClassifier(max_iter=1, random_state=0), "layers",
     [{"type": "fc", "num_neurons": 4}]),
]


@pytest.mark.parametrize("estimator, name, value", ARCHITECTURE_CHANGES,
                         ids=[f"{type(e).__name__}-{n}" for e, n, _ in
                              ARCHITECTURE_CHANGES])
@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
def test_a_warm_start_cannot_silently_ignore_a_new_architecture(estimator, name,
                                                                value, how):
    y = Y if hasattr(estimator, "predict_proba") else X[:, 0]
    model = _fit(clone(estimator), X, y)
    before = pickle.dumps(model)
    model.set_params(**{name: value})
    with pytest.raises(ValueError, match=f"{name}=.* differs from the value the "
                       "fitted model was built with"):
        if how == "warm_start":
            model.set_params(warm_start=True).fit(X, y)
        else:
            model.partial_fit(X, y)
    model.set_params(warm_start=False)
    assert pickle.dumps(model.set_params(**estimator.get_params())) == before
    # a cold fit builds the new network
    model.set_params(**{name: value})
    _fit(model, X, y)


def test_an_equivalent_spelling_of_the_architecture_resumes():
    model = _fit(MLPNet(hidden_layer_sizes=(5,), max_iter=2, random_state=0))
    model.set_params(hidden_layer_sizes=[5], warm_start=True)
    _fit(model)
    assert model._train_state.n_iter == 4


@pytest.mark.parametrize("layer, message", [
    ({"type": "conv", "sx": 3, "filters": 2, "bias_pref": float("nan")},
     r"layers\[0\]\['bias_pref'\]' parameter must be a finite number"),
    ({"type": "fc", "num_neurons": 3, "bias_pref": "0.1"},
     r"layers\[0\]\['bias_pref'\]' parameter must be a real number"),
    ({"type": "pool", "sx": 2, "pad": 2},
     r"pad=2 must be smaller than the pooling window"),
    ({"type": "pool", "sx": 3, "sy": 1, "pad": (1, 0)},
     r"pad=\(1, 0\) must be smaller than the pooling window \(sy, sx\)=\(1, 3\)"),
    ({"type": "conv", "sx": 3, "filters": 2, "pad": (1,)},
     r"layers\[0\]\['pad'\] must be an int or a \(y, x\) pair; got \(1,\)"),
    ({"type": "conv", "sx": 3, "filters": 2, "stride": [1, 1, 1]},
     r"layers\[0\]\['stride'\] must be an int or a \(y, x\) pair"),
])
def test_convnet_layer_options_are_checked_before_any_work(layer, message):
    with pytest.raises((ValueError, TypeError), match=message):
        ConvNetClassifier(layers=[layer]).fit(X, Y)


def test_a_network_too_large_for_memory_is_refused_before_allocating():
    model = _fit(MLPNet(hidden_layer_sizes=(3,), max_iter=2, random_state=0))
    weights = [w.copy() for w in model.coefs_]
    with pytest.raises(NetworkTooLargeError, match="parameters: .* more than this "
                       "machine's .* of memory. The network comes from .*"
                       r"hidden_layer_sizes=\(1000000000000,\)"):
        model.set_params(hidden_layer_sizes=(10**12,)).fit(X, Y)
    for before, after in zip(weights, model.coefs_):
        np.testing.assert_array_equal(before, after)
    assert issubclass(NetworkTooLargeError, ValueError)


def test_the_layers_of_one_network_count_together(monkeypatch):
    import skdeep.nn.base

    # each 300 x 300 float32 layer takes 720 kB with its gradient; three do not
    # fit in 1.5 MB, and the third is refused before it is allocated
    monkeypatch.setattr(skdeep.nn.base, "_physical_memory", lambda: 1_500_000)
    with pytest.raises(NetworkTooLargeError, match=r"Dense\(300, 300\) .* after .* "
                       "for the layers before it"):
        MLPNet(hidden_layer_sizes=(300, 300, 300, 300)).fit(X, Y)
    _fit(MLPNet(hidden_layer_sizes=(300, 300), max_iter=1))  # these fit
    _fit(MLPNet(hidden_layer_sizes=(300, 300), max_iter=1))  # and again


def test_a_convnet_too_large_for_memory_is_refused_before_allocating():
    layers = [{"type": "conv", "sx": 1, "filters": 10**13}]
    with pytest.raises(NetworkTooLargeError, match=r"Conv2D\(1, 10000000000000"):
        ConvNetClassifier(layers=layers).fit(X, Y)


def test_convnet_n_features_in_counts_the_values_of_each_image():
    images = RNG.random((30, 2, 6, 5))
    y = np.arange(30) % 3
    model = _fit(ConvNetClassifier(max_iter=1, random_state=0), images, y)
    assert model.n_features_in_ == 60 and model.input_shape_ == (2, 6, 5)
    # rows of C·H·W values and image arrays are interchangeable
    np.testing.assert_array_equal(model.predict_proba(images),
                                  model.predict_proba(images.reshape(30, 60)))
    with pytest.raises(ValueError, match="expecting 60 features"):
        model.predict(images.reshape(30, 60)[:, :59])
    with pytest.raises(ValueError, match=r"fitted on \(2, 6, 5\)"):
        model.predict(images.reshape(30, 4, 3, 5))
    gray = _fit(ConvNetClassifier(max_iter=1, random_state=0), images[:, 0], y)
    assert gray.n_features_in_ == 30 and gray.input_shape_ == (1, 6, 5)


def test_rbm_partial_fit_cannot_silently_ignore_a_new_size():
    rbm = RBMTransformer(n_components=4, random_state=0).partial_fit(X)
    before = pickle.dumps(rbm)
    with pytest.raises(ValueError, match="n_components=5 differs .* partial_fit "
                       "continues that model .* or call fit"):
        rbm.set_params(n_components=5).partial_fit(X)
    assert pickle.dumps(rbm.set_params(n_components=4)) == before
    rbm.partial_fit(X)  # back to the built size: continues


@pytest.mark.parametrize("name, value", [("level", "word"), ("hidden_size", 16),
                                         ("min_count", 2), ("cell", "gru")])
def test_language_model_warm_start_keeps_its_network_and_vocabulary(name, value):
    docs = ["hello world", "the cat sat on the mat"]
    lm = _fit(RNNLanguageModel(hidden_size=8, max_iter=1, random_state=0), docs, None)
    with pytest.raises(ValueError, match=f"{name}=.* differs from the value"):
        lm.set_params(warm_start=True, **{name: value}).fit(docs)
    with pytest.raises(ValueError, match=f"{name}=.* differs from the value"):
        lm.partial_fit(docs)


def test_dbn_warm_start_keeps_its_visible_units():
    model = _fit(DBNClassifier(hidden_layer_sizes=(8,), pretrain_n_iter=1, max_iter=1,
                               random_state=0))
    with pytest.raises(ValueError, match="visible_units='gaussian' differs"):
        model.set_params(warm_start=True, visible_units="gaussian").fit(X, Y)


def test_rbm_refuses_values_beyond_float32_and_sizes_beyond_memory():
    huge = X.copy()
    huge[0, 0] = 1e39
    with pytest.raises(ValueError, match="non-finite parameter weights.*float32 range"):
        RBMTransformer().fit(huge)
    rbm = RBMTransformer(n_components=3, random_state=0).fit(X)
    with pytest.raises(ValueError, match="float32 range"):
        rbm.transform(huge)
    with pytest.raises(NetworkTooLargeError, match=r"RBM\(16, 1000000000000\)"):
        RBMTransformer(n_components=10**12).fit(X)
