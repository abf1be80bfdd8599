"""RBMTransformer and DBNClassifier: dnn.js parity (statistical), drop-in behaviour."""

import joblib
import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression, RidgeClassifier
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import make_pipeline

from skdeep import DBNClassifier, RBMTransformer
from skdeep.nn.rbm import RBM

# dnn.js example data (SPEC §3)
LR_X = np.array([[1, 1, 1, 0, 0, 0], [1, 0, 1, 0, 0, 0], [1, 1, 1, 0, 0, 0],
                 [0, 0, 1, 1, 1, 0], [0, 0, 1, 1, 0, 0], [0, 0, 1, 1, 1, 0]], float)
MLP_X = np.array([[0.4, 0.5, 0.5, 0, 0, 0], [0.5, 0.3, 0.5, 0, 0, 0],
                  [0.4, 0.5, 0.5, 0, 0, 0], [0, 0, 0.5, 0.3, 0.5, 0],
                  [0, 0, 0.5, 0.4, 0.5, 0], [0, 0, 0.5, 0.5, 0.5, 0]])
CRBM_X = np.array([[0.4, 0.5, 0.5, 0, 0, 0.7], [0.5, 0.3, 0.5, 0, 1, 0.6],
                   [0.4, 0.5, 0.5, 0, 1, 0.9], [0, 0, 0, 0.3, 0.5, 0],
                   [0, 0, 0, 0.4, 0.5, 0], [0, 0, 0, 0.5, 0.5, 0]])
Y6 = np.array([0, 0, 0, 1, 1, 1])
SEEDS = range(3)


# sample_visible=True is dnn.js's algorithm (sampled reconstructions); the
# default uses their means. Both pass in 20 of 20 seeds (measured).
@pytest.mark.parametrize("sample_visible", [True, False])
@pytest.mark.parametrize("seed", SEEDS)
def test_rbmjs_reconstructions_separate_the_clusters(seed, sample_visible):
    rbm = RBMTransformer(2, learning_rate=0.6, n_iter=500, batch_size=6,
                         persistent=False, sample_visible=sample_visible,
                         random_state=seed).fit(LR_X)
    rec = rbm.reconstruct([[1, 1, 0, 0, 0, 0], [0, 0, 0, 1, 1, 0]])
    assert rec[0, 0] > 0.95 and rec[0, 2] > 0.95 and rec[0, 3:].max() < 0.05
    assert rec[1, 2] > 0.95 and rec[1, 3] > 0.95 and rec[1, :2].max() < 0.05
    hidden = rbm.transform([[1, 1, 0, 0, 0, 0], [0, 0, 0, 1, 1, 0]])
    assert np.argmax(hidden[0]) != np.argmax(hidden[1])  # a different unit each


@pytest.mark.parametrize("sample_visible", [True, False])
@pytest.mark.parametrize("seed", SEEDS)
def test_crbmjs_reconstruction_and_opposite_hidden_means(seed, sample_visible):
    rbm = RBMTransformer(5, learning_rate=0.6, n_iter=1500, batch_size=6,
                         persistent=False, visible_units="continuous",
                         sample_visible=sample_visible, random_state=seed).fit(CRBM_X)
    rec = rbm.reconstruct([[0, 0, 0, 0.5, 0.5, 0]])[0]
    assert rec[[0, 1, 2, 5]].max() < 0.05
    assert 0.25 < rec[3] < 0.6 and 0.3 < rec[4] < 0.65
    h = rbm.transform(CRBM_X)
    assert np.all(np.sign(h[:3].mean(0) - 0.5) != np.sign(h[3:].mean(0) - 0.5)) or (
        np.abs(h[:3].mean(0) - h[3:].mean(0)).max() > 0.9)


# Online pre-training (batch 1), as dnn.js: 20 of 20 seeds classify with p > 0.98
# for both networks (measured); full-batch pre-training collapses the CDBN to
# [0.5, 0.5] in some seeds, as dnn.js's did.
DNNJS_DBN = {"pretrain_learning_rate": 0.6, "pretrain_n_iter": 300,
             "pretrain_batch_size": 1, "solver": "sgd", "learning_rate_init": 0.6,
             "momentum": 0.0, "max_iter": 500, "tol": None}


