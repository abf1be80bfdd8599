"""
A linear unit predicts salary from years of experience (seed 004, part 2)
=========================================================================

Reproduces learn_dl's ``linear_unit.py`` from the "deep learning from zero"
series: one input (years worked), identity activation, weights starting at zero,
and stochastic gradient descent on the squared error, sample by sample in the
data's order, 10 epochs with rate 0.01. In skdeep this is::

    LinearUnitRegressor(learning_rate_init=0.01, batch_size=1, max_iter=10,
                        shuffle=False, tol=None, dtype='float64')

``dtype='float64'`` makes the arithmetic the seed's (Python floats), so the
printed weight and bias match the seed's to the last digits; the default float32
agrees to about 6 significant digits.

The figure (matplotlib, :class:`skdeep.inspection.LossCurveDisplay`) shows the
data with the fitted line, and the training loss after each epoch; ``--out``
saves it as a PNG, ``--no-plot`` skips it.

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


def can_plot(args):
    """Whether to draw: not ``--no-plot``, and matplotlib is installed."""
    if args.no_plot:
        return False
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("(no figure: matplotlib is not installed; `pip install "
              "skdeep[plot]`)")
        return False
    return True


def plot(reg):
    """The data and the fitted line; the squared error after each epoch."""
    import matplotlib.pyplot as plt

    from skdeep.inspection import LossCurveDisplay

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    years = np.linspace(0, 16, 50)[:, None]
    left.plot(X[:, 0], y, "o", label="the seed's data")
    left.plot(years[:, 0], reg.predict(years), label="linear unit")
    left.plot(X_NEW[:, 0], reg.predict(X_NEW), "s", label="predictions")
    left.set_xlabel("years of experience")
    left.set_ylabel("monthly salary")
    left.legend()
    LossCurveDisplay.from_estimator(reg, ax=right, name="SGD, sample by sample")
    return fig


def show_or_save(fig, out):
    """Save ``fig`` as ``out``, or show it (a window, or the docs' gallery)."""
    import matplotlib.pyplot as plt

    if out:
        fig.savefig(out, dpi=100, bbox_inches="tight")
        print(f"saved {out}")
    else:
        plt.show()


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
    parser = argparse.ArgumentParser(description=__doc__.strip().partition("\n")[0])
    parser.add_argument("--fast", action="store_true",
                        help="accepted for uniformity with the other examples; "
                             "this one is already instant")
    parser.add_argument("--out", default=None,
                        help="save the figure as this PNG instead of showing it")
    parser.add_argument("--no-plot", action="store_true",
                        help="no figure (no matplotlib needed)")
    args = parser.parse_args(argv)

    reg = LinearUnitRegressor(learning_rate_init=0.01, batch_size=1, max_iter=10,
                              shuffle=False, tol=None, dtype="float64")
    reg.fit(X, y)
    w, b = float(reg.coef_[0]), float(reg.intercept_)
    print(f"weights: [{w!r}]  (seed: [{SEED_W!r}])")
    print(f"bias: {b!r}  (seed: {SEED_B!r})")
    predictions = reg.predict(X_NEW)
    for years, pred, seed in zip(X_NEW[:, 0], predictions, SEED_PREDICTIONS):
        print(f"Work {years:g} years, monthly salary = {pred:.2f}  (seed: {seed:.2f})")
    if can_plot(args):
        show_or_save(plot(reg), args.out)
    return 0 if np.allclose(predictions, SEED_PREDICTIONS, atol=0.005) else 1


# %%
# The output below is from ``python examples/linear_unit_salary.py``, run when
# these docs were built; ``--help`` lists the options.
if __name__ == "__main__":
    # exit only on failure: the docs' gallery runs this file inside the Sphinx
    # process, which sys.exit(0) would end
    status = main()
    if status:
        sys.exit(status)
