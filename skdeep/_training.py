"""The one training loop: :class:`TrainState` and :func:`run_epochs`.

Every iterative fit in the package runs through this module: the networks'
minibatch epochs, ``solver='lbfgs'`` (one L-BFGS iteration is one epoch), the
perceptron's online passes, RBM contrastive-divergence passes (each DBN
pre-training layer is one), the DBN's fine-tuning and the language model's BPTT
windows. An estimator supplies what differs, one epoch (its batches and its
step); what happens between epochs is written once, here:

* the divergence guard: non-finite loss or weights roll back to the last
  finite epoch with a :class:`~sklearn.exceptions.ConvergenceWarning`, or raise
  scikit-learn's non-finite-weights ``ValueError`` when no epoch finished;
* interrupts: ``KeyboardInterrupt`` anywhere in an epoch (or in the scoring,
  bookkeeping and callbacks between epochs) rolls the weights, random streams,
  optimizer and counters back to the last completed epoch and keeps that
  model with a warning, so that a warm fit of the remaining epochs equals an
  uninterrupted fit bit for bit; before any epoch completes it propagates,
  and the estimator is left as it was;
* scikit-learn's ``n_iter_no_change`` / ``tol`` rule, early stopping on a
  validation score with the best weights restored, the ``'adaptive'``
  learning-rate schedule;
* ``verbose`` progress lines;
* ``sklearn.callback`` (scikit-learn >= 1.9): one callback subtask per epoch,
  through the fit's :class:`~skdeep._callbacks.FitCallbacks`.
"""

from __future__ import annotations

import contextlib
import copy
import signal
import threading
import time
import warnings
from dataclasses import dataclass, field, fields
from typing import Optional

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._validation import mark_committed

__all__ = [
    "Diverged",
    "EpochLoop",
    "Stopping",
    "TrainState",
    "deferred_interrupts",
    "non_finite_message",
    "run_epochs",
]


def non_finite_message(hint):
    """scikit-learn's message for a fit whose weights became non-finite."""
    return (
        "Solver produced non-finite parameter weights. The input data may contain "
        f"large values and need to be preprocessed, or {hint}"
    )


class Diverged(Exception):
    """Raised inside an epoch when its loss or its weights stop being finite."""


def _copy_generator(generator, memo):
    """A copy of a ``numpy.random.Generator`` through a deepcopy ``memo``.

    Setting a new bit generator's state is several times faster than the
    generic deepcopy (which pickles), and ``memo`` keeps one copy per original,
    so objects that shared a generator share its copy.
    """
    if id(generator) not in memo:
        bits = type(generator.bit_generator)()
        bits.state = generator.bit_generator.state
        memo[id(generator)] = np.random.Generator(bits)
    return memo[id(generator)]


