"""One small fitted model of every estimator class, for the persistence tests.

The same cases write the committed fixture files under
``tests/data/persistence/``: run ``python -m tests.persistence_cases`` from the
repository root, only when the format changes on purpose (with a new
``FORMAT_VERSION``, keeping the old files loadable).
"""

import json
import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning

import skdeep
from skdeep import (
    ConvNetClassifier,
    ConvNetRegressor,
    DBNClassifier,
    LinearUnitRegressor,
    MLPAutoencoder,
    MLPNet,
    MLPNetRegressor,
    PerceptronClassifier,
    RBMTransformer,
    RecursiveNetClassifier,
    RNNClassifier,
    RNNLanguageModel,
    RNNRegressor,
)

FIXTURES = Path(__file__).resolve().parent / "data" / "persistence"

_rng = np.random.default_rng(0)
X = _rng.random((40, 16))  # also 4x4 one-channel images
Y = (X[:, :8].sum(axis=1) > 4).astype(int) + (X[:, 0] > 0.5)  # 3 classes
SEQUENCES = _rng.normal(size=(20, 5, 3))
Y_SEQ = (SEQUENCES.sum(axis=(1, 2)) > 0).astype(int)
DOCS = ["the cat sat on the mat", "a dog sat on a log", "the dog ran"] * 3
TREES = ["(3 (2 The) (4 (3 good) (2 film)))", "(1 (2 a) (0 (1 bad) (2 film)))",
         "(4 (3 great) (2 film))", "(0 (1 awful) (2 plot))"] * 2
SMALL_CONV = [{"type": "conv", "sx": 3, "filters": 2, "pad": 1,
               "activation": "relu"}, {"type": "pool", "sx": 2},
              {"type": "fc", "num_neurons": 4, "activation": "relu"},
              {"type": "dropout", "drop_prob": 0.25}]


def cases():
    """``{name: (estimator, data)}`` with ``data`` the ``fit`` arguments.

    Every solver family (adam, sgd with momentum, adagrad, adadelta, lbfgs),
    dropout, early stopping and each kind of random stream appear somewhere.
    """
    return {
        "PerceptronClassifier": (PerceptronClassifier(max_iter=3, random_state=0),
                                 (X, Y)),
        "LinearUnitRegressor": (LinearUnitRegressor(max_iter=3, random_state=0),
                                (X, X.sum(axis=1))),
        "MLPNet": (MLPNet((5,), max_iter=3, dropout=0.2, random_state=0), (X, Y)),
        "MLPNet-sgd-early-stopping": (MLPNet(
            (4,), solver="sgd", early_stopping=True, validation_fraction=0.25,
            max_iter=3, random_state=0), (X, Y)),
        "MLPNet-lbfgs": (MLPNet((4,), solver="lbfgs", max_iter=3, random_state=0),
                         (X, Y)),
        "MLPNetRegressor": (MLPNetRegressor((4,), solver="adagrad", max_iter=3,
                                            random_state=0), (X, X[:, :2])),
        "ConvNetClassifier": (ConvNetClassifier(
            SMALL_CONV, augment={"shift": 1, "flip": True}, max_iter=2,
            random_state=0), (X, Y)),
        "ConvNetRegressor": (ConvNetRegressor(SMALL_CONV[:3], solver="adadelta",
                                              max_iter=2, random_state=0),
                             (X, X.sum(axis=1))),
        "RBMTransformer": (RBMTransformer(4, n_iter=2, momentum=0.5,
                                          random_state=0), (X,)),
        "DBNClassifier": (DBNClassifier((5, 4), pretrain_n_iter=1, max_iter=2,
                                        random_state=0), (X, Y)),
        "RNNClassifier": (RNNClassifier(hidden_size=3, bidirectional=True,
                                        dropout=0.2, num_layers=2, batch_size=8,
                                        max_iter=2, random_state=0),
                          (SEQUENCES, Y_SEQ)),
        "RNNRegressor": (RNNRegressor(cell="lstm", hidden_size=3, batch_size=8,
                                      max_iter=2, random_state=0),
                         (SEQUENCES, SEQUENCES.sum(axis=(1, 2)))),
        "RNNLanguageModel": (RNNLanguageModel(
            "word", hidden_size=4, embedding_dim=3, bptt=4, batch_size=2,
            dropout=0.1, max_iter=2, random_state=0), (DOCS,)),
        "RecursiveNetClassifier": (RecursiveNetClassifier(
            dim=4, batch_size=4, average=1, max_iter=2, random_state=0), (TREES,)),
        "MLPAutoencoder": (MLPAutoencoder((6, 3), tied_weights=True, noise=0.2,
                                          max_iter=2, random_state=0), (X,)),
    }


def fit_case(name):
    """The case's estimator, fitted on its data."""
    estimator, data = cases()[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(*data), data


def outputs(estimator, data):
    """What the fitted model computes on its first rows: probabilities,
    predictions or features (floats where there are any)."""
    X = data[0][:6]
    for method in ("predict_proba", "transform", "predict"):
        if hasattr(estimator, method):
            return np.asarray(getattr(estimator, method)(X))
    raise AssertionError(type(estimator))


def main():
    """Write the fixture files and the outputs they must reproduce."""
    FIXTURES.mkdir(parents=True, exist_ok=True)
    expected = {"skdeep_version": skdeep.__version__, "outputs": {}}
    for name in cases():
        estimator, data = fit_case(name)
        skdeep.save(estimator, FIXTURES / f"{name}.skdeep")
        expected["outputs"][name] = outputs(estimator, data).tolist()
    (FIXTURES / "expected.json").write_text(json.dumps(expected, indent=1) + "\n",
                                            encoding="utf-8")
    print(f"wrote {len(expected['outputs'])} fixtures to {FIXTURES}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
