"""RNNLanguageModel: hand-written conformance tests (text input), behaviour, errors."""

import pickle

import joblib
import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from skdeep import RNNLanguageModel

DOCS = ["abcabcabcabc", "abcabcabc", "xyzxyzxyz", "xyzxyzxyzxyz"] * 10
FAST = {"hidden_size": 16, "bptt": 8, "batch_size": 4, "max_iter": 15,
        "learning_rate_init": 0.02, "random_state": 0}


@pytest.fixture(scope="module")
def fitted():
    return RNNLanguageModel(**FAST).fit(DOCS)


def test_learns_the_patterns(fitted):
    assert list(fitted.predict(["abcab", "xyzx"])) == ["c", "y"]
    assert fitted.perplexity(["abcabc"]) < 2.0
    proba = fitted.predict_proba(["abc", "xy"])
    assert proba.shape == (2, len(fitted.tokens_))
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert fitted.tokens_[0] == "<eos>" and fitted.vocabulary_["<unk>"] == 1


def test_score_is_the_mean_log_likelihood(fitted):
    score = fitted.score(["abc"])
    # three characters and the closing <eos>, each from its left context
    logp = []
    for ctx, nxt in [("", "a"), ("a", "b"), ("ab", "c"), ("abc", "<eos>")]:
        logp.append(np.log(fitted.predict_proba([ctx])[0, fitted.vocabulary_[nxt]]))
    assert score == pytest.approx(np.mean(logp), rel=1e-5)
    assert fitted.perplexity(["abc"]) == pytest.approx(np.exp(-score), rel=1e-9)


def test_clone_get_set_params(fitted):
    est = clone(fitted)
    assert not hasattr(est, "vocabulary_")
    assert est.get_params()["hidden_size"] == 16
    est.set_params(cell="gru", hidden_size=8)
    assert est.get_params()["cell"] == "gru"


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_persistence_round_trip(tmp_path, fitted, dump):
    if dump == "pickle":
        loaded = pickle.loads(pickle.dumps(fitted))
    else:
        joblib.dump(fitted, tmp_path / "lm.joblib")
        loaded = joblib.load(tmp_path / "lm.joblib")
    np.testing.assert_array_equal(loaded.predict_proba(DOCS[:3]),
                                  fitted.predict_proba(DOCS[:3]))
    assert loaded.generate("ab", 20, random_state=1) == fitted.generate(
        "ab", 20, random_state=1)


def test_not_fitted_errors():
    lm = RNNLanguageModel()
    for method in (lm.predict, lm.predict_proba, lm.score, lm.transform):
        with pytest.raises(NotFittedError):
            method(["abc"])
    with pytest.raises(NotFittedError):
        lm.generate("abc")


def test_generate_is_reproducible_and_respects_options(fitted):
    a = fitted.generate("ab", 30, random_state=3)
    assert a == fitted.generate("ab", 30, random_state=3)
    assert a.startswith("ab") and len(a) == 32
    greedy = fitted.generate("abcab", 4, top_k=1)
    assert greedy == "abcabcabc"
    with pytest.raises(ValueError, match="temperature"):
        fitted.generate("ab", 3, temperature=0)


def test_grid_search_selects_by_perplexity():
    search = GridSearchCV(RNNLanguageModel(**{**FAST, "max_iter": 8}),
                          {"hidden_size": [2, 24], "cell": ["rnn", "lstm"]}, cv=2)
    search.fit(DOCS)
    assert search.best_params_["hidden_size"] == 24
    best = search.best_estimator_
    assert search.best_score_ == pytest.approx(
        np.mean([search.cv_results_[f"split{i}_test_score"][search.best_index_]
                 for i in range(2)]))
    assert best.perplexity(DOCS) < 3


def test_pipeline_into_a_classifier():
    labels = np.array([0, 0, 1, 1] * 10)
    pipe = make_pipeline(RNNLanguageModel(**FAST), LogisticRegression())
    pipe.fit(DOCS, labels)
    assert pipe.score(DOCS, labels) == 1.0
    assert pipe[0].transform(DOCS[:2]).shape == (2, 16)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_exact_warm_start_resume(cell):
    params = dict(FAST, cell=cell, num_layers=2, dropout=0.1, embedding_dim=6)
    once = RNNLanguageModel(**{**params, "max_iter": 4}).fit(DOCS)
    twice = RNNLanguageModel(**{**params, "max_iter": 2, "warm_start": True})
    twice.fit(DOCS).fit(DOCS)
    for a, b in zip(once._network.param_arrays(), twice._network.param_arrays()):
        np.testing.assert_allclose(a, b, atol=1e-6)
    inc = RNNLanguageModel(**params)
    for _ in range(4):
        inc.partial_fit(DOCS)
    for a, b in zip(once._network.param_arrays(), inc._network.param_arrays()):
        np.testing.assert_allclose(a, b, atol=1e-6)


