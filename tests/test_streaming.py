"""Training on a stream of chunks: ``partial_fit`` block by block, by hand or
through dask-ml's ``Incremental`` over a dask array, and the streaming caveats
(early stopping, the RBM's minibatches, the language model's vocabulary)."""

import numpy as np
import pytest
from sklearn.base import is_classifier
from sklearn.datasets import load_digits

from skdeep import (
    ConvNetClassifier,
    DBNClassifier,
    LinearUnitRegressor,
    MLPNet,
    MLPNetRegressor,
    PerceptronClassifier,
    RBMTransformer,
    RNNClassifier,
    RNNLanguageModel,
)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:240] / 16).astype(np.float32), y[:240]


# ------------------------------------------------------------ early stopping
@pytest.mark.parametrize("estimator,message", [
    (MLPNet(max_iter=2), "partial_fit does not support early_stopping=True"),
    (MLPNetRegressor(max_iter=2), "partial_fit does not support early_stopping"),
    (ConvNetClassifier(max_iter=1), "partial_fit does not support early_stopping"),
    (LinearUnitRegressor(max_iter=2), "partial_fit does not support early_stopping"),
    (DBNClassifier(max_iter=1, pretrain_n_iter=1),
     "partial_fit does not support early_stopping"),
    # scikit-learn's SGD models' message
    (PerceptronClassifier(max_iter=2),
     "early_stopping should be False with partial_fit"),
], ids=lambda v: "" if isinstance(v, str) else type(v).__name__)
def test_partial_fit_refuses_early_stopping_and_keeps_the_model(estimator, message,
                                                                digits):
    X, y = digits
    classifier = is_classifier(estimator)
    y = y if classifier else y.astype(float)
    extra = {"classes": np.unique(y)} if classifier else {}
    model = estimator.partial_fit(X, y, **extra)
    before = model.predict(X)
    with pytest.raises(ValueError, match=message):
        model.set_params(early_stopping=True).partial_fit(X, y)
    np.testing.assert_array_equal(model.predict(X), before)


@pytest.mark.parametrize("estimator,X,y", [
    (RNNClassifier(hidden_size=3, max_iter=1, early_stopping=True),
     np.zeros((6, 4, 2)), [0, 1] * 3),
    (RNNLanguageModel(hidden_size=3, max_iter=1, early_stopping=True),
     ["abc abc"] * 3, None),
], ids=["RNNClassifier", "RNNLanguageModel"])
def test_sequence_models_refuse_early_stopping_in_partial_fit(estimator, X, y):
    extra = {} if y is None else {"y": y, "classes": [0, 1]}
    with pytest.raises(ValueError, match="partial_fit does not support early_stop"):
        estimator.partial_fit(X, **extra)
    assert not hasattr(estimator, "n_iter_")


# ------------------------------------------------------------ RBM minibatches
def rbm(**params):
    return RBMTransformer(n_components=8, batch_size=10, random_state=0, **params)


@pytest.mark.parametrize("shuffle", [False, True])
def test_rbm_partial_fit_is_one_epoch_of_fit(digits, shuffle):
    X, _ = digits
    one_epoch = rbm(n_iter=1, shuffle=shuffle).fit(X)
    chunk = rbm(shuffle=shuffle).partial_fit(X)
    np.testing.assert_array_equal(chunk.components_, one_epoch.components_)
    np.testing.assert_array_equal(chunk.h_samples_, one_epoch.h_samples_)


def test_rbm_stream_of_chunks_equals_one_pass_over_their_concatenation(digits):
    # chunks of whole minibatches: the same updates, chain and random draws
    X, _ = digits
    whole = rbm(n_iter=1).fit(X)
    streamed = rbm()
    for start in range(0, len(X), 60):
        streamed.partial_fit(X[start:start + 60])
    np.testing.assert_array_equal(streamed.components_, whole.components_)
    np.testing.assert_array_equal(streamed.intercept_visible_,
                                  whole.intercept_visible_)


def test_rbm_chunk_of_one_minibatch_is_scikit_learns_single_step(digits):
    # BernoulliRBM.partial_fit makes one update per call: so does a chunk of at
    # most batch_size rows, and batch_size=len(chunk) gives it for any chunk
    X, _ = digits
    big = rbm().set_params(batch_size=len(X)).partial_fit(X)
    single = rbm(n_iter=1).set_params(batch_size=len(X)).fit(X)
    np.testing.assert_array_equal(big.components_, single.components_)
    many = rbm().partial_fit(X)
    assert np.abs(many.components_ - big.components_).max() > 1e-4


# ------------------------------------------------------------ LM vocabulary
CHUNKS = [["the cat sat", "the cat ran"], ["a dog sat", "the dog ran"]]


