"""PerceptronClassifier: Rosenblatt's perceptron ("deep learning from zero", part 1)."""

import copy
import numbers

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._callbacks import CallbackSupportMixin, FitCallbacks, with_callbacks
from ._training import (
    Stopping,
    TrainState,
    run_epochs,
)
from ._validation import (
    check_bool,
    check_choice,
    check_number,
    check_sample_weight,
    unchanged_on_failure,
)

__all__ = ["PerceptronClassifier"]


class PerceptronClassifier(CallbackSupportMixin, ClassifierMixin, BaseEstimator):
    """Rosenblatt perceptron: step activation and the perceptron learning rule.

    Weights start at zero and are updated online, sample by sample:
    ``w ← w + η (t − y) x``, ``b ← b + η (t − y)`` with ``y = 1 if w·x + b > 0
    else 0``. Several classes are handled one-vs-rest, all binary perceptrons
    seeing the samples in the same order. Parameter names follow
    :class:`sklearn.linear_model.Perceptron`.

    Parameters
    ----------
    penalty : {'l2', 'l1', 'elasticnet'} or None, default=None
        Weight decay applied at every update.
    alpha : float, default=0.0001
        Strength of the penalty.
    l1_ratio : float, default=0.15
        L1 share of ``'elasticnet'``.
    fit_intercept : bool, default=True
        Whether to learn the bias.
    max_iter : int, default=1000
        Maximum number of epochs.
    tol : float or None, default=1e-3
        Training stops when an epoch makes no mistakes, or when the fraction of
        mistakes (or the validation accuracy with early stopping) improves by less
        than ``tol`` for ``n_iter_no_change`` epochs. ``None`` runs ``max_iter``
        epochs.
    shuffle : bool, default=True
        Shuffle the samples every epoch.
    verbose : int, default=0
        Print one line per epoch.
    eta0 : float, default=1.0
        Learning rate ``η``. From zero initial weights the decisions do not depend
        on it (without penalty).
    n_jobs : int or None, default=None
        Accepted for code written for scikit-learn's ``Perceptron``, where it
        fits the one-vs-rest classifiers in parallel. Here every class's row of
        ``coef_`` is updated in the same vectorised step of the online rule, so
        there is nothing to run in parallel and the value has no effect (it is
        checked: ``None`` or a non-zero int).
    random_state : int, RandomState instance or None, default=0
        Seeds the shuffling and the validation split; ``0`` by default, as
        scikit-learn's ``Perceptron`` (``None`` draws a new order each fit).
    early_stopping : bool, default=False
        Stop on the accuracy of a held-out ``validation_fraction``.
    validation_fraction : float, default=0.1
        Held-out fraction for early stopping.
    n_iter_no_change : int, default=5
        Epochs without improvement before stopping.
    class_weight : dict, 'balanced' or None, default=None
        Multiplies the update of each sample by the weight of its class.
    warm_start : bool, default=False
        Continue from the previous solution.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    coef_ : ndarray of shape (1, n_features) or (n_classes, n_features)
        Weights.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Biases.
    n_iter_ : int
        Epochs run by the last ``fit`` or ``partial_fit`` call.
    t_ : int
        Updates considered (samples seen).
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Input feature names, when given.

    See Also
    --------
    sklearn.linear_model.Perceptron : The perceptron of scikit-learn (SGD-based).

    Notes
    -----
    Seed 004 part 1. The perceptron converges on linearly separable data and
    cannot learn XOR, which is not.

    Examples
    --------
    >>> from skdeep import PerceptronClassifier
    >>> X = [[1, 1], [0, 0], [1, 0], [0, 1]]
    >>> clf = PerceptronClassifier(eta0=0.1, max_iter=10, tol=None, shuffle=False)
    >>> clf.fit(X, [1, 0, 0, 0]).predict(X)
    array([1, 0, 0, 0])
    >>> clf.coef_, clf.intercept_
    (array([[0.1, 0.2]]), array([-0.2]))
    """

    def __init__(
        self,
        *,
        penalty=None,
        alpha=0.0001,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        verbose=0,
        eta0=1.0,
        n_jobs=None,
        random_state=0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        class_weight=None,
        warm_start=False,
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.eta0 = eta0
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags

    def _check_params(self):
        check_choice("penalty", self.penalty, (None, "l2", "l1", "elasticnet"))
        check_number("alpha", self.alpha, low=0)
        check_number("l1_ratio", self.l1_ratio, low=0, high=1)
        check_number("max_iter", self.max_iter, kind=numbers.Integral, low=1)
        check_number("tol", self.tol, low=0, allow_none=True)
        check_number("eta0", self.eta0, low=0, low_inclusive=False)
        check_number("validation_fraction", self.validation_fraction, low=0, high=1,
                     low_inclusive=False, high_inclusive=False)
        check_number("n_iter_no_change", self.n_iter_no_change,
                     kind=numbers.Integral, low=1)
        check_number("verbose", self.verbose, kind=numbers.Integral, low=0)
        if self.n_jobs is not None and (check_number(
                "n_jobs", self.n_jobs, kind=numbers.Integral) == 0):
            raise ValueError("The 'n_jobs' parameter must be None or a non-zero int; "
                             "got 0.")
        for name in ("fit_intercept", "shuffle", "early_stopping", "warm_start"):
            check_bool(name, getattr(self, name))
        cw = self.class_weight
        if not (cw is None or cw == "balanced" or isinstance(cw, dict)):
            raise ValueError(
                "The 'class_weight' parameter must be a dict, 'balanced' or None; "
                f"got {cw!r}."
            )
        if isinstance(cw, dict):
            for label, weight in cw.items():
                check_number(f"class_weight[{label!r}]", weight, low=0)

    def fit(self, X, y, coef_init=None, intercept_init=None, sample_weight=None):
        """Train the perceptron.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        coef_init : array-like of shape (n_classes, n_features), default=None
            Initial weights (``(1, n_features)`` or ``(n_features,)`` for two
            classes), as scikit-learn's ``Perceptron.fit``; they take precedence
            over ``warm_start``.
        intercept_init : array-like of shape (n_classes,), default=None
            Initial biases.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights multiplying each sample's update (with ``class_weight``).

        Returns
        -------
        self : object
            The fitted classifier.
        """
        return self._fit(X, y, classes=None, incremental=False,
                         sample_weight=sample_weight,
                         init=(coef_init, intercept_init))

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Run one epoch of the perceptron rule on the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Class labels.
        classes : array-like of shape (n_classes,), default=None
            All classes; required on the first call.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights multiplying each sample's update (with ``class_weight``).

        Returns
        -------
        self : object
            The updated classifier.
        """
        # scikit-learn's SGD models refuse it too: a held-out split of one
        # chunk cannot say when a stream should stop
        if self.early_stopping:
            raise ValueError("early_stopping should be False with partial_fit")
        if not hasattr(self, "coef_") and classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, classes=classes, incremental=True,
                         sample_weight=sample_weight)

    @with_callbacks
    def _fit(self, X, y, classes, incremental, sample_weight=None,
             init=(None, None)):
        self._check_params()
        resume = hasattr(self, "coef_") and (incremental or self.warm_start)
        callbacks = FitCallbacks(self, 1 if incremental else self.max_iter)
        with unchanged_on_failure(self):
            X, y = validate_data(self, X, y, dtype=np.float64, reset=not resume,
                                 accept_sparse="csr")
            y = column_or_1d(y, warn=True)
            sample_weight = check_sample_weight(sample_weight, X)
            callbacks.begin(X, y, sample_weight)
            self._train(X, y, classes, incremental, resume, callbacks, sample_weight,
                        init)
        callbacks.end()
        return self

    def _train(self, X, y, classes, incremental, resume, callbacks, sample_weight,
               init):
        check_classification_targets(y)
        if not resume:
            binarizer = LabelBinarizer(neg_label=0, pos_label=1)
            binarizer.fit(y if classes is None else classes)
            self.classes_ = binarizer.classes_
            self._binarizer = binarizer
            rng = np.random.default_rng(
                check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            )
            # one stream shuffles and splits, as the online rule needs no other
            state = TrainState(init_rng=rng, shuffle_rng=rng, dropout_rng=rng)
            n_out = 1 if len(self.classes_) <= 2 else len(self.classes_)
            coef = np.zeros((n_out, X.shape[1]))
            intercept = np.zeros(n_out)
        else:
            if classes is not None and not np.array_equal(np.unique(classes),
                                                         self.classes_):
                raise ValueError(
                    f"`classes={list(classes)}` differs from the classes of the first "
                    f"call, {list(self.classes_)}."
                )
            state = copy.deepcopy(self._train_state)
            coef = self.coef_.copy()
            intercept = self.intercept_.copy()
        if len(self.classes_) < 2:
            raise ValueError(
                "PerceptronClassifier needs samples of at least 2 classes in y; got "
                f"only one class: {self.classes_[0]!r}."
            )
        unseen = np.setdiff1d(np.unique(y), self.classes_)
        if unseen.size:
            raise ValueError(f"y contains labels {list(unseen)} not in classes_.")
        T = self._binarizer.transform(y).astype(np.float64)  # (n, n_out) in {0, 1}
        coef, intercept = self._initial_weights(init, coef, intercept)
        raw_weights = np.ones(len(y)) if sample_weight is None else sample_weight
        weights = self._sample_weights(y) * raw_weights
        rng = state.shuffle_rng
        early_stopping = self.early_stopping and not incremental
        evaluate = None
        if early_stopping:
            X, X_val, T, _, weights, _, y, y_val, _, w_val = train_test_split(
                X, T, weights, y, raw_weights, test_size=self.validation_fraction,
                random_state=int(rng.integers(np.iinfo(np.int32).max)),
                stratify=y,
            )

            def evaluate():
                hits = self._predict_with(X_val, coef, intercept) == y_val
                score = float(np.average(hits, weights=w_val))
                return score, 1.0 - score

        n = X.shape[0]

        def epoch(state):
            order = rng.permutation(n) if self.shuffle else range(n)
            # the loop's divergence guard reports overflow; numpy need not
            with np.errstate(over="ignore", invalid="ignore"):
                mistakes = self._epoch(X, T, weights, order, coef, intercept)
            return mistakes / n, n

        first_epoch = state.n_iter  # n_iter_ counts this call's epochs

        def attributes():
            return {"coef_": coef.copy(), "intercept_": intercept.copy(),
                    "n_iter_": state.n_iter - first_epoch, "t_": state.t,
                    "_train_state": state}

        def finish(reason):
            for name, value in attributes().items():
                setattr(self, name, value)

        stopping = None
        if self.tol is not None and not incremental:
            # each call starts its own patience count, as scikit-learn's SGD
            state.no_improvement_count = 0
            state.best_loss, state.best_validation_score = np.inf, -np.inf
            stopping = Stopping(self.tol, self.n_iter_no_change - 1,
                                on_validation=early_stopping, restore_best=False,
                                stop_at_zero_loss=not early_stopping)
        run_epochs(
            state, [coef, intercept], epoch,
            max_epochs=1 if incremental else self.max_iter, stopping=stopping,
            evaluate=evaluate, verbose=self.verbose,
            describe=lambda state: (f"Epoch {state.n_iter}, mistakes = "
                                    f"{round(state.loss * n)}/{n}"),
            callbacks=callbacks, fitted_attributes=attributes, finish=finish,
            hint=f"try a smaller eta0 (now {self.eta0}).",
        )

    def _epoch(self, X, T, weights, order, coef, intercept):
        """One pass of the online rule; the one Python loop over samples by design.

        A sparse row touches only the columns of its stored values: ``cols``
        indexes them in ``coef`` (every column for a dense row).
        """
        eta = float(self.eta0)
        decay_l2, decay_l1 = self._decay()
        sparse = sp.issparse(X)
        if sparse:
            if not X.has_canonical_format:  # unique column indices for the update
                X = X.copy()
                X.sum_duplicates()
            indptr, indices, data = X.indptr, X.indices, X.data
        cols = slice(None)
        mistakes = 0
        for i in order:
            if sparse:
                cols = indices[indptr[i]:indptr[i + 1]]
                x = data[indptr[i]:indptr[i + 1]]
            else:
                x = X[i]
            out = (coef[:, cols] @ x + intercept > 0).astype(np.float64)
            err = T[i] - out
            if decay_l2:
                coef *= 1 - eta * decay_l2
            if decay_l1:
                coef -= eta * decay_l1 * np.sign(coef)
            if err.any():
                mistakes += 1
                step = eta * weights[i] * err  # (n_out,)
                coef[:, cols] += np.outer(step, x)
                if self.fit_intercept:
                    intercept += step
        return mistakes

    def _initial_weights(self, init, coef, intercept):
        """``coef_init`` / ``intercept_init`` when given, checked against the shapes."""
        coef_init, intercept_init = init
        if coef_init is not None:
            given = np.asarray(coef_init, dtype=np.float64)
            if given.size != coef.size or (given.ndim == 2 and given.shape != coef.shape):
                raise ValueError(
                    f"coef_init has shape {given.shape}; expected {coef.shape}."
                )
            coef = given.reshape(coef.shape).copy()
        if intercept_init is not None:
            given = np.asarray(intercept_init, dtype=np.float64).reshape(-1)
            if given.shape != intercept.shape:
                raise ValueError(
                    f"intercept_init has shape {given.shape}; expected "
                    f"{intercept.shape}."
                )
            intercept = given.copy()
        return coef, intercept

    def _decay(self):
        if self.penalty is None:
            return 0.0, 0.0
        if self.penalty == "l2":
            return self.alpha, 0.0
        if self.penalty == "l1":
            return 0.0, self.alpha
        return self.alpha * (1 - self.l1_ratio), self.alpha * self.l1_ratio

    def _sample_weights(self, y):
        if self.class_weight is None:
            return np.ones(len(y))
        cw = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        lookup = dict(zip(self.classes_, cw))
        return np.array([lookup[label] for label in y])

    def _predict_with(self, X, coef, intercept):
        scores = X @ coef.T + intercept
        if scores.shape[1] == 1:
            return self.classes_[(scores[:, 0] > 0).astype(int)]
        return self.classes_[np.argmax(scores, axis=1)]

    def decision_function(self, X):
        """Signed scores ``w·x + b``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        scores : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Score of the positive class (binary) or of each class.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False, accept_sparse="csr")
        scores = X @ self.coef_.T + self.intercept_
        return scores[:, 0] if scores.shape[1] == 1 else scores

    def predict(self, X):
        """Predict class labels (step of the score; the largest score one-vs-rest).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,)
            Predicted labels.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False, accept_sparse="csr")
        return self._predict_with(X, self.coef_, self.intercept_)
