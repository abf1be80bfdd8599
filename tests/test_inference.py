"""Inference is pure: no method after fit writes to the model, concurrent calls
from threads give the sequential results, and documents are read once."""

from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits

from skdeep import (
    ConvNetClassifier,
    ConvNetRegressor,
    DBNClassifier,
    LinearUnitRegressor,
    MLPNet,
    MLPNetRegressor,
    PerceptronClassifier,
    RBMTransformer,
    RNNLanguageModel,
)
from tests._support import fit_quietly

X, Y = load_digits(return_X_y=True)
X, Y = X / 16, Y
TEXT = ["the cat sat on the mat", "a dog ran in the park", "the end of it all",
        "cats and dogs sat in the park"] * 8
CONV = [{"type": "conv", "sx": 3, "filters": 4, "pad": 1, "activation": "relu"},
        {"type": "pool", "sx": 2}]

# (estimator, y, methods called concurrently)
CASES = [
    (MLPNet((32,), max_iter=5, random_state=0), Y, ["predict_proba", "predict"]),
    (MLPNetRegressor((32,), max_iter=5, random_state=0), Y * 1.0, ["predict"]),
    (LinearUnitRegressor(max_iter=5, random_state=0), Y * 1.0, ["predict"]),
    (PerceptronClassifier(max_iter=5, random_state=0), Y,
     ["decision_function", "predict"]),
    (ConvNetClassifier(CONV, max_iter=2, random_state=0), Y,
     ["predict_proba", "transform"]),
    (ConvNetRegressor(CONV, max_iter=2, random_state=0), Y * 1.0,
     ["predict", "transform"]),
    (DBNClassifier((32,), pretrain_n_iter=2, max_iter=3, random_state=0), Y,
     ["predict_proba", "transform"]),
    (RBMTransformer(n_components=16, n_iter=3, random_state=0), None,
     ["transform", "reconstruct", "free_energy"]),
]



def _in_threads(calls, n_threads=4, repeats=8):
    """Run every call ``repeats`` times over ``n_threads`` threads, in order."""
    with ThreadPoolExecutor(n_threads) as pool:
        futures = [pool.submit(call) for call in calls * repeats]
        return [f.result() for f in futures]


@pytest.mark.parametrize("est, y, methods", CASES,
                         ids=[type(c[0]).__name__ for c in CASES])
def test_concurrent_inference_equals_sequential(est, y, methods):
    est = fit_quietly(est, X, y)
    fingerprint = joblib.hash(est)
    chunks = np.array_split(X, 4)
    calls = [lambda m=m, c=c: getattr(est, m)(c) for m in methods for c in chunks]
    expected = [call() for call in calls]
    got = _in_threads(calls)
    for i, result in enumerate(got):
        np.testing.assert_array_equal(result, expected[i % len(calls)])
    assert joblib.hash(est) == fingerprint  # nothing was written to the model


@pytest.fixture(scope="module")
def lm():
    return fit_quietly(RNNLanguageModel("word", hidden_size=16, bptt=4, batch_size=4,
                                 max_iter=3, random_state=0), TEXT, None)


def test_language_model_inference_is_pure_and_thread_safe(lm):
    fingerprint = joblib.hash(lm)
    docs = [TEXT[:5], TEXT[5:9], ["the cat", "a dog ran"], TEXT[2:12]]
    calls = ([lambda d=d: lm.score(d) for d in docs]
             + [lambda d=d: lm.transform(d) for d in docs]
             + [lambda d=d: lm.predict_proba(d) for d in docs]
             + [lambda d=d: lm.perplexity(d) for d in docs]
             + [lambda s=s: lm.generate("the", 12, random_state=s) for s in range(4)])
    expected = [call() for call in calls]
    got = _in_threads(calls)
    for i, result in enumerate(got):
        np.testing.assert_array_equal(result, expected[i % len(calls)])
    assert joblib.hash(lm) == fingerprint


def test_language_model_reads_a_generator_of_documents_once(lm):
    def documents():
        yield from TEXT

    params = dict(level="word", hidden_size=16, bptt=4, batch_size=4, max_iter=3,
                  random_state=0)
    from_generator = fit_quietly(RNNLanguageModel(**params), documents(), None)
    for a, b in zip(from_generator._network.param_arrays(),
                    lm._network.param_arrays()):
        np.testing.assert_array_equal(a, b)
    assert lm.score(documents()) == lm.score(TEXT)
    np.testing.assert_array_equal(lm.transform(documents()), lm.transform(TEXT))
    np.testing.assert_array_equal(lm.predict(documents()), lm.predict(TEXT))
    features = RNNLanguageModel(**params).fit_transform(documents())
    np.testing.assert_array_equal(features, lm.transform(TEXT))
