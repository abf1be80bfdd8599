"""Draw a convnet's first-layer filters and one image's feature maps (ConvNetJS-style).

ConvNetJS's demos show, for every layer, the learned filters and the activations
of the current image. This script trains a small convnet::

    [{'type': 'conv', 'sx': 5, 'filters': 8, 'pad': 2, 'activation': 'relu'},
     {'type': 'pool', 'sx': 2, 'stride': 2},
     {'type': 'conv', 'sx': 5, 'filters': 16, 'pad': 2, 'activation': 'relu'},
     {'type': 'pool', 'sx': 2, 'stride': 2}]

on scikit-learn's 8×8 digits (or on MNIST with ``--mnist DIR``) and saves one
PNG (``--out``) with four rows: the input image, the 8 first-layer 5×5 filters,
the 8 maps they produce on that image (``net.feature_maps(X, 0)``: after the conv
layer and its relu), and the 16 maps after the second pool
(``net.feature_maps(X, 3)``).

The filters are the fitted weights of the first conv layer, ``net.coefs_[0]``,
of shape ``(filters, channels, sy, sx)``.

Needs matplotlib (``pip install skdeep[plot]``); it draws with the
non-interactive Agg backend, so no display is needed. Without matplotlib the
script prints how to install it and exits with status 1.

Run ``python examples/plot_feature_maps.py`` or
``python examples/plot_feature_maps.py --mnist path/to/mnist --out maps.png``.
"""

import argparse
import sys
import time
import warnings

import numpy as np
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



def first_layer_filters(net):
    """The fitted first-layer kernels, ``(filters, channels, sy, sx)``."""
    weights = net.coefs_[0]
    if weights.ndim != 4:
        raise TypeError("the first trainable layer is not a conv layer")
    return np.array(weights)


def draw_row(fig, grid, row, maps, title, n_cols, cmap, symmetric=False):
    """Draw ``maps`` (k, H, W) in row ``row`` of ``grid``, one panel each.

    ``symmetric`` centres the colour scale on 0 (for weights: red +, blue -).
    """
    limit = float(np.abs(maps).max()) or 1.0
    scale = {"vmin": -limit, "vmax": limit} if symmetric else {}
    for k in range(n_cols):
        ax = fig.add_subplot(grid[row, k])
        ax.set_xticks([])
        ax.set_yticks([])
        if k < len(maps):
            ax.imshow(maps[k], cmap=cmap, interpolation="nearest", **scale)
        else:
            ax.axis("off")
        if k == 0:
            ax.set_ylabel(title, rotation=0, ha="right", va="center", fontsize=8)


def plot(net, image, label, out):
    """Save the filters and the feature maps of ``image`` to ``out`` (PNG).

    Parameters
    ----------
    net : ConvNetClassifier
        A fitted net whose first layer is a conv layer.
    image : ndarray of shape (1, C, H, W)
        The image to show.
    label : int
        Its label (for the title).
    out : str or Path
        Where the PNG goes.

    Returns
    -------
    shapes : dict
        The shapes that were drawn (``filters``, ``conv1``, ``pool2``).
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    filters = first_layer_filters(net)[:, 0]     # (8, 5, 5), first input channel
    conv1 = net.feature_maps(image, 0)[0]        # (8, H, W) after conv 1 + relu
    pool2 = net.feature_maps(image, 3)[0]        # (16, H/4, W/4) after pool 2
    n_cols = max(len(filters), len(pool2))
    fig = plt.figure(figsize=(n_cols * 0.8 + 1.5, 4 * 0.9 + 0.8))
    grid = fig.add_gridspec(4, n_cols, hspace=0.3, wspace=0.1)
    draw_row(fig, grid, 0, image[0], "input", n_cols, "gray_r")
    draw_row(fig, grid, 1, filters, "conv 1\nfilters", n_cols, "RdBu_r",
             symmetric=True)
    draw_row(fig, grid, 2, conv1, "conv 1\nmaps", n_cols, "viridis")
    draw_row(fig, grid, 3, pool2, "pool 2\nmaps", n_cols, "viridis")
    predicted = net.predict(image)[0]
    fig.suptitle(f"digit {label} (predicted {predicted}): first-layer filters and "
                 "feature maps", fontsize=9)
    fig.savefig(out, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return {"filters": filters.shape, "conv1": conv1.shape, "pool2": pool2.shape}


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
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--mnist", metavar="DIR", default=None,
                        help="directory with the MNIST IDX files "
                             "(default: scikit-learn's digits)")
    parser.add_argument("--out", default="feature_maps.png", help="PNG to write")
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
    shapes = plot(net, image, y_test[args.index], args.out)
    print(f"filters {shapes['filters']}, conv 1 maps {shapes['conv1']}, pool 2 maps "
          f"{shapes['pool2']} of test image {args.index}")
    print(f"saved {args.out} ({(time.perf_counter() - begin) / 60:.2f} minutes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
