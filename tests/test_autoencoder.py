"""MLPAutoencoder: codes, reconstructions, tied weights, denoising, contracts."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skdeep import MLPAutoencoder


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.3, random_state=0, stratify=y)


def _fit(X, **params):
    params = {"random_state": 0, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MLPAutoencoder(**params).fit(X)


def _reconstruction_error(X, X_hat):
    return float(np.mean((X - X_hat) ** 2))


@pytest.mark.parametrize("params", [{}, {"tied_weights": True,
                                         "out_activation": "logistic"}])
def test_beats_pca_with_the_same_code_size_on_unseen_rows(digits, params):
    X_tr, X_te, _, _ = digits
    ae = _fit(X_tr, hidden_layer_sizes=(96, 10), max_iter=100, **params)
    pca = PCA(10).fit(X_tr)
    ae_error = _reconstruction_error(X_te, ae.inverse_transform(ae.transform(X_te)))
    pca_error = _reconstruction_error(X_te, pca.inverse_transform(pca.transform(X_te)))
    assert ae_error < 0.9 * pca_error
    assert ae.score(X_te) == pytest.approx(-ae_error, rel=1e-5)


def test_transform_inverse_transform_and_reconstruct_agree(digits):
    X_tr, X_te, _, _ = digits
    ae = _fit(X_tr, hidden_layer_sizes=(32, 5), max_iter=5)
    codes = ae.transform(X_te)
    assert codes.shape == (len(X_te), 5) and codes.dtype == X_te.dtype
    np.testing.assert_allclose(ae.inverse_transform(codes), ae.reconstruct(X_te),
                               atol=1e-6)
    assert list(ae.get_feature_names_out()) == [f"mlpautoencoder{i}"
                                                for i in range(5)]
    # the code is linear by default: the code layer's output, no activation
    W, b = ae.coefs_[1], ae.intercepts_[1]
    hidden = np.maximum(X_te @ ae.coefs_[0] + ae.intercepts_[0], 0)
    np.testing.assert_allclose(codes, hidden @ W + b, atol=1e-5)
    assert ae.n_layers_ == 5 and [c.shape for c in ae.coefs_] == [
        (64, 32), (32, 5), (5, 32), (32, 64)]


def test_tied_weights_share_the_encoder_matrices(digits):
    X_tr, _, _, _ = digits
    ae = _fit(X_tr, hidden_layer_sizes=(32, 5), tied_weights=True, max_iter=3)
    np.testing.assert_array_equal(ae.coefs_[3], ae.coefs_[0].T)
    np.testing.assert_array_equal(ae.coefs_[2], ae.coefs_[1].T)
    untied = _fit(X_tr, hidden_layer_sizes=(32, 5), max_iter=3)
    n_weights = [sum(p.size for p in m._network.param_arrays()) for m in (ae, untied)]
    assert n_weights[0] < 0.6 * n_weights[1]


def test_noise_corrupts_training_only_and_denoises(digits):
    X_tr, X_te, _, _ = digits
    noisy = _fit(X_tr, hidden_layer_sizes=(64, 16), noise=0.3, max_iter=30)
    clean = _fit(X_tr, hidden_layer_sizes=(64, 16), max_iter=30)
    assert not np.allclose(noisy.coefs_[0], clean.coefs_[0])
    np.testing.assert_array_equal(noisy.transform(X_te), noisy.transform(X_te))
    # masked test inputs: the denoising model rebuilds the clean rows better
    mask = np.random.default_rng(1).random(X_te.shape) >= 0.3
    errors = [_reconstruction_error(X_te, m.reconstruct(X_te * mask))
              for m in (noisy, clean)]
    assert errors[0] < errors[1]


@pytest.mark.parametrize("params", [{"noise": 0.2},
                                    {"noise": 0.3, "noise_type": "gaussian",
                                     "tied_weights": True}])
def test_exact_warm_start_with_noise(digits, params):
    X_tr, _, _, _ = digits
    params = {"hidden_layer_sizes": (16, 4), "tol": None, **params}
    whole = _fit(X_tr, max_iter=6, **params)
    parts = _fit(X_tr, max_iter=4, warm_start=True, **params)
    parts.set_params(max_iter=2).fit(X_tr)
    for a, b in zip(whole.coefs_ + whole.intercepts_, parts.coefs_ + parts.intercepts_):
        np.testing.assert_array_equal(a, b)
    # partial_fit continues the same way: one epoch a call
    streamed = _fit(X_tr, max_iter=4, **params)
    streamed.partial_fit(X_tr).partial_fit(X_tr)
    np.testing.assert_array_equal(streamed.transform(X_tr), whole.transform(X_tr))


def test_pipeline_to_logistic_regression(digits):
    X_tr, X_te, y_tr, y_te = digits
    pipe = make_pipeline(MLPAutoencoder((64, 16), max_iter=30, random_state=0),
                         LogisticRegression(max_iter=2000))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X_tr, y_tr)
    assert pipe.score(X_te, y_te) > 0.85


def test_early_stopping_lbfgs_and_pickle(digits):
    X_tr, X_te, _, _ = digits
    stopped = _fit(X_tr, hidden_layer_sizes=(16, 4), early_stopping=True,
                   n_iter_no_change=3, max_iter=200)
    assert stopped.n_iter_ < 200
    assert stopped.best_validation_score_ == max(stopped.validation_scores_) < 0
    lbfgs = _fit(X_tr, hidden_layer_sizes=(16, 4), solver="lbfgs", max_iter=30)
    assert lbfgs.score(X_te) > -0.06
    assert not hasattr(lbfgs, "partial_fit")
    copy = pickle.loads(pickle.dumps(stopped))
    np.testing.assert_array_equal(copy.transform(X_te), stopped.transform(X_te))
    assert clone(stopped).get_params() == stopped.get_params()


@pytest.mark.parametrize("params,match", [
    ({"noise": 1.0}, "noise"),
    ({"noise": -0.1, "noise_type": "gaussian"}, "noise"),
    ({"noise_type": "salt"}, "noise_type"),
    ({"out_activation": "softmax"}, "out_activation"),
    ({"code_activation": "sine"}, "code_activation"),
    ({"tied_weights": "yes"}, "tied_weights"),
    ({"hidden_layer_sizes": (8, 0)}, "hidden_layer_sizes"),
])
def test_bad_parameters_are_named(params, match):
    with pytest.raises((ValueError, TypeError), match=match):
        MLPAutoencoder(**params).fit(np.ones((5, 3)))


def test_codes_of_the_wrong_width_and_a_changed_architecture(digits):
    X_tr, _, _, _ = digits
    ae = _fit(X_tr, hidden_layer_sizes=(8, 3), max_iter=2)
    with pytest.raises(ValueError, match="expecting 3"):
        ae.inverse_transform(np.ones((2, 4)))
    before = ae.coefs_[0].copy()
    with pytest.raises(ValueError, match="tied_weights"):
        ae.set_params(warm_start=True, tied_weights=True).fit(X_tr)
    np.testing.assert_array_equal(ae.coefs_[0], before)  # a failed fit changes nothing
