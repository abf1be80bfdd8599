"""scikit-learn conformance for the estimators of sequences and trees.

scikit-learn's estimator checks feed 2-D tables, which these estimators do not
take (their tags say so); the checks that need no data run as they are, and the
rest of the contract is tested here on the input they accept.
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import (
    check_get_params_invariance,
    check_no_attributes_set_in_init,
    check_parameters_default_constructible,
    check_set_params,
)

from skdeep import RecursiveNetClassifier, RNNClassifier, RNNRegressor

RNG = np.random.default_rng(0)
SEQUENCES = RNG.normal(size=(20, 5, 2))
TREES = ["(1 (1 good) (1 film))", "(0 (0 bad) (1 film))"] * 5
CASES = [
    (RNNClassifier(max_iter=2, random_state=0), SEQUENCES, np.arange(20) % 2),
    (RNNRegressor(max_iter=2, random_state=0), SEQUENCES, SEQUENCES.sum(axis=(1, 2))),
    (RecursiveNetClassifier(dim=4, max_iter=2, random_state=0), TREES, None),
]
IDS = ["RNNClassifier", "RNNRegressor", "RecursiveNetClassifier"]


@pytest.mark.parametrize("estimator, X, y", CASES, ids=IDS)
def test_scikit_learns_data_free_checks(estimator, X, y):
    name = type(estimator).__name__
    check_parameters_default_constructible(name, type(estimator)())
    check_no_attributes_set_in_init(name, clone(estimator))
    check_get_params_invariance(name, clone(estimator))
    check_set_params(name, clone(estimator))


@pytest.mark.parametrize("estimator, X, y", CASES, ids=IDS)
def test_not_fitted_bad_parameters_and_a_failed_fit(estimator, X, y):
    model = clone(estimator)
    with pytest.raises(NotFittedError):
        model.predict(X)
    with pytest.raises(ValueError, match="learning_rate_init"):
        clone(estimator).set_params(learning_rate_init=-1).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    before = model.predict(X)
    with pytest.raises(ValueError):
        model.set_params(max_iter=0).fit(X, y)
    np.testing.assert_array_equal(model.predict(X), before)


@pytest.mark.parametrize("estimator, X, y", CASES[:2], ids=IDS[:2])
def test_transform_follows_set_output(estimator, X, y):
    pd = pytest.importorskip("pandas")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = clone(estimator).fit(X, y).set_output(transform="pandas")
    frame = model.transform(X)
    assert isinstance(frame, pd.DataFrame) and len(frame) == len(X)
