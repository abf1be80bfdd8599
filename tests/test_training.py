"""The one training loop: interrupts, rollback, exact resume and divergence, for
every estimator (skdeep/_training.py)."""

import os
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.validation import check_is_fitted

import skdeep
from skdeep import (
    ConvNetClassifier,
    ConvNetRegressor,
    DBNClassifier,
    LinearUnitRegressor,
    MLPNet,
    MLPNetRegressor,
    PerceptronClassifier,
    RBMTransformer,
    RNNClassifier,
    RNNLanguageModel,
    _training,
)
from tests._support import fit_quietly

X_DIGITS, Y_DIGITS = load_digits(return_X_y=True)
X_DIGITS = X_DIGITS / 16
TEXT = ["the cat sat on the mat", "a dog ran in the park", "the end of it all"] * 30

CONV = [{"type": "conv", "sx": 3, "filters": 8, "pad": 1, "activation": "relu"},
        {"type": "pool", "sx": 2}]
# Each case: a factory of the estimator with its epoch budget, and its data.
# Budgets make one fit last a few tenths of a second on a 2-core machine.
CASES = {
    "MLPNet-adam-dropout": (
        lambda n: MLPNet((64,), dropout=0.2, max_iter=n, tol=None, random_state=0),
        X_DIGITS, Y_DIGITS, 30),
    "MLPNet-lbfgs": (
        lambda n: MLPNet((64,), solver="lbfgs", max_iter=n, tol=0.0, random_state=0),
        X_DIGITS, Y_DIGITS, 60),
    "MLPNet-early-stopping": (
        lambda n: MLPNet((64,), early_stopping=True, max_iter=n, tol=None,
                         random_state=0),
        X_DIGITS, Y_DIGITS, 30),
    "MLPNetRegressor": (
        lambda n: MLPNetRegressor((64,), max_iter=n, tol=None, random_state=0),
        X_DIGITS, Y_DIGITS.astype(float), 30),
    "LinearUnitRegressor": (
        lambda n: LinearUnitRegressor(max_iter=n, tol=None, batch_size=8,
                                      random_state=0),
        X_DIGITS, Y_DIGITS.astype(float), 60),
    "PerceptronClassifier": (
        lambda n: PerceptronClassifier(max_iter=n, tol=None, random_state=0),
        X_DIGITS, Y_DIGITS, 40),
    "ConvNetClassifier": (
        lambda n: ConvNetClassifier(CONV, max_iter=n, tol=None, random_state=0),
        X_DIGITS, Y_DIGITS, 12),
    "ConvNetRegressor": (
        lambda n: ConvNetRegressor(CONV, max_iter=n, tol=None, random_state=0),
        X_DIGITS, Y_DIGITS.astype(float), 12),
    "RBMTransformer": (
        lambda n: RBMTransformer(n_components=64, n_iter=n, random_state=0),
        X_DIGITS, None, 25),
    "DBNClassifier": (
        lambda n: DBNClassifier((32, 32), pretrain_n_iter=3, max_iter=n, tol=None,
                                random_state=0),
        X_DIGITS, Y_DIGITS, 40),
    "RNNLanguageModel": (
        lambda n: RNNLanguageModel(hidden_size=32, bptt=16, batch_size=8,
                                   max_iter=n, tol=None, random_state=0),
        TEXT, None, 20),
    "RNNClassifier": (
        lambda n: RNNClassifier(hidden_size=16, bidirectional=True, max_iter=n,
                                tol=None, random_state=0),
        X_DIGITS.reshape(-1, 8, 8), Y_DIGITS, 20),
}



def _epochs_done(est):
    if isinstance(est, RBMTransformer):
        return est._train_state.n_iter
    return est.n_iter_


def _weights(est):
    if isinstance(est, PerceptronClassifier):
        return [est.coef_, est.intercept_]
    if isinstance(est, RBMTransformer):
        return [est.components_, est.intercept_hidden_, est.intercept_visible_]
    return est._network.param_arrays()


def _assert_same_model(a, b):
    wa, wb = _weights(a), _weights(b)
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        np.testing.assert_array_equal(x, y)


class _EpochClock:
    """Records when each epoch of any loop has completed (its rollback point set)."""

    def __init__(self, monkeypatch):
        self.completed_at = []
        real = _training.EpochLoop.end_epoch
        clock = self

        def end_epoch(loop, loss, n_seen):
            stop = real(loop, loss, n_seen)
            clock.completed_at.append(time.perf_counter())
            return stop

        monkeypatch.setattr(_training.EpochLoop, "end_epoch", end_epoch)


