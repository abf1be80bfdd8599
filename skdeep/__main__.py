"""``python -m skdeep``: a short tour that trains the estimators on data that
ships with scikit-learn, so it needs no download.

Digits (1797 8x8 images, 25% held out) for the image and sequence models and
scikit-learn's dataset descriptions (text, 20% of paragraphs held out) for the
language model. Each row (model, task, test score, fit seconds) is printed as
soon as its model is trained; on a terminal a status line counts the epochs
meanwhile. ``python -m skdeep --help`` lists the options.
"""

import argparse
import contextlib
import io
import shutil
import sys
import time
import warnings

from sklearn.exceptions import ConvergenceWarning

import skdeep

# Small layers and few epochs: the whole tour takes seconds, and each model
# still scores what it is known for.
_CONV_LAYERS = [
    {"type": "conv", "sx": 3, "filters": 16, "pad": 1, "activation": "relu"},
    {"type": "pool", "sx": 2},
    {"type": "fc", "num_neurons": 64, "activation": "relu"},
]

#: name, task, data, estimator factory (taking ``verbose``); data are built once.
ROWS = [
    ("PerceptronClassifier", "digits, 10 classes (accuracy)", "digits",
     lambda v: skdeep.PerceptronClassifier(random_state=0, verbose=v)),
    ("LinearUnitRegressor", "digits top -> bottom ink (R^2)", "ink",
     lambda v: skdeep.LinearUnitRegressor(batch_size=32, learning_rate_init=0.05,
                                          random_state=0, verbose=v)),
    ("MLPNet", "digits, 10 classes (accuracy)", "digits",
     lambda v: skdeep.MLPNet((256, 128), batch_size=64, max_iter=50,
                             random_state=0, verbose=v)),
    ("MLPNetRegressor", "digits top -> bottom ink (R^2)", "ink",
     lambda v: skdeep.MLPNetRegressor((64,), max_iter=100, random_state=0,
                                      verbose=v)),
    ("MLPAutoencoder", "digits -> 16-unit code -> digits (-MSE)", "digits",
     lambda v: skdeep.MLPAutoencoder((64, 16), max_iter=100, random_state=0,
                                     verbose=v)),
    ("ConvNetClassifier", "digits as 1x8x8 images (accuracy)", "digits",
     lambda v: skdeep.ConvNetClassifier(_CONV_LAYERS, input_shape=(1, 8, 8),
                                        max_iter=15, random_state=0, verbose=v)),
    ("ConvNetRegressor", "top half as 1x4x8 image -> ink (R^2)", "ink",
     lambda v: skdeep.ConvNetRegressor(_CONV_LAYERS, input_shape=(1, 4, 8),
                                       max_iter=15, random_state=0, verbose=v)),
    ("RBMTransformer", "RBM features -> logistic (accuracy)", "digits",
     lambda v: _rbm_pipeline(v)),
    ("DBNClassifier", "digits, 2 pre-trained layers (accuracy)", "digits",
     lambda v: skdeep.DBNClassifier((128, 64), pretrain_n_iter=5,
                                    learning_rate_init=0.01, max_iter=50,
                                    random_state=0, verbose=v)),
    ("RNNClassifier", "digits as 8 rows of 8, GRU (accuracy)", "digit rows",
     lambda v: skdeep.RNNClassifier(hidden_size=64, learning_rate_init=0.01,
                                    max_iter=8, random_state=0, verbose=v)),
    ("RNNRegressor", "top half as 4 rows -> ink, GRU (R^2)", "ink rows",
     lambda v: skdeep.RNNRegressor(hidden_size=32, learning_rate_init=0.005,
                                   max_iter=10, random_state=0, verbose=v)),
    ("RNNLanguageModel", "sklearn docs, char GRU (log-lik/char)", "text",
     lambda v: skdeep.RNNLanguageModel(cell="gru", hidden_size=96, bptt=32,
                                       batch_size=16, learning_rate_init=0.02,
                                       max_iter=5, random_state=0, verbose=v)),
]
NAMES = [row[0] for row in ROWS]


def _rbm_pipeline(verbose):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        skdeep.RBMTransformer(n_components=100, learning_rate=0.06, n_iter=20,
                              random_state=0, verbose=verbose),
        LogisticRegression(C=100, max_iter=1000))


def _load(kind, cache):
    """``(X_train, y_train, X_test, y_test)`` of one kind of data, built once."""
    if kind in cache:
        return cache[kind]
    from sklearn.model_selection import train_test_split

    if kind in ("digits", "digit rows"):
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        X_tr, X_te, y_tr, y_te = train_test_split(
            X / 16.0, y, test_size=0.25, random_state=0, stratify=y)
        cache["digits"] = (X_tr, y_tr, X_te, y_te)
        # each image read row by row: 8 steps of 8 pixels
        cache["digit rows"] = (X_tr.reshape(-1, 8, 8), y_tr,
                               X_te.reshape(-1, 8, 8), y_te)
    elif kind in ("ink", "ink rows"):
        from sklearn.datasets import load_digits

        X = load_digits().data / 16.0
        # regression on the same images: the mean ink of the bottom half from
        # the top half (a smooth, learnable target)
        R_tr, R_te, r_tr, r_te = train_test_split(
            X[:, :32], X[:, 32:].mean(axis=1), test_size=0.25, random_state=0)
        cache["ink"] = (R_tr, r_tr, R_te, r_te)
        cache["ink rows"] = (R_tr.reshape(-1, 4, 8), r_tr,
                             R_te.reshape(-1, 4, 8), r_te)
    else:  # text that ships with scikit-learn: its dataset descriptions
        from skdeep.datasets import load_sklearn_descriptions

        paragraphs = load_sklearn_descriptions(split_paragraphs=True)
        text_tr, text_te = train_test_split(paragraphs, test_size=0.2,
                                            random_state=0)
        cache[kind] = (text_tr, None, text_te, None)
    return cache[kind]