@dataclass(eq=False)
class TrainState:
    """Everything a fit carries between epochs and between calls.

    It is what exact resume keeps (``warm_start``, ``partial_fit``) and what an
    interrupt or a divergence rolls back to, together with the weights.

    Attributes
    ----------
    init_rng, shuffle_rng, dropout_rng : numpy.random.Generator
        Independent random streams: initial weights, batch order, and dropout
        masks or Gibbs samples. Layers hold references to them, so they are
        rolled back in place.
    split_seed : int
        Seed of the validation split.
    optimizer : skdeep.nn.optimizers.Optimizer or None
        The optimizer with its moments, step count and current rate.
    n_iter : int
        Epochs completed over all calls.
    t : int
        Training samples (or tokens) seen over all calls.
    loss, initial_loss : float or None
        Last epoch's mean loss; the loss of the first batch before any update.
    loss_curve, validation_scores, validation_loss_curve : list of float
        One entry per completed epoch.
    best_loss, best_validation_score : float
        Best values so far (scikit-learn's stopping rule).
    no_improvement_count : int
        Epochs since the last improvement.
    best_params : list of ndarray or None
        Weights of the best validation score (early stopping); replaced, never
        modified in place.
    averaged_params : list of ndarray or None
        Running mean of the weights at the ends of epochs, for a model that
        predicts with averaged weights; replaced, never modified in place.
    n_averaged : int
        Epochs in that mean.
    """

    init_rng: np.random.Generator
    shuffle_rng: np.random.Generator
    dropout_rng: np.random.Generator
    split_seed: int = 0
    optimizer: object = None
    n_iter: int = 0
    t: int = 0
    loss: Optional[float] = None
    initial_loss: Optional[float] = None
    loss_curve: list = field(default_factory=list)
    validation_scores: list = field(default_factory=list)
    validation_loss_curve: list = field(default_factory=list)
    best_loss: float = np.inf
    best_validation_score: float = -np.inf
    no_improvement_count: int = 0
    best_params: Optional[list] = None
    averaged_params: Optional[list] = None
    n_averaged: int = 0

    def average_params(self, params):
        """Add the current weights to :attr:`averaged_params` (a new list).

        Parameters
        ----------
        params : list of ndarray
            The live weights.
        """
        n = self.n_averaged + 1
        previous = self.averaged_params
        self.averaged_params = ([p.copy() for p in params] if previous is None
                                else [a + (p - a) / n for a, p in zip(previous, params)])
        self.n_averaged = n

    @classmethod
    def from_random_state(cls, random_state, optimizer=None):
        """Fresh state whose streams fan out of one seed drawn from ``random_state``.

        Parameters
        ----------
        random_state : int, RandomState instance or None
            The estimator's ``random_state``.
        optimizer : Optimizer or None, default=None
            The optimizer to train with.

        Returns
        -------
        TrainState
        """
        seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
        init, shuffle, dropout, split = np.random.SeedSequence(seed).spawn(4)
        return cls(
            init_rng=np.random.default_rng(init),
            shuffle_rng=np.random.default_rng(shuffle),
            dropout_rng=np.random.default_rng(dropout),
            split_seed=int(split.generate_state(1)[0]),
            optimizer=optimizer,
        )

    _CURVES = ("loss_curve", "validation_scores", "validation_loss_curve")

    def _generators(self):
        return (self.init_rng, self.shuffle_rng, self.dropout_rng)

    def __deepcopy__(self, memo):
        # Curves hold floats: a list copy is enough, and it is O(1) Python calls
        # (a generic deepcopy visits every entry, which made each partial_fit
        # slower than the one before). ``best_params`` and ``averaged_params``
        # are replaced, never modified, so they are shared. Generators and the
        # optimizer go through ``memo``: layers deep-copied with the state keep
        # sharing them.
        new = copy.copy(self)
        memo[id(self)] = new
        for name in ("init_rng", "shuffle_rng", "dropout_rng"):
            setattr(new, name, _copy_generator(getattr(self, name), memo))
        new.optimizer = copy.deepcopy(self.optimizer, memo)
        for name in self._CURVES:
            setattr(new, name, list(getattr(self, name)))
        return new

    def snapshot(self, params, reuse=None):
        """A rollback point: copies of ``params``, the counters and the streams.

        Parameters
        ----------
        params : list of ndarray
            The live arrays that training updates in place.
        reuse : tuple or None
            An older snapshot of the same training, overwritten in place: the
            copies of the weights and of the optimizer's state take no new
            memory (two snapshots alive at once would cost two model copies).
            The caller holds Ctrl-C meanwhile, since a half-written snapshot
            restores nothing coherent.

        Returns
        -------
        tuple
            Opaque; pass it to :meth:`restore`.
        """
        saved = copy.copy(self)
        if reuse is None:
            saved.optimizer = copy.deepcopy(self.optimizer)
            arrays = [p.copy() for p in params]
        else:
            old, arrays, _ = reuse
            saved.optimizer = _copy_optimizer(self.optimizer, old.optimizer)
            for a, p in zip(arrays, params):
                np.copyto(a, p)
        for name in self._CURVES:
            setattr(saved, name, list(getattr(self, name)))
        streams = [g.bit_generator.state for g in self._generators()]
        return saved, arrays, streams

    def restore(self, snapshot, params):
        """Roll this state and ``params`` back to ``snapshot``, in place.

        Parameters
        ----------
        snapshot : tuple
            From :meth:`snapshot`.
        params : list of ndarray
            The live arrays given to :meth:`snapshot`.
        """
        saved, arrays, streams = snapshot
        for p, a in zip(params, arrays):
            p[...] = a
        # the generators are shared with layers: rewind them, do not replace them
        for g, s in zip(self._generators(), streams):
            g.bit_generator.state = s
        for f in fields(self):
            if not f.name.endswith("_rng"):
                setattr(self, f.name, getattr(saved, f.name))
        self.optimizer = copy.deepcopy(saved.optimizer)
        for name in self._CURVES:
            setattr(self, name, list(getattr(saved, name)))


