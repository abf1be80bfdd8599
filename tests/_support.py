"""Helpers shared by the test modules."""

import warnings

from sklearn.exceptions import ConvergenceWarning


def fit_quietly(est, X, y=None, **fit_params):
    """``est.fit(X[, y], **fit_params)`` without the ConvergenceWarning of short
    test budgets."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if y is None:
            return est.fit(X, **fit_params)
        return est.fit(X, y, **fit_params)
