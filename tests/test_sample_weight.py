"""``sample_weight`` in fit and partial_fit: integer weights equal repeated rows
(scikit-learn's own check, with its settings for MLPClassifier/MLPRegressor),
weights change the model, reach the validation score, and are routed by
GridSearchCV and cross_validate."""

import warnings

import numpy as np
import pytest
import sklearn
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.utils.estimator_checks import check_sample_weight_equivalence_on_dense_data

from skdeep import (
    ConvNetClassifier,
    ConvNetRegressor,
    DBNClassifier,
    LinearUnitRegressor,
    MLPNet,
    MLPNetRegressor,
    PerceptronClassifier,
)
from tests._support import fit_quietly

X, Y = load_digits(return_X_y=True)
X, Y = X[:400] / 16, Y[:400]
W = np.random.default_rng(0).integers(0, 4, size=len(Y)).astype(float)
W[:20] = 1  # every class keeps a weighted member
CONV = [{"type": "conv", "sx": 3, "filters": 4, "pad": 1, "activation": "relu"},
        {"type": "pool", "sx": 2}]


@pytest.mark.parametrize("est", [
    MLPNet(solver="lbfgs", dtype="float64", random_state=0),  # sklearn's setting
    MLPNetRegressor(solver="sgd", tol=1e-2, dtype="float64", random_state=42),
    LinearUnitRegressor(batch_size=None, dtype="float64", random_state=0),
    ConvNetClassifier([{"type": "conv", "sx": 3, "filters": 4, "pad": 1,
                        "activation": "relu"}], dtype="float64", random_state=0),
    ConvNetRegressor(dtype="float64", random_state=0),
], ids=lambda est: type(est).__name__)
def test_integer_weights_equal_repeated_rows(est):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check_sample_weight_equivalence_on_dense_data(type(est).__name__, est)


SUPERVISED = [
    MLPNet((16,), max_iter=20, random_state=0),
    MLPNetRegressor((16,), max_iter=20, random_state=0),
    LinearUnitRegressor(max_iter=20, random_state=0),
    PerceptronClassifier(max_iter=5, random_state=0),
    ConvNetClassifier(CONV, max_iter=3, random_state=0),
    ConvNetRegressor(CONV, max_iter=3, random_state=0),
    DBNClassifier((16,), pretrain_n_iter=1, max_iter=5, random_state=0),
]


def _target(est):
    return Y * 1.0 if sklearn.base.is_regressor(est) else Y


@pytest.mark.parametrize("est", SUPERVISED, ids=lambda est: type(est).__name__)
def test_weights_change_the_model_and_ones_do_not(est):
    y = _target(est)
    plain = fit_quietly(sklearn.clone(est), X, y)
    ones = fit_quietly(sklearn.clone(est), X, y, sample_weight=np.ones(len(y)))
    weighted = fit_quietly(sklearn.clone(est), X, y, sample_weight=W)
    method = "predict" if sklearn.base.is_regressor(est) else "decision_function" \
        if isinstance(est, PerceptronClassifier) else "predict_proba"
    np.testing.assert_array_equal(getattr(plain, method)(X), getattr(ones, method)(X))
    assert not np.array_equal(getattr(plain, method)(X),
                              getattr(weighted, method)(X))


@pytest.mark.parametrize("est", SUPERVISED, ids=lambda est: type(est).__name__)
def test_partial_fit_takes_sample_weight(est):
    y = _target(est)
    kwargs = {} if sklearn.base.is_regressor(est) else {"classes": np.arange(10)}
    est = sklearn.clone(est)
    est.partial_fit(X, y, sample_weight=W, **kwargs)
    est.partial_fit(X, y, sample_weight=W)
    assert est.predict(X[:3]).shape == (3,)


def test_zero_weights_are_ignored_rows():
    # full-batch lbfgs, float64: rows of weight 0 are as if absent
    params = dict(hidden_layer_sizes=(8,), solver="lbfgs", max_iter=30,
                  dtype="float64", random_state=0)
    kept = W > 0
    a = fit_quietly(MLPNet(**params), X, Y, sample_weight=np.where(kept, 1.0, 0.0))
    b = fit_quietly(MLPNet(**params), X[kept], Y[kept])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-9)


def test_early_stopping_scores_the_validation_rows_with_their_weights():
    clf = fit_quietly(MLPNet((16,), early_stopping=True, max_iter=3, tol=None,
                             random_state=0), X, Y, sample_weight=W)
    from sklearn.model_selection import train_test_split

    _, X_val, _, y_val, _, w_val = train_test_split(
        X, Y, W, test_size=0.1, stratify=Y,
        random_state=clf._train_state.split_seed)
    # the kept (best) model's weighted validation accuracy is the best score
    assert clf.score(X_val, y_val, sample_weight=w_val) == pytest.approx(
        clf.best_validation_score_)


@pytest.mark.parametrize("make", [MLPNet, PerceptronClassifier])
def test_sample_weight_is_routed_by_grid_search_and_cross_validate(make):
    with sklearn.config_context(enable_metadata_routing=True):
        est = (make(max_iter=5, random_state=0).set_fit_request(sample_weight=True)
               .set_score_request(sample_weight=False))
        grid = {"alpha": [1e-4, 1e-2]}
        search = fit_quietly(GridSearchCV(est, grid, cv=2), X, Y, sample_weight=W)
        unweighted = fit_quietly(GridSearchCV(make(max_iter=5, random_state=0),
                                              grid, cv=2), X, Y)
        assert not np.array_equal(search.cv_results_["mean_test_score"],
                                  unweighted.cv_results_["mean_test_score"])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            scores = cross_validate(est, X, Y, cv=2,
                                    params={"sample_weight": W})["test_score"]
        assert len(scores) == 2


def test_bad_sample_weights_are_refused_naming_them():
    for weights, match in [(np.ones(3), "sample_weight.shape"),
                           (np.ones((len(Y), 2)), "1D array"),
                           (np.full(len(Y), np.nan), "finite"),
                           (np.zeros(len(Y)), "non-zero")]:
        with pytest.raises(ValueError, match=match):
            MLPNet(max_iter=2).fit(X, Y, sample_weight=weights)