@dataclass
class Stopping:
    """scikit-learn's "no improvement for ``n_iter_no_change`` epochs" rule.

    Attributes
    ----------
    tol : float or None
        Improvement below which an epoch counts as none; ``None`` disables the rule.
    patience : int
        Epochs without improvement tolerated; training stops on the next one
        (scikit-learn's MLP: ``n_iter_no_change``; its SGD models:
        ``n_iter_no_change - 1``).
    on_validation : bool
        Watch the validation score (early stopping) instead of the training loss.
    restore_best : bool
        With ``on_validation``, end with the weights of the best validation score.
    stop_at_zero_loss : bool
        A zero training loss ends training (the perceptron made no mistake).
    """

    tol: Optional[float]
    patience: int
    on_validation: bool = False
    restore_best: bool = True
    stop_at_zero_loss: bool = False


@contextlib.contextmanager
def deferred_interrupts():
    """Hold Ctrl-C (SIGINT) until the block ends; yield a list that records it.

    Only in the main thread and while Python's default handler is installed;
    elsewhere the block runs as is (no signal reaches other threads, and a
    custom handler is the application's business).
    """
    received = []
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield received
        return
    previous = signal.signal(signal.SIGINT,
                             lambda signum, frame: received.append(signum))
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)


def _copy_optimizer(optimizer, into):
    """A copy of ``optimizer`` that takes over ``into``'s state arrays (an older
    copy of the same optimizer), overwritten in place."""
    if (optimizer is None or into is None or optimizer.state_ is None
            or into.state_ is None or len(into.state_) != len(optimizer.state_)):
        return copy.deepcopy(optimizer)
    new = copy.copy(optimizer)  # numbers and strings, then the arrays
    new.state_ = into.state_
    for source, target in zip(optimizer.state_, new.state_):
        for a, b in zip(source if isinstance(source, tuple) else (source,),
                        target if isinstance(target, tuple) else (target,)):
            np.copyto(b, a)
    return new


def _all_finite(arrays):
    return all(np.isfinite(a).all() for a in arrays)


