"""A linear unit predicts salary from years of experience (seed 004, part 2).

Reproduces learn_dl's ``linear_unit.py`` from the "deep learning from zero"
series: one input (years worked), identity activation, weights starting at zero,
and stochastic gradient descent on the squared error, sample by sample in the
data's order, 10 epochs with rate 0.01. In skdeep this is::

    LinearUnitRegressor(learning_rate_init=0.01, batch_size=1, max_iter=10,
                        shuffle=False, tol=None, dtype='float64')

``dtype='float64'`` makes the arithmetic the seed's (Python floats), so the
printed weight and bias match the seed's to the last digits; the default float32
agrees to about 6 significant digits.

Run ``python examples/linear_unit_salary.py`` (no data needed).
"""

import argparse
import sys

import numpy as np

from skdeep import LinearUnitRegressor

# The seed's data: years of experience -> monthly salary.
X = np.array([[5.0], [3.0], [8.0], [1.4], [10.1]])
y = np.array([5500.0, 2300.0, 7600.0, 1800.0, 11400.0])
X_NEW = np.array([[3.4], [15.0], [1.5], [6.3]])

# What the seed program prints (SPEC §3), for comparison.
SEED_W, SEED_B = 1124.0634970262222, 85.48528882583837
SEED_PREDICTIONS = [3907.30, 16946.44, 1771.58, 7167.09]


def main(argv=None):
    """Fit the seed's linear unit and print its weight, bias and predictions.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 when the predictions match the seed's to the cent.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true",
                        help="accepted for uniformity with the other examples; "
                             "this one is already instant")
    parser.parse_args(argv)

    reg = LinearUnitRegressor(learning_rate_init=0.01, batch_size=1, max_iter=10,
                              shuffle=False, tol=None, dtype="float64")
    reg.fit(X, y)
    w, b = float(reg.coef_[0]), float(reg.intercept_)
    print(f"weights: [{w!r}]  (seed: [{SEED_W!r}])")
    print(f"bias: {b!r}  (seed: {SEED_B!r})")
    predictions = reg.predict(X_NEW)
    for years, pred, seed in zip(X_NEW[:, 0], predictions, SEED_PREDICTIONS):
        print(f"Work {years:g} years, monthly salary = {pred:.2f}  (seed: {seed:.2f})")
    return 0 if np.allclose(predictions, SEED_PREDICTIONS, atol=0.005) else 1


if __name__ == "__main__":
    sys.exit(main())
