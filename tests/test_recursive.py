"""RecursiveNetClassifier and the tree utilities: parsing, node tables, fits."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone

from skdeep import RecursiveNetClassifier
from skdeep._trees import as_tree, node_table, parse_tree, tree_labels

TREES = ["(1 (1 good) (1 film))", "(0 (0 bad) (1 film))",
         "(1 (1 (1 very) (1 good)) (1 film))", "(0 (0 (1 very) (0 bad)) (1 film))",
         "(1 (1 (1 good) (1 fun)) (1 (1 good) (1 film)))",
         "(0 (0 (0 bad) (0 dull)) (1 film))"]


def _fit(estimator, X, y=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return clone(estimator).fit(X, y)


def test_parse_ptb_strings_and_tuples_alike():
    tree = parse_tree("(3 (2 The) (4 (3 good) (2 8 1\\/2)))")
    assert tree == (3, (2, "The"), (4, (3, "good"), (2, "8 1\\/2")))
    assert as_tree(tree) == tree
    assert as_tree((("a", "b"), "c")) == (None, (None, (None, "a"), (None, "b")),
                                          (None, "c"))
    for bad in ["(3 (2 a) (2 b) (2 c))", "(3 (2 a) (2 b)", "(3 (2 a) (2 b))) x"]:
        with pytest.raises(ValueError):
            parse_tree(bad)


def test_node_table_is_post_order_with_heights():
    tree = parse_tree("(3 (2 a) (4 (3 b) (2 c)))")
    table = node_table([tree], {"a": 1, "b": 2}, 0)
    # a, b, c, (b c), root
    np.testing.assert_array_equal(table, [[1, -1, -1, 0, 0], [2, -1, -1, 0, 0],
                                          [0, -1, -1, 0, 0], [-1, 1, 2, 1, 0],
                                          [-1, 0, 3, 2, 0]])
    assert tree_labels([tree]) == [2, 3, 2, 4, 3]


def test_learns_the_toy_sentiment_and_labels_every_node():
    clf = _fit(RecursiveNetClassifier(dim=8, max_iter=40, learning_rate_init=0.1,
                                      random_state=0), TREES)
    assert clf.predict(TREES).tolist() == [1, 0, 1, 0, 1, 0]
    nodes = clf.predict_nodes(TREES)
    assert [len(n) for n in nodes] == [3, 3, 5, 5, 7, 5]
    assert nodes[1].tolist()[-1] == 0 and nodes[1].tolist()[0] == 0  # "bad"
    assert clf.predict_proba(TREES).shape == (6, 2)
    assert clf.transform(TREES).shape == (6, 8)


@pytest.mark.parametrize("composition", ["rnn", "rntn"])
def test_tuples_and_strings_fit_the_same_model(composition):
    a = _fit(RecursiveNetClassifier(composition, dim=4, max_iter=3, random_state=0),
             TREES)
    b = _fit(RecursiveNetClassifier(composition, dim=4, max_iter=3, random_state=0),
             [parse_tree(t) for t in TREES])
    np.testing.assert_array_equal(a.predict_proba(TREES), b.predict_proba(TREES))


def test_root_labels_from_y_train_the_roots_only():
    unlabelled = [("good", "film"), ("bad", "film"), ("good", "fun"), ("bad", "dull"),
                  (("very", "good"), "film"), (("very", "bad"), "film")]
    y = ["pos", "neg", "pos", "neg", "pos", "neg"]
    clf = _fit(RecursiveNetClassifier(dim=6, max_iter=100, learning_rate_init=0.1,
                                      random_state=0), unlabelled, y)
    assert clf.predict(unlabelled).tolist() == y
    with pytest.raises(ValueError, match="no label"):
        RecursiveNetClassifier().fit(unlabelled)


def test_unknown_words_pickle_clone_and_resume():
    clf = _fit(RecursiveNetClassifier(dim=4, max_iter=2, random_state=0,
                                      warm_start=True), TREES)
    assert clf.predict(["(1 (1 unseen) (1 words))"]).shape == (1,)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(TREES),
                                  clf.predict_proba(TREES))
    full = _fit(RecursiveNetClassifier(dim=4, max_iter=4, random_state=0), TREES)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.fit(TREES)
    np.testing.assert_array_equal(full.predict_proba(TREES), clf.predict_proba(TREES))
    with pytest.raises(ValueError, match="dim=5 differs"):
        clf.set_params(dim=5).fit(TREES)


def test_early_stopping_scores_held_out_roots():
    clf = _fit(RecursiveNetClassifier(dim=6, max_iter=5, early_stopping=True,
                                      validation_fraction=0.34, random_state=0),
               TREES * 3)
    assert len(clf.validation_scores_) == clf.n_iter_


def test_average_predicts_with_the_mean_of_the_epochs_weights():
    def model(**params):
        return RecursiveNetClassifier(dim=4, random_state=0, **params)

    def warm_fit(estimator):  # _fit clones
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return estimator.fit(TREES)

    averaged = _fit(model(max_iter=4, average=2), TREES)
    assert averaged.n_averaged_ == 3  # epochs 2, 3 and 4
    # the same mean by hand, from the latest weights of one-epoch warm fits
    stepwise = model(max_iter=1, warm_start=True)
    snapshots = []
    for _ in range(4):
        warm_fit(stepwise)
        snapshots.append([p.copy() for p in stepwise._network.param_arrays()])
    assert stepwise.n_averaged_ == 0
    np.testing.assert_array_equal(  # training goes on from the latest weights
        averaged._network.param_arrays()[0], snapshots[-1][0])
    for p, *epochs in zip(stepwise._network.param_arrays(), *snapshots[1:]):
        p[...] = np.mean(epochs, axis=0)
    np.testing.assert_allclose(averaged.predict_proba(TREES),
                               stepwise.predict_proba(TREES), rtol=1e-5)
    # exact resume: 2 + 2 warm epochs equal 4, the mean included
    resumed = _fit(model(max_iter=2, average=2, warm_start=True), TREES)
    assert resumed.n_averaged_ == 1
    warm_fit(resumed)
    np.testing.assert_array_equal(resumed.predict_proba(TREES),
                                  averaged.predict_proba(TREES))
    restored = pickle.loads(pickle.dumps(averaged))
    np.testing.assert_array_equal(restored.predict_nodes(TREES)[0],
                                  averaged.predict_nodes(TREES)[0])


@pytest.mark.parametrize("params,match", [
    ({"average": 0}, "average"), ({"average": 1.5}, "average"),
    ({"average": True, "early_stopping": True}, "early_stopping")])
def test_bad_average(params, match):
    with pytest.raises((ValueError, TypeError), match=match):
        RecursiveNetClassifier(**params).fit(TREES)