class EpochLoop:
    """The bookkeeping around epochs; :func:`run_epochs` drives it.

    Used as a context manager around the epochs, it turns divergence and
    interrupts into rollbacks and calls ``finish`` once, with Ctrl-C held. A
    solver that drives its own iterations (SciPy's L-BFGS) calls
    :meth:`end_epoch` from its per-iteration callback inside the same block.

    Parameters
    ----------
    state : TrainState
        Counters, curves, streams and optimizer; updated in place.
    params : list of ndarray
        The live arrays training updates in place (weights, and any array the
        epochs carry, such as a persistent Gibbs chain).
    max_epochs : int
        Epochs of this call.
    stopping : Stopping or None
        When to stop before ``max_epochs``.
    evaluate : callable or None
        ``evaluate() -> (score, loss)`` on held-out data (higher score is better).
    verbose : int
        Print one line per epoch when positive.
    describe : callable or None
        ``describe(state) -> str`` replaces the default progress line's text.
    callbacks : FitCallbacks or None
        The fit's ``sklearn.callback`` context.
    fitted_attributes : callable or None
        ``fitted_attributes() -> dict``: the attributes that make the estimator
        ready to predict as of now (for callbacks and for ``finish``).
    finish : callable or None
        ``finish(reason)``: commit the model; runs with Ctrl-C held.
    hint : str
        What to try after a divergence, e.g. ``"try a smaller learning_rate_init
        (now 10.0)."``.
    max_iter_warning : str or None
        ``ConvergenceWarning`` message when all ``max_epochs`` ran without stopping.
    keep_initial : bool, default=False
        The model before the first epoch is already worth keeping (a DBN's
        pre-trained layers): Ctrl-C before an epoch completes keeps it too,
        instead of propagating.
    """

    def __init__(self, state, params, *, max_epochs, stopping=None, evaluate=None,
                 verbose=0, describe=None, callbacks=None, fitted_attributes=None,
                 finish=None, hint="", max_iter_warning=None, keep_initial=False):
        self.state, self.params = state, params
        self.max_epochs = max_epochs
        self.stopping, self.evaluate = stopping, evaluate
        self.verbose, self.describe = verbose, describe
        self.callbacks = callbacks
        self.fitted_attributes = fitted_attributes
        self.finish, self.hint = finish, hint
        self.max_iter_warning = max_iter_warning
        self.keep_initial = keep_initial
        self.completed = 0
        self.reason = None
        self._start = None

    # ------------------------------------------------------------ epochs
    def epochs(self):
        """Yield once per epoch to run, until a stop or ``max_epochs``."""
        while self.reason is None and self.completed < self.max_epochs:
            if self.callbacks is not None:
                self.callbacks.epoch_begin()
            self._start = time.perf_counter()
            yield self.completed
        if self.reason is None:
            self.reason = "max_iter"

    def end_epoch(self, loss, n_seen):
        """Book a completed epoch; return whether training should stop.

        Parameters
        ----------
        loss : float
            The epoch's mean training loss.
        n_seen : int
            Samples (or tokens) it trained on.

        Returns
        -------
        bool
        """
        state = self.state
        loss = float(loss)
        if not (np.isfinite(loss) and _all_finite(self.params)):
            raise Diverged
        seconds = time.perf_counter() - self._start
        state.n_iter += 1
        state.t += int(n_seen)
        state.loss = loss
        state.loss_curve.append(loss)
        if self.evaluate is not None:
            score, val_loss = self.evaluate()
            state.validation_scores.append(float(score))
            state.validation_loss_curve.append(float(val_loss))
        if state.optimizer is not None:
            state.optimizer.iteration_ends(state.t)
        if self.verbose:
            self._print_progress(seconds)
        stop = self._apply_stopping_rule()
        if self.callbacks is not None and self.callbacks.epoch_end(
                self.fitted_attributes):
            stop = True
            self.reason = "callback"
        # the epoch is complete: from here on an interrupt keeps it
        with deferred_interrupts() as received:
            self._snapshot = state.snapshot(self.params, reuse=self._snapshot)
            self.completed += 1
        if received:
            raise KeyboardInterrupt
        self._start = time.perf_counter()
        if stop and self.reason is None:
            self.reason = "converged"
        return stop

    def _print_progress(self, seconds):
        state = self.state
        if self.describe is not None:
            text = self.describe(state)
        else:
            text = f"Iteration {state.n_iter}, loss = {state.loss:.8f}"
            if self.evaluate is not None:
                text += f", validation score = {state.validation_scores[-1]:.6f}"
        print(f"{text}, time = {seconds:.2f}s")  # BernoulliRBM's words

    def _apply_stopping_rule(self):
        state, rule = self.state, self.stopping
        if rule is None:
            return False
        if rule.stop_at_zero_loss and state.loss == 0:
            return True
        improved_best = False
        if rule.on_validation:
            score = state.validation_scores[-1]
            if rule.tol is not None:
                if score < state.best_validation_score + rule.tol:
                    state.no_improvement_count += 1
                else:
                    state.no_improvement_count = 0
            if score > state.best_validation_score:
                state.best_validation_score = score
                improved_best = True
        elif rule.tol is not None:
            if state.loss > state.best_loss - rule.tol:
                state.no_improvement_count += 1
            else:
                state.no_improvement_count = 0
            state.best_loss = min(state.best_loss, state.loss)
        if improved_best and rule.restore_best:
            state.best_params = [p.copy() for p in self.params]
        if rule.tol is None or state.no_improvement_count <= rule.patience:
            return False
        what = "Validation score" if rule.on_validation else "Training loss"
        message = (f"{what} did not improve more than tol={rule.tol} for "
                   f"{rule.patience} consecutive epochs.")
        state.no_improvement_count = 0
        if state.optimizer is None:
            if self.verbose:
                print(message + " Stopping.")
            return True
        return state.optimizer.trigger_stopping(message, self.verbose)

    # ------------------------------------------------------------ guard
    def __enter__(self):
        self._snapshot = self.state.snapshot(self.params)
        self._start = time.perf_counter()
        return self

    def __exit__(self, kind, error, traceback):
        state = self.state
        if kind is None:
            if self.reason is None:
                self.reason = "max_iter"
        elif issubclass(kind, Diverged):
            state.restore(self._snapshot, self.params)
            if self.completed == 0:  # nothing finished in this call: change nothing
                raise ValueError(non_finite_message(self.hint)) from None
            warnings.warn(
                "Training diverged (the loss or the weights became non-finite) in "
                f"epoch {state.n_iter + 1}; keeping the weights of epoch "
                f"{state.n_iter}; {self.hint}", ConvergenceWarning,
            )
            self.reason = "diverged"
        elif issubclass(kind, KeyboardInterrupt):
            state.restore(self._snapshot, self.params)
            if self.completed == 0 and not self.keep_initial:
                return False  # propagate: the estimator stays as it was
            warnings.warn(
                "Training interrupted by the user; keeping the model of epoch "
                f"{state.n_iter}.", UserWarning,
            )
            self.reason = "interrupted"
        else:
            return False
        with deferred_interrupts() as received:
            rule = self.stopping
            # however it ends (an interrupt included, so that it equals a fit of
            # that many epochs), early stopping ends on its best weights
            if (rule is not None and rule.on_validation and rule.restore_best
                    and state.best_params is not None):
                for p, best in zip(self.params, state.best_params):
                    p[...] = best
            if self.finish is not None:
                self.finish(self.reason)
                mark_committed()
            self._warn_at_the_end()
        if received:
            warnings.warn(
                "Training interrupted by the user as it ended; the model of epoch "
                f"{state.n_iter} is kept.", UserWarning,
            )
        return True

    def _warn_at_the_end(self):
        state = self.state
        if self.reason == "max_iter" and self.max_iter_warning:
            warnings.warn(self.max_iter_warning, ConvergenceWarning)
        initial, curve = state.initial_loss, state.loss_curve
        # Weights can stay finite while the loss explodes (a saturated softmax
        # with a huge step): say so instead of returning a useless model.
        if initial is not None and curve and curve[-1] > 10 * initial + 1e-12:
            warnings.warn(
                f"Training loss rose from {initial:.4g} before the first update to "
                f"{curve[-1]:.4g}: the optimization diverged; {self.hint}",
                ConvergenceWarning,
            )


def run_epochs(state, params, epoch, **options):
    """Run the epochs of one ``fit`` / ``partial_fit`` call.

    Parameters
    ----------
    state : TrainState
        Updated in place.
    params : list of ndarray
        Live arrays that ``epoch`` updates in place.
    epoch : callable
        ``epoch(state) -> (mean_loss, n_seen)``: one pass over the batches,
        one step each. It may raise :class:`Diverged`.
    **options
        The keyword arguments of :class:`EpochLoop`.

    Returns
    -------
    str
        Why training stopped: ``'max_iter'``, ``'converged'``, ``'callback'``,
        ``'diverged'`` or ``'interrupted'``.
    """
    loop = EpochLoop(state, params, **options)
    with loop:
        for _ in loop.epochs():
            loop.end_epoch(*epoch(state))
    return loop.reason
