"""
The perceptron learns AND and OR but not XOR (seed 004, part 1)
===============================================================

Reproduces learn_dl's ``perceptron.py`` from the "deep learning from zero"
series: weights start at zero, the step activation fires when ``w·x + b > 0``,
and the perceptron rule ``w ← w + η (t − y) x``, ``b ← b + η (t − y)`` runs
sample by sample, in the order of the truth table, for 10 epochs with
``η = 0.1``. In skdeep this is::

    PerceptronClassifier(eta0=0.1, max_iter=10, tol=None, shuffle=False)

The seed prints weights ``[0.1, 0.2]`` and bias ``-0.2`` for AND; this script
shows the same numbers, the OR solution, and that XOR, which no straight line
separates, is never learned however long the perceptron trains.

Run ``python examples/perceptron_and_or.py`` (no data needed).
"""

import argparse
import sys

import numpy as np

from skdeep import PerceptronClassifier

# The seed's truth tables, rows in the seed's order (the order matters: the
# updates are online and unshuffled).
X = np.array([[1, 1], [0, 0], [1, 0], [0, 1]])
TARGETS = {
    "AND": np.array([1, 0, 0, 0]),
    "OR": np.array([1, 0, 1, 1]),
    "XOR": np.array([0, 0, 1, 1]),
}


def _seed_perceptron(max_iter=10):
    return PerceptronClassifier(eta0=0.1, max_iter=max_iter, tol=None, shuffle=False)


def _report(name, clf, y):
    pred = clf.predict(X)
    rows = ", ".join(f"{a} {name.lower()} {b} = {p}" for (a, b), p in zip(X, pred))
    print(f"{name}: weights {np.round(clf.coef_.ravel(), 10).tolist()}, "
          f"bias {np.round(clf.intercept_[0], 10)}")
    print(f"  predictions: {rows}")
    print(f"  accuracy {np.mean(pred == y):.2f}")
    return pred


def main(argv=None):
    """Train the seed's perceptron on AND, OR and XOR and print what it learned.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 when AND and OR are learned and XOR is not, as the seed teaches.
    """
    parser = argparse.ArgumentParser(description=__doc__.strip().partition("\n")[0])
    parser.add_argument("--fast", action="store_true",
                        help="tiny budget for tests: XOR is retried for 100 epochs "
                             "instead of 1000")
    args = parser.parse_args(argv)

    ok = True
    for name in ("AND", "OR"):
        y = TARGETS[name]
        pred = _report(name, _seed_perceptron().fit(X, y), y)
        ok &= bool(np.array_equal(pred, y))
    print()

    y = TARGETS["XOR"]
    pred = _report("XOR", _seed_perceptron().fit(X, y), y)
    # Longer training does not help: on non-separable data the perceptron rule
    # cycles forever instead of converging.
    long_epochs = 100 if args.fast else 1000
    long_pred = _seed_perceptron(long_epochs).fit(X, y).predict(X)
    separated = np.array_equal(pred, y) or np.array_equal(long_pred, y)
    print(f"  after {long_epochs} epochs: predictions {long_pred.tolist()}, "
          f"accuracy {np.mean(long_pred == y):.2f}")
    if not separated:
        print("XOR: the perceptron cannot separate it (not linearly separable); "
              "a hidden layer is needed (see MLPNet).")
    ok &= not separated
    return 0 if ok else 1


# %%
# The output below is from ``python examples/perceptron_and_or.py``, run when
# these docs were built; ``--help`` lists the options.
if __name__ == "__main__":
    # exit only on failure: the docs' gallery runs this file inside the Sphinx
    # process, which sys.exit(0) would end
    status = main()
    if status:
        sys.exit(status)
