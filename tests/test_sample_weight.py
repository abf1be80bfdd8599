"""``sample_weight`` in fit and partial_fit: integer weights equal repeated rows
(scikit-learn's own check, with its settings for MLPClassifier/MLPRegressor, and
full-batch persistent CD for the RBMs and the DBN's pre-training), weights change
the model, reach the validation score, and are routed by GridSearchCV and
cross_validate."""

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
    RBMTransformer,
)
from skdeep.nn.rbm import RBM
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
    # one batch of persistent CD: the chain does not depend on the rows, so a
    # weight is a repeat (minibatches or CD-k's per-row chains are not; see
    # test_common.py)
    RBMTransformer(batch_size=200, dtype="float64", random_state=0),
    RBMTransformer(visible_units="gaussian", learning_rate=0.01, batch_size=200,
                   dtype="float64", random_state=0),
    DBNClassifier(persistent=True, pretrain_batch_size=200, dtype="float64",
                  random_state=0),
], ids=lambda est: "-".join(filter(None, [type(est).__name__,
                                            est.get_params().get("visible_units")])))
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
    params = {"hidden_layer_sizes": (8,), "solver": "lbfgs", "max_iter": 30,
              "dtype": "float64", "random_state": 0}
    kept = W > 0
    a = fit_quietly(MLPNet(**params), X, Y, sample_weight=np.where(kept, 1.0, 0.0))
    b = fit_quietly(MLPNet(**params), X[kept], Y[kept])
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-9)


def test_early_stopping_scores_the_validation_rows_with_their_weights():
    clf = fit_quietly(MLPNet((16,), early_stopping=True, max_iter=3, tol=None,
                             random_state=0), X, Y, sample_weight=W)
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import LabelBinarizer

    # the split is stratified on the encoded targets, as scikit-learn's MLP
    one_hot = LabelBinarizer().fit_transform(Y).astype(bool)
    _, X_val, _, y_val, _, w_val = train_test_split(
        X, Y, W, test_size=0.1, stratify=one_hot,
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


# ---------------------------------------------------------------- RBM / DBN
def test_weighted_cd_gradient_is_the_weighted_mean():
    rng = np.random.default_rng(0)
    rbm = RBM(6, 4, rng=rng, dtype=np.float64)
    v = rng.random((3, 6))
    chain = (rng.random((5, 4)) < 0.5).astype(float)

    def grads(rows, weights, seed=1, persistent=True, **kw):
        rbm.cd_gradients(rows, 1, np.random.default_rng(seed),
                         chain if persistent else None, sample_weight=weights, **kw)
        return rbm.packed_grad.copy()

    # persistent chain: weights only move the data term, so 2 = a repeat
    np.testing.assert_allclose(grads(v, np.array([2.0, 1.0, 0.0])),
                               grads(v[[0, 0, 1]], None), atol=1e-14)
    # equal weights are the plain mean, bit for bit, for CD-k too
    for persistent in (True, False):
        np.testing.assert_array_equal(grads(v, np.full(3, 0.7), persistent=persistent),
                                      grads(v, None, persistent=persistent))
    # CD-1: a zero-weight last row is a removed one (the other rows' chains
    # draw the same numbers; mean-field reconstructions draw none)
    np.testing.assert_allclose(
        grads(v, np.array([3.0, 3.0, 0.0]), persistent=False, sample_visible=False),
        grads(v[:2], None, persistent=False, sample_visible=False), atol=1e-14)


def test_rbm_equal_weights_are_no_weights_and_weights_matter():
    plain = RBMTransformer(16, random_state=0).fit(X)
    for ones in (np.ones(len(X)), np.full(len(X), 2.5)):
        same = RBMTransformer(16, random_state=0).fit(X, sample_weight=ones)
        np.testing.assert_array_equal(same.components_, plain.components_)
        np.testing.assert_array_equal(same.h_samples_, plain.h_samples_)
    weighted = RBMTransformer(16, random_state=0).fit(X, sample_weight=W)
    assert np.abs(weighted.components_ - plain.components_).max() > 1e-3
    stepped = RBMTransformer(16, random_state=0).partial_fit(X[:50],
                                                             sample_weight=W[:50])
    assert stepped.components_.shape == (16, 64)


def test_rbm_zero_weights_are_removed_rows():
    # one batch of persistent CD (float64): the chain does not see the rows
    params = {"n_components": 16, "batch_size": len(X), "n_iter": 5,
              "dtype": "float64", "random_state": 0}
    kept = W > 0
    a = RBMTransformer(**params).fit(X, sample_weight=kept * 1.0)
    b = RBMTransformer(**params).fit(X[kept])
    np.testing.assert_allclose(a.components_, b.components_, atol=1e-12)


def test_dbn_pretraining_is_weighted():
    params = {"hidden_layer_sizes": (16, 8), "pretrain_n_iter": 2, "max_iter": 3,
              "random_state": 0}
    plain = fit_quietly(DBNClassifier(**params), X, Y)
    same = fit_quietly(DBNClassifier(**params), X, Y, sample_weight=np.full(len(Y), 3.0))
    weighted = fit_quietly(DBNClassifier(**params), X, Y, sample_weight=W)
    for rbm, same_rbm, weighted_rbm in zip(plain.rbms_, same.rbms_, weighted.rbms_):
        # equal weights: the same pre-training, bit for bit
        np.testing.assert_array_equal(same_rbm.components_, rbm.components_)
        np.testing.assert_array_equal(same_rbm.intercept_hidden_,
                                      rbm.intercept_hidden_)
        assert np.abs(weighted_rbm.components_ - rbm.components_).max() > 1e-3
    # the fitted model keeps no trace of the weights
    assert not hasattr(weighted, "_pretrain_sample_weight")


def test_dbn_pretraining_with_zero_weights_is_on_the_other_rows():
    # full-batch persistent CD, float64: each layer's RBM as if the rows were gone
    # and full-batch L-BFGS fine-tuning, as test_zero_weights_are_ignored_rows
    params = {"hidden_layer_sizes": (16, 8), "pretrain_n_iter": 3,
              "persistent": True, "pretrain_batch_size": len(Y), "solver": "lbfgs",
              "max_iter": 30, "dtype": "float64", "random_state": 0}
    kept = W > 0
    a = fit_quietly(DBNClassifier(**params), X, Y, sample_weight=kept * 1.0)
    b = fit_quietly(DBNClassifier(**params), X[kept], Y[kept])
    for rbm_a, rbm_b in zip(a.rbms_, b.rbms_):
        np.testing.assert_allclose(rbm_a.components_, rbm_b.components_, atol=1e-12)
    # L-BFGS carries the layers' last-bit differences on (measured: 5e-8)
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), atol=1e-6)


def test_rbm_sample_weight_is_routed():
    from sklearn.pipeline import make_pipeline

    with sklearn.config_context(enable_metadata_routing=True):
        rbm = RBMTransformer(16, random_state=0).set_fit_request(sample_weight=True)
        pipe = make_pipeline(rbm, MLPNet((8,), max_iter=3, random_state=0)
                             .set_fit_request(sample_weight=False))
        fit_quietly(pipe, X, Y, sample_weight=W)
        direct = RBMTransformer(16, random_state=0).fit(X, sample_weight=W)
        np.testing.assert_array_equal(pipe[0].components_, direct.components_)
