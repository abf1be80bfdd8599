"""
Comparing trainers: SGD, Nesterov, Adagrad, Adadelta and Adam (ConvNetJS)
=========================================================================

ConvNetJS has a demo that trains the same convnet with each of its trainers
and draws their loss curves side by side. This script does the same with
:class:`skdeep.ConvNetClassifier` on scikit-learn's 8x8 digits (pixels / 16,
25 % held out): one small net::

    [{'type': 'conv', 'sx': 3, 'filters': 16, 'pad': 1, 'activation': 'relu'},
     {'type': 'pool', 'sx': 2},
     {'type': 'fc', 'num_neurons': 64, 'activation': 'relu'}]

trained for the same number of epochs, from the same initial weights
(``random_state``), by five trainers (``solver``):

* ``sgd``: momentum 0.9 (ConvNetJS's classical momentum), step 0.01;
* ``sgd`` with ``nesterovs_momentum=True``, step 0.01;
* ``adagrad``, step 0.01;
* ``adadelta`` (ConvNetJS's demo trainer: ``rho`` 0.95, no step size);
* ``adam``, step 0.001.

Each fit keeps its training loss per epoch in ``loss_curve_``;
:class:`skdeep.inspection.LossCurveDisplay` draws them on one Axes (one call per
fit, each with its ``label``), and the script prints the test accuracies.

Needs matplotlib (``pip install skdeep[plot]``); the figure opens in a window,
or goes to a PNG with ``--out``. ``--no-plot`` prints the table only.

Run ``python examples/plot_trainer_comparison.py`` or
``python examples/plot_trainer_comparison.py --epochs 30 --out trainers.png``.
"""

import argparse
import sys
import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split

from skdeep import ConvNetClassifier

LAYERS = [
    {"type": "conv", "sx": 3, "filters": 16, "pad": 1, "activation": "relu"},
    {"type": "pool", "sx": 2},
    {"type": "fc", "num_neurons": 64, "activation": "relu"},
]
#: label -> the solver's parameters
TRAINERS = {
    "sgd (momentum 0.9)": {"solver": "sgd", "learning_rate_init": 0.01},
    "sgd (Nesterov 0.9)": {"solver": "sgd", "learning_rate_init": 0.01,
                           "nesterovs_momentum": True},
    "adagrad": {"solver": "adagrad", "learning_rate_init": 0.01},
    "adadelta": {"solver": "adadelta"},
    "adam": {"solver": "adam", "learning_rate_init": 0.001},
}


def train_all(epochs, random_state=0):
    """Fit one net per trainer; return ``{label: (net, test accuracy, seconds)}``."""
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.25, random_state=0, stratify=y)
    results = {}
    for label, params in TRAINERS.items():
        net = ConvNetClassifier(LAYERS, input_shape=(1, 8, 8), batch_size=32,
                                max_iter=epochs, tol=None,
                                random_state=random_state, **params)
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a fixed budget
            net.fit(X_train, y_train)
        results[label] = (net, net.score(X_test, y_test),
                          time.perf_counter() - start)
    return results


def plot(results):
    """Every trainer's loss curve on one Axes."""
    import matplotlib.pyplot as plt

    from skdeep.inspection import LossCurveDisplay

    fig, ax = plt.subplots(figsize=(7, 4.2), layout="constrained")
    for label, (net, _, _) in results.items():
        LossCurveDisplay.from_estimator(net, ax=ax, label=label)
    ax.set_yscale("log")
    ax.set_ylabel("training loss (log scale)")
    ax.set_title("ConvNetClassifier on digits, one curve per trainer")
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
    """Train the net with each trainer, print the table, draw the curves.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 on success, 1 when matplotlib is needed and missing.
    """
    parser = argparse.ArgumentParser(
        description=__doc__.strip().partition("\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--epochs", type=int, default=12, help="epochs per trainer")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--out", default=None,
                        help="save the figure as this PNG instead of showing it")
    parser.add_argument("--no-plot", action="store_true",
                        help="print the table only (no matplotlib needed)")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be >= 1")
    if not args.no_plot:
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            print("error: drawing needs matplotlib; install it with `pip install "
                  "matplotlib` (or `pip install skdeep[plot]`), or run with "
                  "--no-plot.", file=sys.stderr)
            return 1

    results = train_all(args.epochs, args.random_state)
    header = (f"{'trainer':<20} {'final loss':>10} {'test accuracy':>13} "
              f"{'fit seconds':>11}")
    print(f"{args.epochs} epochs of batch 32, the same initial weights")
    print(header)
    print("-" * len(header))
    for label, (net, accuracy, seconds) in results.items():
        print(f"{label:<20} {net.loss_curve_[-1]:>10.4f} {accuracy:>13.4f} "
              f"{seconds:>11.2f}")
    if not args.no_plot:
        show_or_save(plot(results), args.out)
    return 0


# %%
# The output below is from ``python examples/plot_trainer_comparison.py``, run
# when these docs were built; ``--help`` lists the options.
if __name__ == "__main__":
    # exit only on failure: the docs' gallery runs this file inside the Sphinx
    # process, which sys.exit(0) would end
    status = main()
    if status:
        sys.exit(status)
