"""Helpers shared by the test modules."""

import warnings

from sklearn.exceptions import ConvergenceWarning


def fit_quietly(est, X, y=None):
    """``est.fit(X[, y])`` without the ConvergenceWarning of short test budgets."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X) if y is None else est.fit(X, y)
