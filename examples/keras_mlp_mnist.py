"""
The Keras 784-500-500-10 MNIST net of seed 002, as an MLPNet
============================================================

Seed 002 ("deep learning in Python", after Hung-yi Lee's lecture) builds, in
Keras::

    model = Sequential()
    model.add(Dense(input_dim=28*28, output_dim=500)); model.add(Activation('sigmoid'))
    model.add(Dense(output_dim=500)); model.add(Activation('sigmoid'))
    model.add(Dense(output_dim=10)); model.add(Activation('softmax'))
    model.compile(loss='mse', optimizer=SGD(lr=0.1), metrics=['accuracy'])

In skdeep the same net is::

    MLPNet((500, 500), activation='logistic', solver='sgd', learning_rate_init=0.1,
           momentum=0, batch_size=100, loss='squared_error', alpha=0)

Batch size 100 is the lecture's (the seed does not say); ``alpha=0`` because the
Keras net has no weight decay; ``momentum=0`` because Keras's ``SGD`` has none by
default. Two differences of convention remain: skdeep's ``squared_error`` is half
the squared error *summed* over the 10 outputs, whereas Keras's ``'mse'`` *averages*
over them, so skdeep's gradient is 5 times Keras's and ``learning_rate_init=0.1``
here takes the step Keras's ``lr=0.5`` would (``--learning-rate 0.02`` gives Keras's
exact step); and the weights start from scikit-learn's Glorot bound for sigmoid
units, smaller than Keras's ``glorot_uniform``.

Squared error on a softmax output learns slowly: its gradient vanishes when the
output is confidently wrong, so the net sits on a plateau near chance for a while
(the point of the lecture, which then switches to cross-entropy). By default the
script therefore trains the seed's net and, for comparison, the same net with
``loss='log_loss'``.

Data: MNIST when ``--mnist DIR`` names a directory holding the four IDX files
(read with :func:`skdeep.datasets.load_mnist`, pixels divided by 255); otherwise
scikit-learn's 8x8 digits (pixels divided by 16, 25% held out), so the net is
64-500-500-10 and the script runs with no download. Digits has 45 times fewer
images than MNIST, hence far fewer updates per epoch and a larger default epoch
budget.

The script draws each net's training loss per epoch with
:class:`skdeep.inspection.LossCurveDisplay` when matplotlib is installed (in a
window, or in a PNG with ``--out``; ``--no-plot`` skips it): the squared-error
net's plateau is plain to see.

Run ``python examples/keras_mlp_mnist.py`` or
``python examples/keras_mlp_mnist.py --mnist path/to/mnist --epochs 20``.
"""

import argparse
import sys
import time
import warnings

from sklearn.exceptions import ConvergenceWarning

from skdeep import MLPNet
from skdeep.datasets import load_digits_or_mnist

# Default epoch budgets: "a few" on MNIST (600 updates each); on digits one epoch
# is only 14 updates, so more are needed to leave the plateau.
DEFAULT_EPOCHS = {"mnist": 5, "digits": 100}
# --fast: a smoke run for the tests, on a subset.
FAST_EPOCHS, FAST_SAMPLES = 2, 500


def load_data(mnist_dir=None, max_train=None):
    """Rows in [0, 1]: MNIST from ``mnist_dir``, else digits.

    Returns ``X_train, X_test, y_train, y_test, name``; ``max_train`` keeps the
    first training and test images (see
    :func:`skdeep.datasets.load_digits_or_mnist`).
    """
    return load_digits_or_mnist(mnist_dir, max_train=max_train, max_test=max_train)



def seed_net(loss="squared_error", learning_rate=0.1, epochs=5, random_state=0,
             verbose=False):
    """The seed's sigmoid/softmax net with 2 hidden layers of 500 units.

    Parameters
    ----------
    loss : {'squared_error', 'log_loss'}, default='squared_error'
        ``'squared_error'`` is the seed's Keras ``'mse'``.
    learning_rate : float, default=0.1
        SGD step size (no momentum).
    epochs : int, default=5
        Epochs to run; ``tol=None`` runs all of them, as Keras does.
    random_state : int, default=0
        Seeds the initial weights and the shuffling.
    verbose : bool, default=False
        Print one line per epoch.

    Returns
    -------
    net : MLPNet
        The unfitted estimator.
    """
    return MLPNet((500, 500), activation="logistic", solver="sgd",
                  learning_rate_init=learning_rate, momentum=0, batch_size=100,
                  loss=loss, alpha=0, max_iter=epochs, tol=None,
                  random_state=random_state, verbose=verbose)


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