@pytest.mark.parametrize("sample_visible", [True, False])
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name,X,test,units", [
    ("dbn.js", LR_X, [[1, 1, 0, 0, 0, 0], [0, 0, 0, 1, 1, 0]], "bernoulli"),
    ("cdbn.js", MLP_X, [[0.5, 0.5, 0, 0, 0, 0], [0, 0, 0, 0.5, 0.5, 0]],
     "continuous"),
])
def test_dnnjs_dbn_and_cdbn_never_collapse(seed, name, X, test, units, sample_visible):
    dbn = DBNClassifier((10, 12, 11, 8, 6, 4), visible_units=units,
                        sample_visible=sample_visible, random_state=seed,
                        **DNNJS_DBN).fit(X, Y6)
    proba = dbn.predict_proba(test)
    assert proba[0, 0] >= 0.9 and proba[1, 1] >= 0.9
    assert len(dbn.rbms_) == 6 and dbn.transform(test).shape == (2, 4)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X / 16, y, test_size=0.25, random_state=0, stratify=y)


def test_rbm_is_a_drop_in_for_bernoulli_rbm(digits):
    X_tr, X_te, y_tr, y_te = digits
    params = {"n_components": 64, "learning_rate": 0.06, "batch_size": 10,
              "n_iter": 10, "random_state": 0}
    ours, theirs = RBMTransformer(**params), BernoulliRBM(**params)
    assert set(theirs.get_params()) <= set(ours.get_params())
    for est in (ours, theirs):
        est.fit(X_tr)
    for attr in ("components_", "intercept_hidden_", "intercept_visible_",
                 "h_samples_"):
        assert getattr(ours, attr).shape == getattr(theirs, attr).shape
    assert ours.transform(X_te).shape == theirs.transform(X_te).shape
    assert ours.gibbs(X_te).shape == X_te.shape
    assert np.mean(ours.score_samples(X_te)) > np.mean(theirs.score_samples(X_te)) - 2
    assert list(ours.get_feature_names_out()[:2]) == ["rbmtransformer0",
                                                       "rbmtransformer1"]
    pipe = make_pipeline(RBMTransformer(**params),
                         LogisticRegression(C=100, max_iter=1000))
    assert pipe.fit(X_tr, y_tr).score(X_te, y_te) > 0.9


def test_sampled_mode_is_scikit_learns_algorithm_and_the_default_beats_it(digits):
    # Exact (all-flips) test pseudo-likelihood, mean over 3 seeds, on 1340 rows
    # so every minibatch is full (scikit-learn scales a short last batch
    # differently). Measured at 20 passes and 20 seeds: sampled -19.89 vs
    # BernoulliRBM -19.90; default -16.9, and pipeline accuracy 0.972 vs 0.953.
    X_tr, X_te, y_tr, y_te = digits
    X_tr, y_tr = X_tr[:1340], y_tr[:1340]
    params = {"n_components": 100, "learning_rate": 0.06, "n_iter": 10}

    def exact_pl(model):
        engine = RBM.from_params(model.components_, model.intercept_hidden_,
                                 model.intercept_visible_, dtype=np.float64)
        return engine.pseudo_likelihood(X_te).mean()

    fitted = {name: [make(random_state=seed).fit(X_tr) for seed in range(3)]
              for name, make in [
                  ("sklearn", lambda **kw: BernoulliRBM(**params, **kw)),
                  ("sampled", lambda **kw: RBMTransformer(**params, sample_visible=True,
                                                          **kw)),
                  ("default", lambda **kw: RBMTransformer(**params, **kw))]}
    pl = {name: np.mean([exact_pl(m) for m in models])
          for name, models in fitted.items()}
    assert abs(pl["sampled"] - pl["sklearn"]) < 0.5
    assert pl["default"] > pl["sklearn"] + 1.5

    # A linear read-out of the features (closed-form ridge: milliseconds, where
    # the benchmark's LogisticRegression(C=100) takes seconds). Measured at 10
    # passes: 0.947 for the default vs 0.869 for BernoulliRBM.
    def accuracy(model):
        ridge = RidgeClassifier(alpha=1.0).fit(model.transform(X_tr), y_tr)
        return ridge.score(model.transform(X_te), y_te)

    assert (np.mean([accuracy(m) for m in fitted["default"]])
            > np.mean([accuracy(m) for m in fitted["sklearn"]]) + 0.03)


def test_rbm_partial_fit_and_joblib(tmp_path, digits):
    X_tr, X_te, _, _ = digits
    rbm = RBMTransformer(16, random_state=0)
    for start in range(0, 200, 50):
        rbm.partial_fit(X_tr[start:start + 50])
    path = tmp_path / "rbm.joblib"
    joblib.dump(rbm, path)
    np.testing.assert_array_equal(joblib.load(path).transform(X_te),
                                  rbm.transform(X_te))


