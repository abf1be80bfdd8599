"""RNNClassifier and RNNRegressor: conformance on sequence input (scikit-learn's
checks feed 2-D data, so these tests cover clone, pickle, search and the rest)."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV

from skdeep import RNNClassifier, RNNRegressor

RNG = np.random.default_rng(0)
X3 = RNG.normal(size=(48, 7, 2))
Y_CLASS = (X3[:, :, 0].sum(axis=1) > 0).astype(int)
Y_REG = X3[:, :, 1].mean(axis=1)


def _fit(estimator, X, y, **params):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # max_iter reached: not the point here
        return clone(estimator).fit(X, y, **params)


@pytest.mark.parametrize("cell", ["gru", "lstm", "rnn", "rnn_relu",
                                  "gru_reset_before"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_padding_in_a_batch_changes_no_prediction(cell, bidirectional):
    lengths = RNG.integers(2, 8, size=20)
    sequences = [RNG.normal(size=(n, 2)) for n in lengths]
    y = np.arange(20) % 3
    model = _fit(RNNClassifier(cell, hidden_size=5, num_layers=2,
                               bidirectional=bidirectional, max_iter=2,
                               random_state=0, dtype="float64"), sequences, y)
    together = model.predict_proba(sequences)
    for i in (0, int(np.argmin(lengths))):
        np.testing.assert_allclose(model.predict_proba([sequences[i]])[0],
                                   together[i], rtol=1e-10)


def test_a_3d_array_and_a_list_of_equal_sequences_fit_the_same():
    a = _fit(RNNClassifier(max_iter=3, random_state=0), X3, Y_CLASS)
    b = _fit(RNNClassifier(max_iter=3, random_state=0), list(X3), Y_CLASS)
    np.testing.assert_array_equal(a.predict_proba(X3), b.predict_proba(list(X3)))
    assert a.n_features_in_ == 2


def test_univariate_sequences_as_a_2d_array():
    model = _fit(RNNRegressor(hidden_size=8, max_iter=2, random_state=0),
                 X3[:, :, 0], Y_REG)
    assert model.n_features_in_ == 1 and model.predict(X3[:5, :, 0]).shape == (5,)


def test_regressor_outputs_per_sequence_and_per_step():
    model = _fit(RNNRegressor(hidden_size=8, max_iter=2, random_state=0), X3,
                 np.c_[Y_REG, -Y_REG])
    assert model.predict(X3).shape == (48, 2)
    per_step = np.cumsum(X3, axis=1)  # (n, T, 2): running sums, step by step
    model = _fit(RNNRegressor(hidden_size=8, max_iter=30, learning_rate_init=0.01,
                              random_state=0), X3, per_step)
    assert model.predict(X3).shape == (48, 7, 2)
    assert model.score(X3, per_step) > 0.8  # measured 0.89 (0.98 at 100 epochs)
    with pytest.raises(ValueError, match="equal length"):
        model.fit([X3[0], X3[1][:3]], per_step[:2])


def test_transform_gives_the_final_state():
    model = _fit(RNNClassifier(hidden_size=6, bidirectional=True, max_iter=1,
                               random_state=0), X3, Y_CLASS)
    assert model.transform(X3).shape == (48, 12)
    assert list(model.get_feature_names_out()) == [f"rnnclassifier{i}"
                                                   for i in range(12)]


def test_a_model_learns_the_sign_of_a_sum():
    model = _fit(RNNClassifier(hidden_size=16, max_iter=60, random_state=0), X3,
                 Y_CLASS)
    assert model.score(X3, Y_CLASS) > 0.9


@pytest.mark.parametrize("estimator, y", [(RNNClassifier(max_iter=2), Y_CLASS),
                                          (RNNRegressor(max_iter=2), Y_REG)],
                         ids=["classifier", "regressor"])
def test_clone_pickle_joblib_and_grid_search(estimator, y, tmp_path):
    model = _fit(estimator.set_params(random_state=0), X3, y)
    for restored in (pickle.loads(pickle.dumps(model)),
                     joblib.load(joblib.dump(model, tmp_path / "m.joblib")[0])):
        np.testing.assert_array_equal(restored.predict(X3), model.predict(X3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(estimator, {"hidden_size": [4, 8],
                                          "cell": ["gru", "lstm"]}, cv=2).fit(X3, y)
    assert set(search.best_params_) == {"hidden_size", "cell"}


def test_warm_start_resumes_exactly_and_weights_matter():
    full = _fit(RNNClassifier(max_iter=4, random_state=0), X3, Y_CLASS)
    half = _fit(RNNClassifier(max_iter=2, random_state=0, warm_start=True), X3,
                Y_CLASS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        half.fit(X3, Y_CLASS)
    np.testing.assert_array_equal(full.predict_proba(X3), half.predict_proba(X3))
    weighted = _fit(RNNClassifier(max_iter=4, random_state=0), X3, Y_CLASS,
                    sample_weight=np.arange(48) % 3)
    assert not np.array_equal(weighted.predict_proba(X3), full.predict_proba(X3))


@pytest.mark.parametrize("X, message", [
    ([np.ones((3, 2)), np.ones((4, 3))], "same number of features per step"),
    ([], "non-empty list"),
    (np.ones((4, 3, 2)) * np.nan, "NaN"),
])
def test_bad_sequences_are_refused(X, message):
    with pytest.raises(ValueError, match=message):
        RNNClassifier().fit(X, np.arange(len(X)) % 2)


def test_wrong_feature_count_and_changed_cell_are_refused():
    model = _fit(RNNClassifier(max_iter=1, random_state=0), X3, Y_CLASS)
    with pytest.raises(ValueError, match="3 features per step, but RNNClassifier "
                       "is expecting 2"):
        model.predict(np.ones((2, 5, 3)))
    with pytest.raises(ValueError, match="cell='lstm' differs"):
        model.set_params(cell="lstm", warm_start=True).fit(X3, Y_CLASS)
