"""``sklearn.callback`` support (scikit-learn >= 1.9): one subtask per epoch, for
every iterative estimator, alone and inside Pipeline and GridSearchCV."""


import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

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
X, Y = X[:400] / 16, Y[:400]
TEXT = ["abcabcabc", "abcabc", "cabcab"] * 10

CONV = [{"type": "conv", "sx": 3, "filters": 4, "pad": 1, "activation": "relu"},
        {"type": "pool", "sx": 2}]
# (estimator, X, y, scoring): every iterative estimator of the package
CASES = [
    (MLPNet((16,), max_iter=4, tol=None, random_state=0), X, Y, "accuracy"),
    (MLPNet((16,), solver="lbfgs", max_iter=4, random_state=0), X, Y, "accuracy"),
    (MLPNet((16,), early_stopping=True, max_iter=4, tol=None, random_state=0), X, Y,
     "accuracy"),
    (MLPNetRegressor((16,), max_iter=4, tol=None, random_state=0), X, Y * 1.0, "r2"),
    (LinearUnitRegressor(max_iter=4, tol=None, random_state=0), X, Y * 1.0, "r2"),
    (PerceptronClassifier(max_iter=4, tol=None, random_state=0), X, Y, "accuracy"),
    (ConvNetClassifier(CONV, max_iter=3, tol=None, random_state=0), X, Y, "accuracy"),
    (ConvNetRegressor(CONV, max_iter=3, tol=None, random_state=0), X, Y * 1.0, "r2"),
    (DBNClassifier((16,), pretrain_n_iter=2, max_iter=3, tol=None, random_state=0),
     X, Y, "accuracy"),
    (RBMTransformer(n_components=8, n_iter=4, random_state=0), X, None, None),
    (RNNLanguageModel(hidden_size=8, bptt=4, max_iter=3, tol=None, random_state=0),
     TEXT, None, None),
]
IDS = [type(est).__name__ + (f"-{est.solver}" if hasattr(est, "solver") else "")
       for est, *_ in CASES]



def _mean_score(est, X, y=None):
    """A scorer for the unsupervised models (ScoringMonitor passes y=None)."""
    return 0.0


try:
    from sklearn.callback import ProgressBar, ScoringMonitor
except ImportError:  # scikit-learn < 1.9
    ScoringMonitor = None

needs_callbacks = pytest.mark.skipif(ScoringMonitor is None,
                                     reason="sklearn.callback is new in 1.9")


@pytest.mark.skipif(ScoringMonitor is not None, reason="scikit-learn >= 1.9")
@pytest.mark.parametrize("est", [case[0] for case in CASES], ids=IDS)
def test_no_set_callbacks_before_scikit_learn_1_9(est):
    assert not hasattr(est, "set_callbacks")


@needs_callbacks
@pytest.mark.parametrize("est, X, y, scoring", CASES, ids=IDS)
def test_scoring_monitor_logs_one_entry_per_epoch(est, X, y, scoring):
    monitor = ScoringMonitor(scoring=scoring or {"constant": _mean_score})
    est = fit_quietly(est.set_callbacks(monitor), X, y)
    epochs = est._train_state.n_iter
    rows = monitor.get_logs().data
    assert epochs >= 1 and len(rows) == epochs
    first = rows[0]["task_id"]  # a DBN's pre-training layers come first
    assert [row["task_id"] for row in rows] == list(range(first, first + epochs))
    assert {row["task_name"] for row in rows} == {"epoch"}
    if scoring is not None:
        scores = [row[scoring] for row in rows]
        assert all(np.isfinite(scores))
        if not getattr(est, "early_stopping", False):  # (that ends on the best)
            # the last entry scores the model as fitted
            assert scores[-1] == pytest.approx(est.score(X, y), abs=1e-9)


@needs_callbacks
@pytest.mark.parametrize("est, X, y, scoring", CASES, ids=IDS)
def test_progress_bar_runs(est, X, y, scoring, capsys):
    pytest.importorskip("rich")
    fit_quietly(est.set_callbacks(ProgressBar()), X, y)
    assert "100%" in capsys.readouterr().out


@needs_callbacks
def test_progress_bar_and_monitor_propagate_through_grid_search_and_pipeline(capsys):
    pytest.importorskip("rich")
    search = GridSearchCV(
        make_pipeline(MinMaxScaler(), MLPNet(max_iter=3, tol=None, random_state=0)),
        {"mlpnet__hidden_layer_sizes": [(8,), (16,)]}, cv=2,
    ).set_callbacks(ProgressBar(max_propagation_depth=None))
    fit_quietly(search, X, Y)
    out = capsys.readouterr().out
    assert "MLPNet" in out and "100%" in out
    baseline = GridSearchCV(
        make_pipeline(MinMaxScaler(), MLPNet(max_iter=3, tol=None, random_state=0)),
        {"mlpnet__hidden_layer_sizes": [(8,), (16,)]}, cv=2)
    assert fit_quietly(baseline, X, Y).best_params_ == search.best_params_
    np.testing.assert_array_equal(search.cv_results_["mean_test_score"],
                                  baseline.cv_results_["mean_test_score"])


@needs_callbacks
def test_progress_bar_follows_dbn_pretraining(capsys):
    pytest.importorskip("rich")
    dbn = DBNClassifier((16, 8), pretrain_n_iter=2, max_iter=2, random_state=0)
    fit_quietly(dbn.set_callbacks(ProgressBar(max_propagation_depth=None)), X, Y)
    out = capsys.readouterr().out
    assert out.count("RBMTransformer") == 2  # one bar per pre-trained layer
    assert all(not hasattr(rbm, "_callback_fit_ctx") and
               not hasattr(rbm, "_skl_callbacks") for rbm in dbn.rbms_)


@needs_callbacks
def test_scoring_monitor_on_the_final_step_of_a_pipeline():
    monitor = ScoringMonitor(scoring="accuracy")
    pipe = make_pipeline(MinMaxScaler(), MLPNet((8,), max_iter=3, tol=None,
                                                random_state=0).set_callbacks(monitor))
    fit_quietly(pipe, X, Y)
    assert len(monitor.get_logs().data) == 3


class _StopAfter:
    """A FitCallback that asks to stop after ``n`` epochs."""

    def __init__(self, n):
        self.n = n
        self.ended = 0

    def setup(self, estimator, context):
        self.ended = 0

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context):
        pass

    def on_fit_task_end(self, estimator, context):
        if context.task_name != "epoch":
            return False
        self.ended += 1
        return self.ended >= self.n


@needs_callbacks
@pytest.mark.parametrize("est, X, y, scoring", CASES, ids=IDS)
def test_a_callback_can_stop_training(est, X, y, scoring):
    est.set_params(**({"n_iter": 10} if isinstance(est, RBMTransformer)
                      else {"max_iter": 10}))
    if getattr(est, "solver", None) == "lbfgs":
        import scipy

        if tuple(int(v) for v in scipy.__version__.split(".")[:2]) < (1, 11):
            pytest.skip("SciPy < 1.11 cannot stop L-BFGS-B from its callback")
    fit_quietly(est.set_callbacks(_StopAfter(2)), X, y)
    assert est._train_state.n_iter == 2


@needs_callbacks
def test_callbacks_are_torn_down_when_fit_fails():
    monitor = ScoringMonitor(scoring="accuracy")
    est = MLPNet(max_iter=2).set_callbacks(monitor)
    with pytest.raises(ValueError):
        est.fit(X, Y[:10])
    assert not hasattr(est, "_callback_fit_ctx")
    assert est not in monitor._estimator_scorers