def _fit_with_sigint_after(est, X, y, delay):
    """Fit while a real SIGINT is sent to this process after ``delay`` seconds.

    Returns ``(outcome, sent_at)``: outcome is ``'returned'`` or ``'raised'``;
    ``sent_at`` is ``None`` when the signal was not sent during the fit.
    """
    sent = []
    fitting = threading.Event()
    fitting.set()

    def interrupt():
        if fitting.is_set():
            sent.append(time.perf_counter())
            os.kill(os.getpid(), signal.SIGINT)

    timer = threading.Timer(delay, interrupt)
    outcome = None
    try:
        timer.start()
        try:
            fit_quietly(est, X, y)
            outcome = "returned"
        except KeyboardInterrupt:
            outcome = "raised"
        finally:
            fitting.clear()
            timer.cancel()
            timer.join()
            time.sleep(0.01)  # a signal sent just now is handled here
    except KeyboardInterrupt:  # it landed after fit returned: nothing to learn
        return outcome, None
    return outcome, (sent[0] if sent else None)


needs_sigint = pytest.mark.skipif(
    sys.platform == "win32" or threading.current_thread() is not
    threading.main_thread(), reason="real SIGINT delivery needs POSIX, main thread")


@pytest.fixture
def python_sigint_handler():
    """Python's own SIGINT handler, even where the test run inherited SIG_IGN
    (a background job of a non-interactive shell does)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


@needs_sigint
@pytest.mark.parametrize("name", sorted(CASES))
def test_sigint_at_random_moments_keeps_the_last_completed_epoch(
        name, monkeypatch, python_sigint_handler):
    make, X, y, n_epochs = CASES[name]
    clock = _EpochClock(monkeypatch)
    start = time.perf_counter()
    fit_quietly(make(n_epochs), X, y)
    duration = time.perf_counter() - start
    rng = np.random.default_rng(0)
    kept = 0
    for delay in rng.uniform(0.02, 0.9 * duration, size=6):
        clock.completed_at.clear()
        est = make(n_epochs)
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            outcome, sent_at = _fit_with_sigint_after(est, X, y, delay)
        if sent_at is None:
            continue
        try:
            check_is_fitted(est)
        except NotFittedError:
            assert outcome == "raised"
            # no epoch (of any loop, DBN pre-training included) had completed
            assert not [t for t in clock.completed_at if t < sent_at], name
            continue
        kept += 1
        done = _epochs_done(est)
        for w in _weights(est):
            assert np.isfinite(w).all()
        if isinstance(est, DBNClassifier) and done == 0:
            continue  # interrupted in pre-training: the layers so far are kept
        # the kept model is exactly that epoch's: an uninterrupted fit of `done`
        _assert_same_model(est, fit_quietly(make(done), X, y))
        if name in RESUMABLE and done < n_epochs:
            # and a warm fit of the remaining epochs ends where the full fit does
            est.set_params(warm_start=True, max_iter=n_epochs - done)
            _assert_same_model(fit_quietly(est, X, y), fit_quietly(make(n_epochs), X, y))
    assert kept or duration < 0.05  # the delays reach past the first epoch


# Exact resume: warm fits continue every stream and the optimizer (not lbfgs,
# whose SciPy memory restarts; not early stopping, which ends on its best weights).
RESUMABLE = {"MLPNet-adam-dropout", "MLPNetRegressor", "LinearUnitRegressor",
             "PerceptronClassifier", "ConvNetClassifier", "ConvNetRegressor",
             "DBNClassifier", "RNNLanguageModel"}


def test_interrupted_fit_plus_warm_fit_of_the_rest_is_bit_identical(monkeypatch):
    # MLPNet with shuffling and dropout: weights, shuffle and dropout streams and
    # Adam's moments all roll back to the end of epoch 2.
    params = dict(hidden_layer_sizes=(32,), dropout=0.3, shuffle=True, max_iter=6,
                  tol=None, random_state=0)
    full = MLPNet(**params).fit(X_DIGITS, Y_DIGITS)
    calls = {"n": 0}
    real_step = MLPNet._step

    def interrupt_in_epoch_3(self, *args):
        calls["n"] += 1
        if calls["n"] == 2 * 9 + 4:  # 9 batches of 200 per epoch
            raise KeyboardInterrupt
        return real_step(self, *args)

    monkeypatch.setattr(MLPNet, "_step", interrupt_in_epoch_3)
    part = MLPNet(warm_start=True, **params)
    with pytest.warns(UserWarning, match="interrupted"):
        part.fit(X_DIGITS, Y_DIGITS)
    assert part.n_iter_ == 2
    monkeypatch.setattr(MLPNet, "_step", real_step)
    part.set_params(max_iter=4).fit(X_DIGITS, Y_DIGITS)
    assert part.n_iter_ == 4 and part._train_state.n_iter == 6
    _assert_same_model(part, full)
    assert part.loss_curve_ == full.loss_curve_


@pytest.mark.parametrize("where", ["validation", "callback-free bookkeeping"])
def test_interrupt_between_epochs_keeps_the_previous_epoch(where, monkeypatch):
    params = dict(hidden_layer_sizes=(16,), early_stopping=True, max_iter=8,
                  tol=None, random_state=0)
    calls = {"n": 0}
    if where == "validation":
        target, attribute = MLPNet, "_validation_score"
    else:
        target, attribute = _training.TrainState, "snapshot"
    real = getattr(target, attribute)

    def interrupt_third(*args, **kwargs):
        calls["n"] += 1
        limit = 3 if where == "validation" else 4  # __enter__ snapshots first
        if calls["n"] == limit:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(target, attribute, interrupt_third)
    with pytest.warns(UserWarning, match="interrupted"):
        clf = MLPNet(**params).fit(X_DIGITS, Y_DIGITS)
    monkeypatch.setattr(target, attribute, real)
    assert clf.n_iter_ == 2 and len(clf.validation_scores_) == 2
    _assert_same_model(clf, MLPNet(**{**params, "max_iter": 2}).fit(X_DIGITS,
                                                                    Y_DIGITS))


def test_interrupt_before_any_epoch_leaves_a_fitted_model_unchanged(monkeypatch):
    clf = MLPNet((16,), max_iter=3, random_state=0, warm_start=True)
    fit_quietly(clf, X_DIGITS, Y_DIGITS)
    before = [w.copy() for w in _weights(clf)]
    n_iter, rng_state = clf.n_iter_, clf._train_state.shuffle_rng.bit_generator.state

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(MLPNet, "_step", interrupt)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X_DIGITS, Y_DIGITS)
    assert clf.n_iter_ == n_iter
    assert clf._train_state.shuffle_rng.bit_generator.state == rng_state
    for a, b in zip(before, _weights(clf)):
        np.testing.assert_array_equal(a, b)


def test_dbn_interrupted_in_fine_tuning_keeps_the_pretrained_layers(monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(DBNClassifier, "_step", interrupt)
    with pytest.warns(UserWarning, match="interrupted"):
        dbn = DBNClassifier((16,), pretrain_n_iter=2, max_iter=5,
                            random_state=0).fit(X_DIGITS, Y_DIGITS)
    assert dbn.n_iter_ == 0 and len(dbn.rbms_) == 1
    np.testing.assert_array_equal(dbn.coefs_[0], dbn.rbms_[0].components_.T)


# --------------------------------------------------------------- divergence
AND_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
AND_Y = np.array([0, 0, 0, 1])


def test_perceptron_divergence_keeps_the_last_finite_epoch():
    # With eta0=1e308 the first epoch's single update is finite and the second
    # epoch overflows.
    with pytest.warns(ConvergenceWarning, match="diverged.*eta0"):
        clf = PerceptronClassifier(eta0=1e308, shuffle=False, random_state=0).fit(
            AND_X, AND_Y)
    assert clf.n_iter_ == 1 and np.isfinite(clf.coef_).all()
    np.testing.assert_array_equal(clf.coef_, [[1e308, 1e308]])


def test_perceptron_divergence_in_the_first_epoch_raises_and_changes_nothing():
    with pytest.raises(ValueError, match="non-finite parameter weights.*eta0"):
        PerceptronClassifier(eta0=1e308).fit(X_DIGITS, Y_DIGITS)
    clf = PerceptronClassifier(max_iter=2, random_state=0).fit(X_DIGITS, Y_DIGITS)
    coef = clf.coef_.copy()
    with pytest.raises(ValueError, match="non-finite"):
        clf.set_params(eta0=1e308, warm_start=True).fit(X_DIGITS * 100, Y_DIGITS)
    np.testing.assert_array_equal(clf.coef_, coef)


def test_perceptron_refuses_a_non_finite_class_weight():
    with pytest.raises(ValueError, match=r"class_weight\[0\]"):
        PerceptronClassifier(class_weight={0: np.nan}).fit(AND_X, AND_Y)


def test_exploding_rbm_warns_and_keeps_finite_weights():
    with pytest.warns(ConvergenceWarning, match="rose from .* learning_rate"):
        rbm = RBMTransformer(n_components=32, learning_rate=1e30, n_iter=5,
                             random_state=0).fit(X_DIGITS)
    assert np.isfinite(rbm.components_).all()


def test_rbm_whose_weights_overflow_later_keeps_the_last_finite_pass(monkeypatch):
    real = RBMTransformer._monitor_loss
    calls = {"n": 0}

    def overflow_in_pass_3(self, rbm, rows, n_iter):
        calls["n"] += 1
        if calls["n"] == 4:  # initial loss, passes 1 and 2, then pass 3
            rbm.packed[0, 0] = np.inf
        return real(self, rbm, rows, n_iter)

    monkeypatch.setattr(RBMTransformer, "_monitor_loss", overflow_in_pass_3)
    with pytest.warns(ConvergenceWarning, match="diverged.*epoch 3"):
        rbm = RBMTransformer(n_components=16, n_iter=5, random_state=0).fit(X_DIGITS)
    monkeypatch.setattr(RBMTransformer, "_monitor_loss", real)
    assert rbm._train_state.n_iter == 2
    _assert_same_model(rbm, RBMTransformer(n_components=16, n_iter=2,
                                           random_state=0).fit(X_DIGITS))


# --------------------------------------------------------------- structure
def test_every_iterative_fit_runs_through_the_one_loop(monkeypatch):
    seen = []
    real = _training.EpochLoop.__enter__

    def enter(loop):
        seen.append(True)
        return real(loop)

    monkeypatch.setattr(_training.EpochLoop, "__enter__", enter)
    for name, (make, X, y, _) in sorted(CASES.items()):
        seen.clear()
        fit_quietly(make(1), X, y)
        assert seen, f"{name} did not train through skdeep._training"


def test_no_module_of_the_package_is_over_600_lines():
    root = Path(skdeep.__file__).parent
    long = {p.name: n for p in root.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert not long


def test_interrupt_after_the_commit_keeps_the_fitted_model(monkeypatch):
    real = MLPNet._train

    def train_then_interrupt(self, *args, **kwargs):
        real(self, *args, **kwargs)
        raise KeyboardInterrupt  # as if Ctrl-C came right after the last epoch

    monkeypatch.setattr(MLPNet, "_train", train_then_interrupt)
    with pytest.warns(UserWarning, match="as the fit ended; the model is kept"):
        clf = fit_quietly(MLPNet((8,), max_iter=3, random_state=0), X_DIGITS,
                          Y_DIGITS)
    monkeypatch.setattr(MLPNet, "_train", real)
    _assert_same_model(clf, fit_quietly(MLPNet((8,), max_iter=3, random_state=0),
                                        X_DIGITS, Y_DIGITS))


@pytest.mark.parametrize("where", ["between layers", "before fine-tuning"])
def test_dbn_interrupted_around_pretraining_keeps_the_pretrained_layers(
        where, monkeypatch):
    from skdeep.nn.rbm import RBM

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    if where == "between layers":  # layer 1's features for layer 2
        monkeypatch.setattr(RBM, "hidden_mean", interrupt)
        kept = 1
    else:
        monkeypatch.setattr(DBNClassifier, "_training_data", interrupt)
        kept = 2
    with pytest.warns(UserWarning, match="interrupted"):
        dbn = DBNClassifier((16, 8), pretrain_n_iter=2, max_iter=5,
                            random_state=0).fit(X_DIGITS, Y_DIGITS)
    assert dbn.n_iter_ == 0 and len(dbn.rbms_) == kept
    for coef, rbm in zip(dbn.coefs_, dbn.rbms_):
        np.testing.assert_array_equal(coef, rbm.components_.T)


def test_interrupt_right_after_a_dbn_layer_stops_the_dbn(monkeypatch):
    # the RBM keeps its committed model and passes the interrupt on: the DBN
    # stops pre-training there instead of swallowing the user's Ctrl-C
    real = RBMTransformer._train

    def train_then_interrupt(self, *args, **kwargs):
        real(self, *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(RBMTransformer, "_train", train_then_interrupt)
    with pytest.warns(UserWarning, match="Pre-training interrupted"):
        dbn = DBNClassifier((16, 8), pretrain_n_iter=2, max_iter=5,
                            random_state=0).fit(X_DIGITS, Y_DIGITS)
    assert dbn.n_iter_ == 0 and len(dbn.rbms_) == 1
    np.testing.assert_array_equal(dbn.coefs_[0], dbn.rbms_[0].components_.T)
