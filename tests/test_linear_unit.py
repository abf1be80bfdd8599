"""LinearUnitRegressor: the salary parity of seed 004 part 2 and least squares."""

import numpy as np
import pytest
from sklearn.datasets import make_regression
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import StandardScaler

from skdeep import LinearUnitRegressor

YEARS = [[5], [3], [8], [1.4], [10.1]]
SALARY = [5500, 2300, 7600, 1800, 11400]
SEED = dict(learning_rate_init=0.01, batch_size=1, max_iter=10, shuffle=False,
            tol=None)


def test_salary_parity_float64():
    unit = LinearUnitRegressor(**SEED, dtype="float64").fit(YEARS, SALARY)
    np.testing.assert_allclose(unit.coef_, [1124.0634970262222], rtol=1e-9)
    np.testing.assert_allclose(unit.intercept_, 85.48528882583837, rtol=1e-9)
    np.testing.assert_allclose(
        unit.predict([[3.4], [15], [1.5], [6.3]]),
        [3907.30, 16946.44, 1771.58, 7167.09], atol=0.01,
    )


def test_salary_float32_default_is_close():
    unit = LinearUnitRegressor(**SEED).fit(YEARS, SALARY)
    np.testing.assert_allclose(unit.coef_, [1124.0634970262222], rtol=1e-5)


def test_reaches_least_squares_on_standardised_data():
    X, y = make_regression(n_samples=200, n_features=5, noise=5.0, random_state=0)
    X = StandardScaler().fit_transform(X)
    ls = LinearRegression().fit(X, y)
    unit = LinearUnitRegressor(batch_size=None, learning_rate_init=0.1, max_iter=2000,
                               tol=None, dtype="float64").fit(X, y)
    np.testing.assert_allclose(unit.coef_, ls.coef_, rtol=1e-4)
    np.testing.assert_allclose(unit.intercept_, ls.intercept_, rtol=1e-4)


def test_multi_output():
    X, Y = make_regression(n_samples=100, n_features=3, n_targets=2, random_state=0)
    unit = LinearUnitRegressor(batch_size=None, learning_rate_init=0.1, max_iter=500,
                               dtype="float64").fit(X, Y)
    assert unit.coef_.shape == (2, 3) and unit.intercept_.shape == (2,)
    assert unit.predict(X).shape == (100, 2)
    assert unit.score(X, Y) > 0.99


def test_no_intercept():
    unit = LinearUnitRegressor(fit_intercept=False, batch_size=None, max_iter=50)
    unit.fit(YEARS, SALARY)
    assert unit.intercept_ == 0.0


def test_bad_batch_size_named():
    with pytest.raises(ValueError, match="batch_size"):
        LinearUnitRegressor(batch_size=0).fit(YEARS, SALARY)