def test_early_stopping_on_held_out_perplexity():
    lm = RNNLanguageModel(**{**FAST, "max_iter": 30}, early_stopping=True,
                          validation_fraction=0.2, n_iter_no_change=2).fit(DOCS)
    assert len(lm.validation_scores_) == lm.n_iter_
    assert lm.best_validation_score_ == max(lm.validation_scores_)
    assert all(np.isclose(-s, v) for s, v in zip(lm.validation_scores_,
                                                  lm.validation_loss_curve_))


def test_word_level_vocabulary_limits():
    docs = ["the cat sat on the mat", "the dog sat on the log", "a rare word"]
    lm = RNNLanguageModel("word", hidden_size=8, bptt=4, batch_size=2, max_iter=2,
                          min_count=2, random_state=0).fit(docs)
    assert set(lm.vocabulary_) == {"<eos>", "<unk>", "the", "sat", "on"}
    lm2 = RNNLanguageModel("word", max_vocab=4, max_iter=1, batch_size=2,
                           random_state=0).fit(docs)
    assert list(lm2.tokens_) == ["<eos>", "<unk>", "the", "on"]
    out = lm.generate("the cat", 3, random_state=0)
    assert out.startswith("the cat ") and len(out.split()) == 5


def test_documented_edge_cases(fitted):
    # an empty document predicts from the start-of-document context alone
    assert fitted.predict([""])[0] in ("a", "x")
    # text made only of unknown tokens is read as <unk> tokens: no crash
    assert fitted.predict(["###"]).shape == (1,)
    assert np.isfinite(fitted.score(["###"]))
    assert fitted.transform([""]).shape == (1, 16)


@pytest.mark.parametrize("X,error,match", [
    ("just one string", TypeError, "single str"),
    (["ok", 3], TypeError, r"X\[1\] is a int"),
    ([], ValueError, "empty"),
    (["", ""], ValueError, "vocabulary would be empty"),
])
def test_bad_documents(X, error, match):
    with pytest.raises(error, match=match):
        RNNLanguageModel(max_iter=1).fit(X)


def test_tied_weights_share_one_table_through_fit_and_load(tmp_path):
    import skdeep
    from skdeep.nn import Embedding, TiedDense

    params = dict(FAST, level="word", embedding_dim=16, tie_weights=True,
                  max_iter=3)
    docs = ["the cat sat on the mat", "a dog sat on a log", "the dog ate"] * 8
    lm = RNNLanguageModel(**params).fit(docs)
    embedding, output = lm._network.layers[0], lm._network.layers[-1]
    assert isinstance(embedding, Embedding) and isinstance(output, TiedDense)
    assert output.source is embedding and "W" not in output.params
    untied = RNNLanguageModel(**{**params, "tie_weights": False}).fit(docs)
    n_params = [sum(p.size for p in m._network.param_arrays()) for m in (lm, untied)]
    assert n_params[0] == n_params[1] - 16 * len(lm.vocabulary_)
    assert lm.perplexity(docs) < 12
    # the sharing survives skdeep.save/load and pickling: continuing the loaded
    # model trains the one table exactly as continuing the original
    path = tmp_path / "tied.skdeep"
    skdeep.save(lm, path)
    copies = [skdeep.load(path), pickle.loads(pickle.dumps(lm))]
    for copy in copies:
        assert copy._network.layers[-1].source is copy._network.layers[0]
        copy.partial_fit(docs)
    lm.partial_fit(docs)
    for copy in copies:
        for a, b in zip(lm._network.param_arrays(), copy._network.param_arrays()):
            np.testing.assert_allclose(a, b, atol=1e-6)


@pytest.mark.parametrize("params,error,match", [
    ({"bptt": 0}, ValueError, "bptt"),
    ({"cell": "transformer"}, ValueError, "cell"),
    ({"hidden_size": -4}, ValueError, "hidden_size"),
    ({"level": "byte"}, ValueError, "level"),
    ({"batch_size": "auto"}, TypeError, "batch_size"),
    ({"tie_weights": True}, ValueError, "embedding_dim == hidden_size"),
    ({"tie_weights": True, "embedding_dim": 8}, ValueError, "tie_weights"),
    ({"tie_weights": "yes"}, (TypeError, ValueError), "tie_weights"),
])
def test_bad_parameters_fail_before_work(fitted, params, error, match):
    lm = clone(fitted).set_params(**params)
    with pytest.raises(error, match=match):
        lm.fit(DOCS)


def test_failed_fit_keeps_the_model(fitted):
    lm = pickle.loads(pickle.dumps(fitted))
    state = joblib.hash(lm)
    with pytest.raises(TypeError):
        lm.partial_fit(["ok", None])
    assert joblib.hash(lm) == state


# ---------------------------------------------------------------- sample_weight
def _params(lm):
    return np.concatenate([p.ravel() for p in lm._network.param_arrays()])


@pytest.mark.parametrize("extra", [{}, {"early_stopping": True, "alpha": 1e-3}])
def test_equal_document_weights_are_no_weights(extra):
    params = {**FAST, "max_iter": 4, "tol": None, **extra}
    plain = RNNLanguageModel(**params).fit(DOCS)
    ones = RNNLanguageModel(**params).fit(DOCS, sample_weight=np.ones(len(DOCS)))
    np.testing.assert_array_equal(_params(ones), _params(plain))
    assert ones.loss_curve_ == plain.loss_curve_
    assert ones.validation_scores_ == plain.validation_scores_