def _planned_epochs(estimator):
    """Most epoch lines a fit prints: a DBN pre-trains each RBM first."""
    if hasattr(estimator, "steps"):  # a pipeline: its skdeep steps print
        return sum(_planned_epochs(step) for _, step in estimator.steps
                   if type(step).__module__.startswith("skdeep"))
    params = estimator.get_params()
    if "n_iter" in params:  # an RBM
        return params["n_iter"]
    pretraining = (params["pretrain_n_iter"] * len(params["hidden_layer_sizes"])
                   if params.get("pretrain") else 0)
    return pretraining + params.get("max_iter", 0)


class _EpochCounter(io.TextIOBase):
    """Reads the estimators' ``verbose`` lines and shows one status line.

    Every skdeep epoch line ends with ``time = <seconds>s`` (BernoulliRBM's
    words); each one advances the count, shown against ``planned``, the most
    epochs the fit may run (a stopping rule may end it sooner). ``show`` is
    None when the output is not a terminal: the lines are then only counted,
    never printed.
    """

    def __init__(self, prefix, show, planned):
        self.prefix, self.show, self.planned = prefix, show, planned
        self.epochs, self._pending = 0, ""
        self._start = time.perf_counter()

    def writable(self):
        return True

    def write(self, text):
        self._pending += text
        *lines, self._pending = self._pending.split("\n")
        for line in lines:
            if "time = " in line:
                self.epochs += 1
                if self.show is not None:
                    seconds = time.perf_counter() - self._start
                    self.show(f"{self.prefix}epoch {self.epochs}/{self.planned}"
                              f" {seconds:.0f}s")
        return len(text)


def _parser():
    parser = argparse.ArgumentParser(
        prog="python -m skdeep",
        description="A short tour of skdeep: trains each estimator on data that "
                    "ships with scikit-learn (digits, and its dataset descriptions "
                    "as text), and prints one row per model (task, test score, fit "
                    "seconds) as soon as it is trained.",
        epilog="models: " + ", ".join(NAMES) + ". RecursiveNetClassifier needs "
               "parse trees: see examples/sst_recursive.py. Examples: `python -m "
               "skdeep MLPNet ConvNetClassifier`, `python -m skdeep --verbose "
               "DBNClassifier`.")
    parser.add_argument("models", nargs="*", metavar="MODEL",
                        help="train only these models (names as listed below, "
                             "any case); default: all of them")
    parser.add_argument("--list", action="store_true",
                        help="list the models and their tasks, and exit")
    parser.add_argument("--verbose", action="store_true",
                        help="print the estimators' own line per epoch instead of "
                             "the status line")
    parser.add_argument("--threads", type=int, default=1, metavar="N",
                        help="BLAS threads (default 1: the tour's matrices are "
                             "small, and more threads mostly wait for each other)")
    return parser


def main(argv=None):
    """Train the chosen estimators and print one row for each.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 on success.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    by_name = {name.lower(): row for name, *row in ROWS}
    unknown = [m for m in args.models if m.lower() not in by_name]
    if unknown:
        parser.error(f"unknown model(s) {', '.join(unknown)}; choose from "
                     f"{', '.join(NAMES)}")
    if args.threads < 1:
        parser.error("--threads must be >= 1")
    if args.list:
        for name, task, *_ in ROWS:
            print(f"{name:<22} {task}")
        return 0
    chosen = ([row for row in ROWS if row[0].lower() in
               {m.lower() for m in args.models}] if args.models else ROWS)

    from threadpoolctl import threadpool_limits

    print(f"skdeep {skdeep.__version__}: a tour on data that ships with "
          "scikit-learn:\ndigits (1797 8x8 images, 25% held out) and its dataset "
          "descriptions (text, 20% of\nparagraphs held out)\n", flush=True)
    header = f"{'model':<22} {'task':<40} {'score':>7} {'fit s':>7}"
    print(header)
    print("-" * len(header), flush=True)
    out = sys.stdout
    live = not args.verbose and out.isatty()
    # one status line, rewritten in place: never wider than the terminal
    width = shutil.get_terminal_size().columns - 1

    def show(text, end=""):
        out.write(f"\r{text[:width]:<{width}}{end}")
        out.flush()

    data, begin = {}, time.perf_counter()
    with threadpool_limits(limits=args.threads, user_api="blas"):
        for name, task, kind, factory in chosen:
            prefix = f"{name:<22} {task:<40} "
            if live:
                show(f"{prefix}loading data")
            X_tr, y_tr, X_te, y_te = _load(kind, data)
            estimator = factory(1)
            counter = _EpochCounter(prefix, show if live else None,
                                    _planned_epochs(estimator))
            redirect = (contextlib.nullcontext() if args.verbose
                        else contextlib.redirect_stdout(counter))
            start = time.perf_counter()
            with warnings.catch_warnings(), redirect:
                warnings.simplefilter("ignore", ConvergenceWarning)
                estimator.fit(X_tr, y_tr)
            seconds = time.perf_counter() - start
            row = f"{prefix}{estimator.score(X_te, y_te):>7.4f} {seconds:>7.2f}"
            if live:
                show(row, end="\n")
            else:
                print(row, flush=True)
    print(f"\ntotal: {time.perf_counter() - begin:.1f} s for {len(chosen)} "
          f"model(s); `python -m skdeep --help` for the options")
    return 0


if __name__ == "__main__":
    sys.exit(main())
