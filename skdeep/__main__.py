"""``python -m skdeep``: a short tour training every estimator on embedded data.

Uses scikit-learn's digits (shipped with scikit-learn), so it needs no download,
and prints one row per model: task, test score and fit seconds.
"""

import time
import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline

import skdeep
from skdeep.datasets import load_sklearn_descriptions


def _rows():
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=y
    )
    # Regression task on the same images: predict the mean ink of the bottom half
    # from the top half (a smooth, learnable target).
    top, bottom = X[:, :32], X[:, 32:].mean(axis=1)
    R_tr, R_te, r_tr, r_te = train_test_split(top, bottom, test_size=0.25,
                                              random_state=0)
    yield ("PerceptronClassifier", "digits, 10 classes (accuracy)",
           skdeep.PerceptronClassifier(random_state=0), X_tr, y_tr, X_te, y_te)
    yield ("LinearUnitRegressor", "digits top -> bottom ink (R^2)",
           skdeep.LinearUnitRegressor(batch_size=32, learning_rate_init=0.05,
                                      random_state=0), R_tr, r_tr, R_te, r_te)
    yield ("MLPNet", "digits, 10 classes (accuracy)",
           skdeep.MLPNet((256, 128), batch_size=64, max_iter=50, random_state=0),
           X_tr, y_tr, X_te, y_te)
    yield ("MLPNetRegressor", "digits top -> bottom ink (R^2)",
           skdeep.MLPNetRegressor((64,), max_iter=100, random_state=0),
           R_tr, r_tr, R_te, r_te)
    yield ("ConvNetClassifier", "digits as 1x8x8 images (accuracy)",
           skdeep.ConvNetClassifier(input_shape=(1, 8, 8), max_iter=20,
                                    random_state=0), X_tr, y_tr, X_te, y_te)
    yield ("ConvNetRegressor", "top half as 1x4x8 image -> ink (R^2)",
           skdeep.ConvNetRegressor(input_shape=(1, 4, 8), max_iter=20,
                                   random_state=0), R_tr, r_tr, R_te, r_te)
    rbm_pipeline = make_pipeline(
        skdeep.RBMTransformer(n_components=100, learning_rate=0.06, n_iter=20,
                              random_state=0),
        LogisticRegression(C=100, max_iter=1000))
    yield ("RBMTransformer", "RBM features -> logistic (accuracy)",
           rbm_pipeline, X_tr, y_tr, X_te, y_te)
    yield ("DBNClassifier", "digits, 2 pre-trained layers (accuracy)",
           skdeep.DBNClassifier((128, 64), pretrain_n_iter=5,
                                learning_rate_init=0.01, max_iter=50,
                                random_state=0), X_tr, y_tr, X_te, y_te)
    # Text that ships with scikit-learn: its dataset descriptions, by paragraph.
    paragraphs = load_sklearn_descriptions(split_paragraphs=True)
    text_tr, text_te = train_test_split(paragraphs, test_size=0.2, random_state=0)
    yield ("RNNLanguageModel", "sklearn docs, char LSTM (log-lik/char)",
           skdeep.RNNLanguageModel(hidden_size=96, bptt=32, batch_size=16,
                                   learning_rate_init=0.01, max_iter=10,
                                   random_state=0),
           text_tr, None, text_te, None)


def main():
    """Train each estimator and print the table."""
    print(f"skdeep {skdeep.__version__}: a tour on data that ships with "
          "scikit-learn: digits (1797 8x8 images, 25% held out) and its dataset "
          "descriptions (text, 20% of paragraphs held out)\n")
    header = f"{'model':<22} {'task':<40} {'score':>7} {'fit s':>7}"
    print(header)
    print("-" * len(header))
    for name, task, est, X_tr, y_tr, X_te, y_te in _rows():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            est.fit(X_tr, y_tr)
        seconds = time.perf_counter() - start
        print(f"{name:<22} {task:<40} {est.score(X_te, y_te):>7.4f} {seconds:>7.2f}")


if __name__ == "__main__":
    main()