def test_a_zero_weight_document_is_a_dropped_one():
    # One row, no shuffling: the streams line up. The dropped document's
    # targets fall in the last window (3 targets there without it, 7 with it),
    # so both fits take the same steps on the same weighted windows.
    docs = ["abcabc", "abcab", "abc"]  # "abc" keeps the vocabulary's order
    params = {**FAST, "bptt": 10, "batch_size": 1, "shuffle": False, "max_iter": 5,
              "tol": None, "dtype": "float64"}
    weighted = RNNLanguageModel(**params).fit(docs, sample_weight=[1.0, 1.0, 0.0])
    dropped = RNNLanguageModel(**params).fit(docs[:2])
    assert list(weighted.tokens_) == list(dropped.tokens_)
    np.testing.assert_allclose(_params(weighted), _params(dropped), rtol=1e-10,
                               atol=1e-12)
    # the reported loss is the weighted mean over the tokens
    np.testing.assert_allclose(weighted.loss_curve_, dropped.loss_curve_, rtol=1e-10)


def test_document_weights_change_the_fit_and_reach_partial_fit():
    plain = RNNLanguageModel(**{**FAST, "max_iter": 3}).fit(DOCS)
    weights = np.where(np.arange(len(DOCS)) % 4 == 0, 2.0, 1.0)
    twice = RNNLanguageModel(**{**FAST, "max_iter": 3}).fit(DOCS, sample_weight=weights)
    assert not np.array_equal(_params(twice), _params(plain))
    inc = RNNLanguageModel(**FAST).partial_fit(DOCS, sample_weight=weights)
    inc.partial_fit(DOCS[:2], sample_weight=[1, 3])
    assert inc.n_iter_ == 1 and inc._train_state.n_iter == 2


def test_weighted_early_stopping_scores_the_held_out_weights():
    params = {**FAST, "max_iter": 2, "tol": None, "early_stopping": True,
              "validation_fraction": 0.2}
    plain = RNNLanguageModel(**params).fit(DOCS)
    weights = np.linspace(0.5, 2.0, len(DOCS))
    weighted = RNNLanguageModel(**params).fit(DOCS, sample_weight=weights)
    assert weighted.validation_scores_ != plain.validation_scores_
    # held-out text of zero weight has no score; training text, nothing to learn
    for part, weights in [("held-out", [1.0] * 30 + [0.0] * 10),
                          ("training", [0.0] * 38 + [1.0] * 2)]:
        with pytest.raises(ValueError, match=f"Every {part} token .* zero weight"):
            RNNLanguageModel(**params).fit(DOCS, sample_weight=weights)


@pytest.mark.parametrize("weights,match", [(np.ones(3), "sample_weight.shape"),
                                           (np.zeros(len(DOCS)), "non-zero")])
def test_bad_document_weights(weights, match):
    with pytest.raises(ValueError, match=match):
        RNNLanguageModel(**FAST).fit(DOCS, sample_weight=weights)


def test_document_weights_are_routed_by_grid_search():
    weights = np.where(np.arange(len(DOCS)) % 2 == 0, 3.0, 0.5)
    grid = {"hidden_size": [4, 8]}
    with sklearn.config_context(enable_metadata_routing=True):
        lm = RNNLanguageModel(**{**FAST, "max_iter": 2}).set_fit_request(
            sample_weight=True)
        search = GridSearchCV(lm, grid, cv=2).fit(DOCS, sample_weight=weights)
    plain = GridSearchCV(RNNLanguageModel(**{**FAST, "max_iter": 2}), grid,
                         cv=2).fit(DOCS)
    assert not np.array_equal(search.cv_results_["mean_test_score"],
                              plain.cv_results_["mean_test_score"])


@pytest.mark.parametrize("lowercase", [False, True])
def test_char_encoding_matches_the_token_by_token_lookup(lowercase):
    # the char path maps distinct code points at once; it must give the ids
    # of the plain per-token lookup on any text: astral characters, a lone
    # surrogate, characters outside the vocabulary, case folding
    from skdeep._text import EOS, UNK, encode, tokenize

    rng = np.random.default_rng(0)
    alphabet = list("aAbBzZ é\n") + ["\U0001F600", "\ud800", "\u00df", "<"]
    doc = "".join(rng.choice(alphabet, size=500))
    vocabulary = {EOS: 0, UNK: 1, "a": 2, "b": 3, "\U0001F600": 4, "\ud800": 5,
                  " ": 6, "Z": 7, "ss": 8}
    expected = [vocabulary.get(tok, 1) for tok in tokenize(doc, "char", lowercase)]
    ids = encode(doc, vocabulary, "char", lowercase)
    assert ids.dtype == np.int64
    assert ids.tolist() == expected
    assert encode("", vocabulary, "char", lowercase).tolist() == []
