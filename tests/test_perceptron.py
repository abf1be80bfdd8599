"""PerceptronClassifier: seed parity (AND/OR/XOR) and scikit-learn behaviour."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from skdeep import PerceptronClassifier

TRUTH_X = [[1, 1], [0, 0], [1, 0], [0, 1]]
SEED_SETTINGS = dict(eta0=0.1, max_iter=10, tol=None, shuffle=False)


def test_and_parity_with_the_seed():
    clf = PerceptronClassifier(**SEED_SETTINGS).fit(TRUTH_X, [1, 0, 0, 0])
    np.testing.assert_allclose(clf.coef_, [[0.1, 0.2]], atol=1e-12)
    np.testing.assert_allclose(clf.intercept_, [-0.2], atol=1e-12)
    np.testing.assert_array_equal(clf.predict(TRUTH_X), [1, 0, 0, 0])
    assert clf.n_iter_ == 10


def test_or_is_learned():
    clf = PerceptronClassifier(**SEED_SETTINGS).fit(TRUTH_X, [1, 0, 1, 1])
    np.testing.assert_array_equal(clf.predict(TRUTH_X), [1, 0, 1, 1])


def test_xor_cannot_be_separated():
    y = [0, 0, 1, 1]
    clf = PerceptronClassifier(eta0=0.1, max_iter=100, tol=None, shuffle=False)
    assert clf.fit(TRUTH_X, y).score(TRUTH_X, y) < 1.0


def test_eta0_does_not_change_decisions_from_zero_start():
    a = PerceptronClassifier(eta0=0.1, max_iter=10, tol=None, shuffle=False)
    b = PerceptronClassifier(eta0=5.0, max_iter=10, tol=None, shuffle=False)
    X, y = load_digits(return_X_y=True)
    np.testing.assert_array_equal(a.fit(X, y).predict(X), b.fit(X, y).predict(X))


def test_multiclass_digits_one_vs_rest():
    X, y = load_digits(return_X_y=True)
    X_tr, X_te, y_tr, y_te = train_test_split(X / 16, y, random_state=0, stratify=y)
    clf = PerceptronClassifier(random_state=0).fit(X_tr, y_tr)
    assert clf.coef_.shape == (10, 64)
    assert clf.score(X_te, y_te) > 0.9
    assert clf.decision_function(X_te).shape == (len(X_te), 10)


def test_stops_when_an_epoch_makes_no_mistake():
    clf = PerceptronClassifier(eta0=0.1, shuffle=False).fit(TRUTH_X, [1, 0, 0, 0])
    assert clf.n_iter_ < 1000


def test_partial_fit_equals_fit_epochs():
    X, y = load_digits(return_X_y=True)
    full = PerceptronClassifier(max_iter=3, tol=None, random_state=1).fit(X, y)
    inc = PerceptronClassifier(random_state=1)
    for _ in range(3):
        inc.partial_fit(X, y, classes=np.unique(y))
    np.testing.assert_allclose(inc.coef_, full.coef_)


def test_partial_fit_needs_classes_first():
    with pytest.raises(ValueError, match="classes"):
        PerceptronClassifier().partial_fit(TRUTH_X, [1, 0, 0, 0])


def test_early_stopping_and_class_weight_run():
    X, y = load_digits(return_X_y=True)
    clf = PerceptronClassifier(early_stopping=True, class_weight="balanced",
                               penalty="l2", random_state=0).fit(X, y)
    assert clf.score(X, y) > 0.85


def test_bad_parameters_are_named():
    with pytest.raises(ValueError, match="penalty"):
        PerceptronClassifier(penalty="l3").fit(TRUTH_X, [1, 0, 0, 0])
    with pytest.raises(ValueError, match="eta0"):
        PerceptronClassifier(eta0=-1.0).fit(TRUTH_X, [1, 0, 0, 0])