def plot(nets):
    """Each net's loss curve, side by side (the losses have different scales)."""
    import matplotlib.pyplot as plt

    from skdeep.inspection import LossCurveDisplay

    fig, axes = plt.subplots(1, len(nets), figsize=(5 * len(nets), 3.6),
                             squeeze=False, layout="constrained")
    for ax, (loss, (net, accuracy)) in zip(axes[0], nets.items()):
        LossCurveDisplay.from_estimator(
            net, ax=ax, name=f"loss={loss!r}: test accuracy {accuracy:.3f}")
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
    """Train the seed's net and print epochs, test accuracy and seconds.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 on success.
    """
    parser = argparse.ArgumentParser(
        description=__doc__.strip().partition("\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--mnist", metavar="DIR", default=None,
                        help="directory with the MNIST IDX files "
                             "(default: scikit-learn's digits)")
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"epochs (default: {DEFAULT_EPOCHS['mnist']} on MNIST, "
                             f"{DEFAULT_EPOCHS['digits']} on digits)")
    parser.add_argument("--loss", choices=["squared_error", "log_loss", "both"],
                        default="both",
                        help="the seed's squared error, cross-entropy, or both")
    parser.add_argument("--learning-rate", type=float, default=0.1,
                        help="SGD step size")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--verbose", action="store_true",
                        help="print one line per epoch")
    parser.add_argument("--fast", action="store_true",
                        help=f"tiny budget for tests: {FAST_EPOCHS} epochs on "
                             f"{FAST_SAMPLES} images")
    parser.add_argument("--out", default=None,
                        help="save the figure as this PNG instead of showing it")
    parser.add_argument("--no-plot", action="store_true",
                        help="no figure (no matplotlib needed)")
    args = parser.parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        parser.error("--epochs must be >= 1")

    X_train, X_test, y_train, y_test, name = load_data(
        args.mnist, FAST_SAMPLES if args.fast else None)
    if args.fast:
        epochs = FAST_EPOCHS
    else:
        epochs = args.epochs if args.epochs is not None else DEFAULT_EPOCHS[name]
    losses = (["squared_error", "log_loss"] if args.loss == "both"
              else [args.loss])

    shape = "-".join(map(str, (X_train.shape[1], 500, 500, 10)))
    print(f"Keras seed 002 net {shape} (sigmoid hidden, softmax output), SGD "
          f"lr {args.learning_rate:g}, batch 100, on {name}: "
          f"{len(X_train)} training / {len(X_test)} test images")
    header = f"{'loss':<14} {'epochs':>6} {'test accuracy':>13} {'seconds':>8}"
    print(header)
    print("-" * len(header))
    nets = {}
    for loss in losses:
        net = seed_net(loss, args.learning_rate, epochs, args.random_state,
                       args.verbose)
        start = time.perf_counter()
        with warnings.catch_warnings():
            # The fixed epoch budget is the point (Keras has no stopping rule);
            # "max_iter reached" is expected and would only clutter the table.
            warnings.simplefilter("ignore", ConvergenceWarning)
            net.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        accuracy = net.score(X_test, y_test)
        print(f"{loss:<14} {net.n_iter_:>6} {accuracy:>13.4f} {seconds:>8.2f}")
        nets[loss] = net, accuracy
    if "squared_error" in losses:
        print("\nSquared error on a softmax learns slowly (a plateau near 10% "
              "accuracy at first); cross-entropy (log_loss) leaves it much sooner.")
    if can_plot(args):
        show_or_save(plot(nets), args.out)
    return 0


# %%
# The output below is from ``python examples/keras_mlp_mnist.py``, run when
# these docs were built; ``--help`` lists the options.
if __name__ == "__main__":
    # exit only on failure: the docs' gallery runs this file inside the Sphinx
    # process, which sys.exit(0) would end
    status = main()
    if status:
        sys.exit(status)