def word_lm(**params):
    return RNNLanguageModel("word", hidden_size=6, embedding_dim=4, bptt=4,
                            batch_size=2, random_state=0, **params)


def test_without_a_fixed_vocabulary_the_first_chunk_freezes_it():
    lm = word_lm()
    for chunk in CHUNKS:
        lm.partial_fit(chunk)
    assert "dog" not in lm.vocabulary_  # read as <unk> in the second chunk


def test_a_fixed_vocabulary_knows_the_tokens_of_later_chunks():
    tokens = sorted({w for chunk in CHUNKS for doc in chunk for w in doc.split()})
    lm = word_lm(vocabulary=tokens)
    lm.partial_fit(CHUNKS[0])
    assert list(lm.tokens_) == ["<eos>", "<unk>", *tokens]
    embedding = lm._network.layers[0].params["E"]
    dog = embedding[lm.vocabulary_["dog"]].copy()
    lm.partial_fit(CHUNKS[1])
    # "dog" is a token of its own: the second chunk trains its embedding
    assert np.abs(lm._network.layers[0].params["E"][lm.vocabulary_["dog"]]
                  - dog).max() > 0
    # fit on all the text with the same vocabulary: the same ids
    full = word_lm(vocabulary=tokens, max_iter=1).fit(CHUNKS[0] + CHUNKS[1])
    assert full.vocabulary_ == lm.vocabulary_


@pytest.mark.parametrize("vocabulary,error,match", [
    ("cat dog", TypeError, "must be None or a list of tokens"),
    (["cat", 3], TypeError, "must hold str tokens"),
    (["cat", "cat"], ValueError, "repeats the token 'cat'"),
    (["<eos>", "<unk>"], ValueError, "no token besides"),
])
def test_bad_vocabulary_is_refused_before_any_work(vocabulary, error, match):
    lm = word_lm(vocabulary=vocabulary)
    with pytest.raises(error, match=match):
        lm.partial_fit(CHUNKS[0])
    assert not hasattr(lm, "vocabulary_")


def test_the_vocabulary_cannot_change_between_partial_fits():
    lm = word_lm(vocabulary=["cat", "dog"]).partial_fit(CHUNKS[0])
    with pytest.raises(ValueError, match="cannot change vocabulary"):
        lm.set_params(vocabulary=["cat"]).partial_fit(CHUNKS[1])


# ------------------------------------------------------------ dask-ml Incremental
def mean_pseudo_likelihood(estimator, X, y=None):
    """A score for Incremental: the RBM has ``score_samples``, no ``score``."""
    return float(np.mean(estimator.score_samples(X)))


@pytest.mark.parametrize("estimator", [
    MLPNet((8,), random_state=0),
    ConvNetClassifier([{"type": "conv", "sx": 3, "filters": 2, "pad": 1},
                       {"type": "pool", "sx": 2}], random_state=0),
    LinearUnitRegressor(random_state=0),
    PerceptronClassifier(random_state=0),
    RBMTransformer(8, random_state=0),
], ids=lambda est: type(est).__name__)
def test_incremental_over_a_dask_array_is_a_partial_fit_loop(estimator, digits):
    dask = pytest.importorskip("dask")
    da = pytest.importorskip("dask.array")
    Incremental = pytest.importorskip("dask_ml.wrappers").Incremental
    X, y = digits
    kind = "transformer" if isinstance(estimator, RBMTransformer) else (
        "classifier" if is_classifier(estimator) else "regressor")
    target = {"classifier": y, "regressor": y.astype(float), "transformer": None}[
        kind]
    extra = {"classes": np.unique(y)} if kind == "classifier" else {}
    X_blocks = da.from_array(X, chunks=(60, X.shape[1]))  # 4 blocks
    y_blocks = None if target is None else da.from_array(target, chunks=60)
    wrapper = Incremental(clone_of(estimator), shuffle_blocks=False,
                          scoring=mean_pseudo_likelihood if target is None else None)
    with dask.config.set(scheduler="synchronous"):
        wrapper.fit(X_blocks, y_blocks, **extra)
        looped = clone_of(estimator)
        for start in range(0, len(X), 60):
            rows = slice(start, start + 60)
            looped.partial_fit(X[rows], *([] if target is None else [target[rows]]),
                               **extra)
        method = "transform" if target is None else "predict"
        np.testing.assert_array_equal(
            getattr(wrapper.estimator_, method)(X), getattr(looped, method)(X))
        # and inference block by block, as a dask array (float32 products of
        # 60 rows may round the last bit otherwise than of 240)
        lazy = getattr(wrapper, method)(X_blocks)
        assert isinstance(lazy, da.Array)
        np.testing.assert_allclose(lazy.compute(), getattr(looped, method)(X),
                                   rtol=1e-5, atol=1e-6)


def clone_of(estimator):
    from sklearn.base import clone

    return clone(estimator)
