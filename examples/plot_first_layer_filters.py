"""
What the first layer learns: MLP, convnet, RBM and DBN filters on digits
========================================================================

The weights that connect each first-layer unit to the pixels, drawn at the
image's shape, show what the unit looks for. ConvNetJS draws them beside its
demos; :class:`skdeep.inspection.FiltersDisplay` draws them for every skdeep
network with one call, ``FiltersDisplay.from_estimator(model)``:

* :class:`skdeep.MLPNet`: column ``j`` of ``coefs_[0]`` is hidden unit ``j``'s
  weights, one 8x8 tile;
* :class:`skdeep.ConvNetClassifier`: the first conv layer's 3x3 kernels,
  ``coefs_[0]`` of shape ``(filters, channels, sy, sx)``;
* :class:`skdeep.RBMTransformer`: the rows of ``components_``, learned
  without labels;
* :class:`skdeep.DBNClassifier`: its first layer after fine-tuning (pass
  ``dbn.rbms_[0]`` to draw the pre-trained RBM instead).

Each model is trained on scikit-learn's 8x8 digits (pixels / 16, 25 % held
out) with a small budget; the script prints the test accuracies (for the RBM,
of a logistic regression on its features) and draws the four sets of filters
in one figure. The supervised nets' pixel weights look noisier than the RBM's
components: a discriminative net needs only the few pixels that separate the
classes, while the RBM must model every pixel of the images.

Needs matplotlib (``pip install skdeep[plot]``); the figure opens in a window,
or goes to a PNG with ``--out``.

Run ``python examples/plot_first_layer_filters.py``.
"""

import argparse
import sys
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

from skdeep import ConvNetClassifier, DBNClassifier, MLPNet, RBMTransformer

CONV_LAYERS = [
    {"type": "conv", "sx": 3, "filters": 16, "pad": 1, "activation": "relu"},
    {"type": "pool", "sx": 2},
    {"type": "fc", "num_neurons": 64, "activation": "relu"},
]


def models(random_state=0, fast=False):
    """The four models, by name: unfitted, with small budgets (``fast``: tiny)."""
    epochs = {"mlp": 2, "conv": 1, "rbm": 2, "dbn": 2} if fast else {
        "mlp": 80, "conv": 15, "rbm": 20, "dbn": 40}
    return {
        "MLPNet": MLPNet((36,), max_iter=epochs["mlp"], random_state=random_state),
        "ConvNetClassifier": ConvNetClassifier(
            CONV_LAYERS, input_shape=(1, 8, 8), max_iter=epochs["conv"],
            random_state=random_state),
        "RBMTransformer": make_pipeline(
            RBMTransformer(n_components=36, learning_rate=0.06,
                           n_iter=epochs["rbm"], random_state=random_state),
            LogisticRegression(C=100, max_iter=1000)),
        "DBNClassifier": DBNClassifier((36, 36), pretrain_n_iter=epochs["rbm"] // 2,
                                       learning_rate_init=0.01,
                                       max_iter=epochs["dbn"],
                                       random_state=random_state),
    }


def plot(fitted):
    """One FiltersDisplay per model, in a 2 x 2 figure."""
    import matplotlib.pyplot as plt

    from skdeep.inspection import FiltersDisplay

    fig, axes = plt.subplots(2, 2, figsize=(9, 9))
    for ax, (name, model) in zip(axes.ravel(), fitted.items()):
        # a pipeline's last step is drawn: the RBM is its first step
        est = model[0] if name == "RBMTransformer" else model
        FiltersDisplay.from_estimator(est, ax=ax, cmap="RdBu_r", symmetric=True,
                                      name=name)
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
    """Fit the four models, print their test accuracies and draw their filters.

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
        description=__doc__.strip().partition("\n")[0])
    parser.add_argument("--out", default=None,
                        help="save the figure as this PNG instead of showing it")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--fast", action="store_true",
                        help="tiny budgets for tests: 1-2 epochs on 300 images")
    args = parser.parse_args(argv)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("error: this example needs matplotlib; install it with "
              "`pip install matplotlib` (or `pip install skdeep[plot]`).",
              file=sys.stderr)
        return 1

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X / 16.0, y, test_size=0.25, random_state=0, stratify=y)
    if args.fast:
        X_train, y_train = X_train[:300], y_train[:300]
    fitted = {}
    for name, model in models(args.random_state, args.fast).items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # small budgets
            fitted[name] = model.fit(X_train, y_train)
        print(f"{name:<18} test accuracy {model.score(X_test, y_test):.4f}")
    show_or_save(plot(fitted), args.out)
    return 0


# %%
# The output below is from ``python examples/plot_first_layer_filters.py``, run
# when these docs were built; ``--help`` lists the options.
if __name__ == "__main__":
    # exit only on failure: the docs' gallery runs this file inside the Sphinx
    # process, which sys.exit(0) would end
    status = main()
    if status:
        sys.exit(status)