@pytest.mark.parametrize("units,X,match", [
    ("bernoulli", -LR_X, "Negative values"),
    ("continuous", LR_X * 2, r"needs X in \[0, 1\]"),
    ("gaussian", np.full((3, 2), np.nan), "NaN"),
])
def test_rbm_refuses_data_its_units_cannot_model(units, X, match):
    with pytest.raises(ValueError, match=match):
        RBMTransformer(2, visible_units=units).fit(X)


def test_dbn_takes_the_first_rbms_range_of_values():
    # Bernoulli units, as RBMTransformer and BernoulliRBM: values above 1 pass,
    # negative values are refused with the RBM's message
    dbn = DBNClassifier((4,), max_iter=5, random_state=0).fit(LR_X * 3, Y6)
    assert dbn.predict(LR_X * 3).shape == (6,)
    for est in (DBNClassifier((4,)), RBMTransformer(4)):
        with pytest.raises(ValueError, match=r"Negative values in data passed to "
                                             rf"{type(est).__name__} \(visible_units="):
            est.fit(-LR_X, Y6)
    with pytest.raises(ValueError, match=r"needs X in \[0, 1\]"):
        DBNClassifier((4,), visible_units="continuous").fit(LR_X * 3, Y6)


def test_dbn_pretrains_for_lbfgs_and_hides_partial_fit_from_it():
    dbn = DBNClassifier((4,), solver="lbfgs", max_iter=5, random_state=0)
    assert not hasattr(dbn, "partial_fit") and hasattr(DBNClassifier(), "partial_fit")
    assert len(dbn.fit(LR_X, Y6).rbms_) == 1


def test_rbm_free_energy_prefers_training_data(digits):
    X_tr, _, _, _ = digits
    rbm = RBMTransformer(32, n_iter=10, random_state=0).fit(X_tr)
    noise = np.random.default_rng(0).random(X_tr.shape)
    assert rbm.free_energy(X_tr).mean() < rbm.free_energy(noise).mean()


def test_dbn_grid_search_over_pretraining_parameters(digits):
    X_tr, X_te, y_tr, y_te = digits
    search = GridSearchCV(
        DBNClassifier((32,), pretrain_n_iter=2, learning_rate_init=0.01, max_iter=20,
                      random_state=0),
        {"pretrain_learning_rate": [0.01, 0.1], "k": [1, 2]}, cv=2)
    assert search.fit(X_tr, y_tr).score(X_te, y_te) > 0.9


def test_pretraining_pays_on_a_deep_narrow_stack(digits):
    # Same net (4 sigmoid layers of 32), same fine-tuning budget, 5 seeds. Measured:
    # 0.967 mean test accuracy with pre-training (0.943 with sampled
    # reconstructions), 0.10 without (sgd stalls in the deep sigmoid stack);
    # with adam 0.967 vs 0.90.
    X_tr, X_te, y_tr, y_te = digits
    budget = {"solver": "sgd", "learning_rate_init": 0.1, "momentum": 0.9,
              "batch_size": 32, "max_iter": 40, "tol": None, "pretrain_n_iter": 10}
    scores = {pretrain: np.mean([
        DBNClassifier((32, 32, 32, 32), pretrain=pretrain, random_state=seed,
                      **budget).fit(X_tr, y_tr).score(X_te, y_te)
        for seed in range(5)]) for pretrain in (True, False)}
    assert scores[True] > 0.9 and scores[True] > scores[False] + 0.1


def test_rbm_sparse_input_and_one_step_partial_fit(digits):
    from scipy import sparse

    X_tr, X_te, _, _ = digits
    dense = RBMTransformer(16, n_iter=3, random_state=0).fit(X_tr)
    sp = RBMTransformer(16, n_iter=3, random_state=0).fit(sparse.csr_matrix(X_tr))
    np.testing.assert_allclose(sp.transform(sparse.csr_matrix(X_te)),
                               dense.transform(X_te), atol=1e-5)
    # partial_fit continues the model (one pass of minibatches over the chunk)
    rbm = RBMTransformer(16, random_state=0).partial_fit(X_tr[:40])
    before = rbm.components_.copy()
    rbm.partial_fit(X_tr[40:80])
    assert np.abs(rbm.components_ - before).max() > 0
    assert rbm.h_samples_.shape == (10, 16)


@pytest.mark.parametrize("estimator", [RBMTransformer(sample_visible="yes"),
                                       DBNClassifier(sample_visible=2)])
def test_sample_visible_must_be_a_bool(estimator):
    with pytest.raises(TypeError, match="'sample_visible' parameter must be a bool"):
        estimator.fit(LR_X, Y6)
