"""
A convnet's first-layer filters and one image's feature maps (ConvNetJS-style)
==============================================================================

ConvNetJS's demos show, for every layer, the learned filters and the activations
of the current image. This script trains a small convnet::

    [{'type': 'conv', 'sx': 5, 'filters': 8, 'pad': 2, 'activation': 'relu'},
     {'type': 'pool', 'sx': 2, 'stride': 2},
     {'type': 'conv', 'sx': 5, 'filters': 16, 'pad': 2, 'activation': 'relu'},
     {'type': 'pool', 'sx': 2, 'stride': 2}]

on scikit-learn's 8×8 digits (or on MNIST with ``--mnist DIR``) and draws two
displays of :mod:`skdeep.inspection` in one figure:

* :class:`~skdeep.inspection.FiltersDisplay`: the 8 first-layer 5×5 filters,
  the fitted weights ``net.coefs_[0]`` of shape ``(filters, channels, sy, sx)``;
* :class:`~skdeep.inspection.FeatureMapsDisplay`: one test image and what
  every layer makes of it, ``net.feature_maps(X, layer)`` for each layer: the
  8 maps after the first conv layer and its relu, the 8 after the first pool,
  the 16 after the second conv and pool, and the class probabilities of the
  softmax.

Needs matplotlib (``pip install skdeep[plot]``); without it the script prints
how to install it and exits with status 1. The figure opens in a window, or
goes to a PNG with ``--out``.

Run ``python examples/plot_feature_maps.py`` or
``python examples/plot_feature_maps.py --mnist path/to/mnist --out maps.png``.
"""

import argparse
import sys
import time
import warnings

from sklearn.exceptions import ConvergenceWarning

from skdeep import ConvNetClassifier
from skdeep.datasets import load_digits_or_mnist

# Default epoch budgets; --fast: a smoke run for the tests, on a subset.
DEFAULT_EPOCHS = {"mnist": 2, "digits": 20}
FAST_EPOCHS, FAST_SAMPLES = 2, 300

LAYERS = [
    {"type": "conv", "sx": 5, "filters": 8, "pad": 2, "activation": "relu"},
    {"type": "pool", "sx": 2, "stride": 2},
    {"type": "conv", "sx": 5, "filters": 16, "pad": 2, "activation": "relu"},
    {"type": "pool", "sx": 2, "stride": 2},
]


def load_data(mnist_dir=None, train_size=None):
    """``(n, 1, H, W)`` images in [0, 1]: MNIST from ``mnist_dir``, else digits.

    Returns ``X_train, X_test, y_train, y_test, name``; ``train_size`` keeps the
    first training images (see :func:`skdeep.datasets.load_digits_or_mnist`).
    """
    return load_digits_or_mnist(mnist_dir, images=True, max_train=train_size)



def plot(net, image):
    """Draw the filters and the feature maps of ``image`` in one figure.

    Parameters
    ----------
    net : ConvNetClassifier
        A fitted net whose first layer is a conv layer.
    image : ndarray of shape (1, C, H, W)
        The image to show.

    Returns
    -------
    figure : matplotlib Figure
        The figure.
    shapes : dict
        The shapes that were drawn (``filters``, ``conv1``, ``pool2``).
    """
    import matplotlib.pyplot as plt

    from skdeep.inspection import FeatureMapsDisplay, FiltersDisplay

    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(10, 7.5), gridspec_kw={"height_ratios": [1, 6]})
    filters = FiltersDisplay.from_estimator(net, ax=top, n_cols=8, cmap="RdBu_r",
                                            symmetric=True)
    maps = FeatureMapsDisplay.from_estimator(net, image, ax=bottom)
    return fig, {"filters": filters.filters.shape, "conv1": maps.maps[0].shape,
                 "pool2": maps.maps[3].shape}


def show_or_save(fig, out):
    """Save ``fig`` as ``out``, or show it (a window, or the docs' gallery)."""
    import matplotlib.pyplot as plt

    if out:
        fig.savefig(out, dpi=100, bbox_inches="tight")
        print(f"saved {out}")
    else:
        plt.show()


def main(argv=None):
    """Train the small convnet and save the filters and maps as a PNG.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 on success, 1 when matplotlib is missing.
    """
    parser = argparse.ArgumentParser(
        description=__doc__.strip().partition("\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--mnist", metavar="DIR", default=None,
                        help="directory with the MNIST IDX files "
                             "(default: scikit-learn's digits)")
    parser.add_argument("--out", default=None,
                        help="save the figure as this PNG instead of showing it")
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"epochs (default: {DEFAULT_EPOCHS['mnist']} on MNIST, "
                             f"{DEFAULT_EPOCHS['digits']} on digits)")
    parser.add_argument("--train-size", type=int, default=None,
                        help="use only the first N training images")
    parser.add_argument("--index", type=int, default=0,
                        help="which test image to draw")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--verbose", action="store_true",
                        help="print one line per epoch")
    parser.add_argument("--fast", action="store_true",
                        help=f"tiny budget for tests: {FAST_EPOCHS} epochs on "
                             f"{FAST_SAMPLES} images")
    args = parser.parse_args(argv)
    for option in ("epochs", "train_size"):
        value = getattr(args, option)
        if value is not None and value < 1:
            parser.error(f"--{option.replace('_', '-')} must be >= 1")
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("error: this example needs matplotlib; install it with "
              "`pip install matplotlib` (or `pip install skdeep[plot]`).",
              file=sys.stderr)
        return 1

    begin = time.perf_counter()
    X_train, X_test, y_train, y_test, name = load_data(
        args.mnist, FAST_SAMPLES if args.fast else args.train_size)
    if not 0 <= args.index < len(X_test):
        parser.error(f"--index must be in [0, {len(X_test)})")
    epochs = FAST_EPOCHS if args.fast else (
        args.epochs if args.epochs is not None else DEFAULT_EPOCHS[name])
    net = ConvNetClassifier(LAYERS, solver="adam", learning_rate_init=0.001,
                            batch_size=32, max_iter=epochs, tol=None,
                            random_state=args.random_state, verbose=args.verbose)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(X_train, y_train)
    accuracy = net.score(X_test, y_test)
    print(f"small convnet on {name}: {len(X_train)} training images, {epochs} "
          f"epochs, test accuracy {accuracy:.4f}")
    image = X_test[args.index:args.index + 1]
    fig, shapes = plot(net, image)
    print(f"filters {shapes['filters']}, conv 1 maps {shapes['conv1']}, pool 2 maps "
          f"{shapes['pool2']} of test image {args.index} (digit {y_test[args.index]})")
    print(f"total: {(time.perf_counter() - begin) / 60:.2f} minutes")
    show_or_save(fig, args.out)
    return 0


# %%
# The output below is from ``python examples/plot_feature_maps.py``, run when
# these docs were built; ``--help`` lists the options.
if __name__ == "__main__":
    # exit only on failure: the docs' gallery runs this file inside the Sphinx
    # process, which sys.exit(0) would end
    status = main()
    if status:
        sys.exit(status)
