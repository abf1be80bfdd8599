"""
MNIST-1D read step by step: a bidirectional GRU as an RNNClassifier
===================================================================

MNIST-1D (Greydanus & Kobak) has 4000 training and 1000 test signals of length
40, ten classes. Here each signal is a sequence of 40 steps of one feature,
``X.shape == (n, 40, 1)``, and ``RNNClassifier('gru', bidirectional=True)``
reads it both ways; the softmax reads the two directions' final states. The
paper's GRU (``notebooks/models.py`` of github.com/greydanus/mnist1d) is a
bidirectional GRU of 6 units whose every step's output feeds a linear layer;
its README reports 91% test accuracy, and that the GRU trains at least ten
times slower than the CNN.

Defaults: 32 units per direction, Adam 3e-3, batch 64, 40 epochs, gradient
norm clipped at 5, float32. ``--seeds 0 1 2`` trains one net per seed and
averages the test accuracy.

Data: ``--data PATH`` names an ``.npz`` with ``x``, ``y``, ``x_test``, ``y_test``
(as ``mnist1d.data.make_dataset`` returns them); without it the script uses
the synthetic stand-in of ``mnist1d_cnn.py`` (and says so).

Measured on ``mnist1d.npz`` (2 CPU threads, float32, quiet machine), test
accuracy for seeds 0, 1, 2: 0.945, 0.946, 0.948 (mean 0.946; the paper's GRU
0.91), 34-43 s of fitting per seed.

Run ``python examples/mnist1d_gru.py --data mnist1d.npz`` or
``python examples/mnist1d_gru.py --data mnist1d.npz --hidden-size 6 --epochs 100``.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

# the data loader (and its synthetic fallback) of the CNN example beside this
# one: the folder of a script run as `python examples/mnist1d_gru.py` is on
# sys.path
from mnist1d_cnn import load_data
from sklearn.exceptions import ConvergenceWarning

from skdeep import RNNClassifier

FAST_EPOCHS, FAST_SAMPLES = 2, 300


def gru(hidden_size=32, epochs=40, random_state=0, verbose=False):
    """The bidirectional GRU classifier of this example.

    Parameters
    ----------
    hidden_size : int, default=32
        Units per direction.
    epochs : int, default=40
        Passes over the training set (``tol=None`` runs them all).
    random_state : int, default=0
        Seeds the weights and the shuffling.
    verbose : bool, default=False
        Print one line per epoch.

    Returns
    -------
    RNNClassifier
        The unfitted estimator.
    """
    return RNNClassifier("gru", hidden_size=hidden_size, bidirectional=True,
                         batch_size=64, learning_rate_init=3e-3, max_iter=epochs,
                         tol=None, random_state=random_state, verbose=verbose)


def main(argv=None):
    """Train the GRU once per seed; print test accuracies and their mean.

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
    parser.add_argument("--data", metavar="PATH", default=None,
                        help="MNIST-1D .npz (default: synthetic data)")
    parser.add_argument("--hidden-size", type=int, default=32,
                        help="GRU units per direction")
    parser.add_argument("--epochs", type=int, default=40, help="passes over the data")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2],
                        help="one training per seed; the test accuracy is averaged")
    parser.add_argument("--verbose", action="store_true",
                        help="print one line per epoch")
    parser.add_argument("--fast", action="store_true",
                        help=f"tiny budget for tests: {FAST_EPOCHS} epochs on "
                             f"{FAST_SAMPLES} signals")
    args = parser.parse_args(argv)
    if args.data is not None and not Path(args.data).is_file():
        parser.error(f"--data {args.data}: no such file")
    if args.hidden_size < 1 or args.epochs < 1:
        parser.error("--hidden-size and --epochs must be >= 1")

    begin = time.perf_counter()
    X_train, X_test, y_train, y_test, source = load_data(args.data)
    # (n, 1, 1, length) images -> (n, length, 1) sequences of one feature
    X_train, X_test = (X.reshape(len(X), -1, 1) for X in (X_train, X_test))
    epochs = args.epochs
    if args.fast:
        X_train, y_train, epochs = (X_train[:FAST_SAMPLES], y_train[:FAST_SAMPLES],
                                    FAST_EPOCHS)
    print(f"MNIST-1D as sequences: bidirectional GRU of {args.hidden_size} units "
          f"per direction, softmax on the final states; Adam lr 3e-3, batch 64, "
          f"{epochs} epochs")
    print(f"data: {source}: {len(X_train)} training / {len(X_test)} test sequences "
          f"of {X_train.shape[1]} steps")
    header = f"{'seed':>4} {'test accuracy':>13} {'fit seconds':>11}"
    print(header)
    print("-" * len(header))
    accuracies = []
    for seed in args.seeds:
        net = gru(args.hidden_size, epochs, seed, args.verbose)
        start = time.perf_counter()
        with warnings.catch_warnings():
            # a fixed budget: "max_iter reached" is expected
            warnings.simplefilter("ignore", ConvergenceWarning)
            net.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        accuracies.append(net.score(X_test, y_test))
        print(f"{seed:>4} {accuracies[-1]:>13.4f} {seconds:>11.2f}")
    print(f"mean test accuracy over {len(accuracies)} seed(s): "
          f"{np.mean(accuracies):.4f} (std {np.std(accuracies):.4f}; the paper's "
          "GRU: 0.91)")
    print(f"total: {(time.perf_counter() - begin) / 60:.2f} minutes")
    return 0


# %%
# The docs do not run this example: a bidirectional GRU trains for minutes
# (the MNIST-1D paper found its GRU at least ten times slower than its CNN).
# The accuracies above were recorded with
# ``python examples/mnist1d_gru.py --data mnist1d.npz``.
if __name__ == "__main__":
    # exit only on failure: the docs' gallery runs this file inside the Sphinx
    # process, which sys.exit(0) would end
    status = main()
    if status:
        sys.exit(status)
