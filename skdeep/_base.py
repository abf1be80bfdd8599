"""BaseNetwork: the estimator plumbing every network estimator shares.

A network estimator names its layers (``_build_network``), its loss
(``_build_loss``) and, with a mixin from :mod:`skdeep._mixins`, how targets are
encoded and outputs decoded. This module validates parameters and data, builds or
resumes the network and its :class:`~skdeep._training.TrainState`, makes the
minibatches and the step, and commits the fitted attributes. The epochs, with the
divergence guard, interrupts, early stopping, callbacks and ``verbose``, run in
:func:`skdeep._training.run_epochs`.
"""

import copy
import warnings

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted, validate_data

from ._callbacks import CallbackSupportMixin, FitCallbacks, with_callbacks
from ._lbfgs import run_lbfgs
from ._mixins import (  # noqa: F401  (re-exported for the estimator modules)
    HiddenTransformMixin,
    NetworkClassifierMixin,
    NetworkRegressorMixin,
)
from ._training import (
    Diverged,
    Stopping,
    TrainState,
    deferred_interrupts,
    run_epochs,
)
from ._validation import (
    check_dtype_param,
    check_sample_weight,
    check_training_params,
    check_unchanged_architecture,
    mark_committed,
    to_model_dtype,
    unchanged_on_failure,
)
from .nn.base import NetworkTooLargeError, parameter_budget
from .nn.losses import weight_penalty
from .nn.optimizers import OPTIMIZERS, clip_grad_norm

__all__ = ["BaseNetwork", "HiddenTransformMixin", "NetworkClassifierMixin",
           "NetworkRegressorMixin", "check_stochastic_solver"]

#: Rows per forward pass at inference time: bounds memory on large inputs.
INFERENCE_BATCH_SIZE = 4096


class BaseNetwork(CallbackSupportMixin, BaseEstimator):
    """Shared plumbing of the network estimators (not used directly).

    Subclasses define ``__init__`` (assignments only) and:

    * ``_build_network(input_shape, n_outputs, init_rng, dropout_rng, dtype)``
      returning a :class:`skdeep.nn.Sequential` (``input_shape`` is ``X.shape[1:]``);
    * ``_build_loss()`` returning a :class:`skdeep.nn.Loss` (after targets are
      encoded, so it may depend on them);
    * ``_encode_targets(y, first_call, classes)`` returning the float target
      matrix, ``_decode(output)`` and ``_validation_score(y_true, y_pred)``
      (the mixins of :mod:`skdeep._mixins` provide them);
    * ``_check_extra_params()`` for their own parameters.

    A model whose batches are not rows (the language model's BPTT windows)
    replaces ``_training_data`` and ``_epoch``; nothing else of the loop.

    Parameters shared by every network estimator are documented on each
    estimator; their names and meanings follow scikit-learn's MLP.
    """

    _stochastic_solvers = ("sgd", "adam", "adagrad", "adadelta")

    # ------------------------------------------------------------------ params
    def _check_common_params(self):
        solvers = self._stochastic_solvers + (
            ("lbfgs",) if getattr(self, "_supports_lbfgs", False) else ()
        )
        check_training_params(self, solvers)
        self._check_extra_params()

    def _check_extra_params(self):
        """Check the subclass's own parameters (override)."""

    def _architecture(self):
        """The checked parameters the network is built from (extend).

        A warm start (``warm_start=True`` or ``partial_fit``) continues the
        network it has, so a change to any of these since it was built is an
        error rather than a silent no-op.
        """
        return {"dtype": check_dtype_param(self.dtype)}

    def _check_architecture_kept(self):
        check_unchanged_architecture(self, getattr(self, "_built_with", {}),
                                     self._architecture())

    # ------------------------------------------------------------------ data
    #: Whether ``X`` may have more than two dimensions (images).
    _allow_nd = False
    #: Whether targets must be numeric (regression).
    _y_numeric = False
    #: Whether ``X`` may be a SciPy sparse matrix (a ``Dense`` first layer).
    _accept_sparse = False

    def _sparse_formats(self):
        # CSR only: minibatches are row slices (CSC and the rest are converted)
        return "csr" if self._accept_sparse else False

    def _validate_X_y(self, X, y, reset):
        X, y = validate_data(
            self, X, y, multi_output=True, y_numeric=self._y_numeric,
            allow_nd=self._allow_nd, dtype=(np.float64, np.float32), reset=reset,
            accept_sparse=self._sparse_formats(),
        )
        return X, self._check_targets(y, reset)

    def _validate_X(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=(np.float64, np.float32),
                          allow_nd=self._allow_nd, reset=False,
                          accept_sparse=self._sparse_formats())
        return self._prepare_input(X, reset=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = self._accept_sparse
        return tags

    def _prepare_input(self, X, reset):
        """Reshape validated ``X`` for the network (override: images)."""
        return X

    def _check_targets(self, y, reset):
        """Check validated targets (override)."""
        return y

    def _check_resumed_targets(self, y):
        """Check the targets of a warm-started ``fit`` (override: classes)."""

    def _resolve_dtype(self, X):
        """The compute dtype's name: ``dtype``, or with ``None`` the input's float
        dtype (float32 for integer input such as token ids)."""
        dtype = check_dtype_param(self.dtype)
        if dtype is not None:
            return dtype
        return X.dtype.name if np.issubdtype(X.dtype, np.floating) else "float32"

    # ------------------------------------------------------------------ optimizer
    def _build_optimizer(self):
        solver = self.solver
        if solver == "sgd":
            return OPTIMIZERS["sgd"](
                self.learning_rate_init, self.momentum, self.nesterovs_momentum,
                self.learning_rate, self.power_t,
            )
        if solver == "adam":
            return OPTIMIZERS["adam"](
                self.learning_rate_init, self.beta_1, self.beta_2, self.epsilon
            )
        if solver == "adagrad":
            return OPTIMIZERS["adagrad"](
                self.learning_rate_init, self.epsilon, self.learning_rate, self.power_t
            )
        if solver == "adadelta":
            # Adadelta sets its own step sizes (ConvNetJS ignores its learning
            # rate too): scikit-learn's default 1e-3 would only slow it down.
            return OPTIMIZERS["adadelta"](rho=0.95, epsilon=self.epsilon)
        return None

    def _resync_optimizer(self, previous):
        """Keep the optimizer's state across a warm start, with current settings.

        Moments, step counts and the scheduled rate carry over (exact resume); a
        hyper-parameter changed with ``set_params`` between fits takes effect.
        """
        current = self._build_optimizer()
        if current is None or type(current) is not type(previous):
            return current  # lbfgs, or another solver: nothing to carry over
        current.state_ = previous.state_
        current.n_steps_ = previous.n_steps_
        if (current.learning_rate_init, current.learning_rate) == (
            previous.learning_rate_init, previous.learning_rate
        ):
            current.learning_rate_ = previous.learning_rate_
        return current

    def _batch_size(self, n_samples):
        if self.batch_size is None:
            return n_samples
        if isinstance(self.batch_size, str):  # 'auto'
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. "
                "It is going to be clipped", UserWarning,
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    # penalty on weights (arrays whose key starts with "W"), never on biases
    def _penalty_pairs(self, network):
        return [
            (p[k], g[k]) for p, g in network.parameters() for k in sorted(p)
            if k.startswith("W")
        ]

    def _penalty(self, network, n_samples, add_to_grads):
        """Weight penalty of one batch; adds its gradient when ``add_to_grads``
        (``l2/2 Σ W² + l1 Σ |W|`` over the batch size, as scikit-learn's MLP)."""
        l2, l1 = self._penalty_strengths()
        return weight_penalty(self._penalty_pairs(network), l2, l1, n_samples,
                              add_to_grads)

    def _penalty_strengths(self):
        """``(l2, l1)`` from ``alpha``, ``penalty`` and ``l1_ratio`` (override)."""
        alpha = float(self.alpha)
        penalty = getattr(self, "penalty", "l2")
        if penalty == "l1":
            return 0.0, alpha
        if penalty == "elasticnet":
            return alpha * (1 - self.l1_ratio), alpha * self.l1_ratio
        return alpha, 0.0

    # ------------------------------------------------------------------ fit
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data matrix X and targets y.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data: sparse matrices for the MLPs and the linear unit,
            image arrays ``(n, H, W)`` or ``(n, C, H, W)`` for the convnets.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values (class labels for classifiers).
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights: each batch's loss is their weighted mean, as in
            scikit-learn's MLP, and with ``early_stopping`` the validation score
            is weighted too. ``None`` weighs every sample equally.

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, incremental=False, sample_weight=sample_weight)

    def _partial_fit(self, X, y, classes=None, sample_weight=None):
        # scikit-learn's MLP: early stopping has no meaning one batch at a time,
        # and a classifier must know every class from its first call
        if self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        if is_classifier(self) and classes is None and not hasattr(self, "classes_"):
            raise ValueError("classes must be passed on the first call to partial_fit.")
        return self._fit(X, y, incremental=True, classes=classes,
                         sample_weight=sample_weight)

    @with_callbacks
    def _fit(self, X, y, *, incremental, classes=None, sample_weight=None):
        self._check_common_params()
        resume = hasattr(self, "_network") and (incremental or self.warm_start)
        if resume:
            self._check_architecture_kept()
        # before the rollback block: a failed fit must still tear callbacks down
        callbacks = FitCallbacks(self, (1 if incremental else self.max_iter)
                                 + (0 if resume else self._n_pretraining_fits()))
        with unchanged_on_failure(self):
            X, y = self._validate_X_y(X, y, reset=not resume)
            sample_weight = check_sample_weight(sample_weight, X)
            callbacks.begin(X, y, sample_weight)
            self._train(X, y, incremental=incremental, resume=resume,
                        classes=classes, callbacks=callbacks,
                        sample_weight=sample_weight)
        callbacks.end()
        return self

    def _train(self, X, y, *, incremental, resume, classes, callbacks,
               sample_weight=None):
        """Build or resume the network, then run the epochs; commits at the end."""
        inputs = self._prepare_input(X, reset=not resume)
        # a language model has no target matrix: its targets are the next tokens
        has_targets = y is not None
        if resume:
            if has_targets and not incremental:
                self._check_resumed_targets(y)
            Y = self._encode_targets(y, False, classes) if has_targets else None
            # one deepcopy: dropout layers keep sharing the state's generator
            network, state = copy.deepcopy((self._network, self._train_state))
            state.optimizer = self._resync_optimizer(state.optimizer)
        else:
            self._dtype = self._resolve_dtype(inputs)
            Y = self._encode_targets(y, True, classes) if has_targets else None
            state = TrainState.from_random_state(self.random_state,
                                                 self._build_optimizer())
            self._built_with = self._architecture()
            try:
                with parameter_budget():
                    network = self._build_network(inputs.shape[1:],
                                                  Y.shape[1] if has_targets else None,
                                                  state.init_rng, state.dropout_rng,
                                                  self._dtype)
            except NetworkTooLargeError as error:
                settings = ", ".join(f"{name}={getattr(self, name)!r}"
                                     for name in self._built_with)
                raise NetworkTooLargeError(
                    f"{error} The network comes from {settings} and input "
                    f"of shape {inputs.shape[1:]}."
                ) from None
            first = network.layers[0]
            if hasattr(first, "input_grad"):
                # nothing upstream of the first layer needs its input gradient
                first.input_grad = False
        if np.issubdtype(inputs.dtype, np.floating):  # token ids stay integers
            inputs = self._as_model_dtype(inputs, fitting=True)
        if has_targets:
            Y = Y.astype(self._dtype, copy=False)
        loss = self._build_loss()
        params = network.param_arrays()
        first_epoch = state.n_iter  # n_iter_ counts this call's epochs

        def attributes():
            return self._fitted_attributes(network, loss, state,
                                           state.n_iter - first_epoch)

        def finish(reason):
            network.clear_cache()
            for name, value in attributes().items():
                setattr(self, name, value)

        pretrained = (None if resume
                      else self._pretrain(network, inputs, state, callbacks,
                                          sample_weight))

        def keep_pretrained():
            # the layers pre-trained so far, without fine-tuning
            with deferred_interrupts():
                finish("interrupted")
                mark_committed()

        if pretrained == "interrupted":
            keep_pretrained()
            return
        try:
            self._fine_tune(network, loss, inputs, Y, y, sample_weight, state, params,
                            incremental, dict(
                                verbose=self.verbose, callbacks=callbacks,
                                fitted_attributes=attributes, finish=finish,
                                hint=self._divergence_hint(),
                                keep_initial=pretrained == "pretrained"))
        except KeyboardInterrupt:
            if pretrained != "pretrained":
                raise
            # Ctrl-C before the loop began (it keeps the pre-training itself)
            warnings.warn("Training interrupted by the user before fine-tuning; "
                          "keeping the pre-trained layers.", UserWarning)
            keep_pretrained()

    def _fine_tune(self, network, loss, inputs, Y, y, sample_weight, state, params,
                   incremental, options):
        """The epochs: ``run_epochs`` over minibatches, or L-BFGS iterations."""
        if self.solver == "lbfgs":
            total_weight = (inputs.shape[0] if sample_weight is None
                            else sample_weight.sum())
            run_lbfgs(
                network, loss, inputs, Y, sample_weight, state, params,
                penalty=lambda: self._penalty(network, total_weight,
                                              add_to_grads=True),
                max_iter=self.max_iter, max_fun=self.max_fun, tol=self.tol,
                **options)
            return
        early_stopping = self.early_stopping and not incremental
        train, evaluate = self._training_data(network, loss, inputs, Y, y,
                                              sample_weight, state, early_stopping)
        run_epochs(
            state, params,
            lambda state: self._epoch(network, loss, train, state, params),
            max_epochs=1 if incremental else self.max_iter,
            stopping=Stopping(self.tol, self.n_iter_no_change,
                              on_validation=early_stopping),
            evaluate=evaluate,
            max_iter_warning=None if incremental or self.tol is None else (
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet."),
            **options,
        )

    def _divergence_hint(self):
        return ("try a smaller learning_rate_init (now "
                f"{self.learning_rate_init}).")

    def _n_pretraining_fits(self):
        """Sub-estimator fits before the first epoch (callback subtasks; DBN)."""
        return 0

    def _pretrain(self, network, X, state, callbacks, sample_weight=None):
        """Set initial weights from the data before training (override: DBN).

        Returns ``None`` (nothing done), ``'pretrained'``, or ``'interrupted'``
        when Ctrl-C ended it after some pre-training epochs completed.
        """
        return None

    # ------------------------------------------------------------------ epochs
    def _training_data(self, network, loss, X, Y, y_raw, sample_weight, state,
                       early_stopping):
        """``(train, evaluate)``: the rows (and weights) to train on, and the
        held-out scorer.

        With early stopping, ``validation_fraction`` of the rows are held out
        (stratified for classifiers) and ``evaluate() -> (score, loss)`` scores
        the current network on them, weighted by their sample weights;
        otherwise ``evaluate`` is ``None``.
        """
        if not early_stopping:
            return (X, Y, sample_weight), None
        # as scikit-learn's MLP: stratified on the encoded targets (its error
        # for a class of one member then names it the same way)
        stratify = Y.astype(bool) if self._stratify_split(y_raw) else None
        weights = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        X_tr, X_val, Y_tr, Y_val, _, y_val, w_tr, w_val = train_test_split(
            X, Y, y_raw, weights, random_state=state.split_seed,
            test_size=self.validation_fraction, stratify=stratify,
        )
        if sample_weight is None:
            w_tr = w_val = None
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small: validation_fraction="
                f"{self.validation_fraction} of {X.shape[0]} samples leaves "
                f"{X_val.shape[0]}; increase validation_fraction or disable "
                "early_stopping."
            )

        def evaluate():
            out_val = self._forward(network, X_val)
            score = self._validation_score(y_val, self._decode(loss.output(out_val)),
                                           w_val)
            return score, loss.loss(out_val, Y_val, w_val)[0]

        return (X_tr, Y_tr, w_tr), evaluate

    def _stratify_split(self, y):
        return False

    def _epoch(self, network, loss, train, state, params):
        """One pass over shuffled minibatches of rows: ``(mean loss, rows)``."""
        X, Y, weights = train
        n_samples = X.shape[0]
        batch = self._batch_size(n_samples)
        grads = network.grad_arrays()
        order = state.shuffle_rng.permutation(n_samples) if self.shuffle else None
        total, wb = 0.0, None
        for begin in range(0, n_samples, batch):
            rows = (slice(begin, begin + batch) if order is None
                    else order[begin:begin + batch])
            Xb, Yb = X[rows], Y[rows]
            if weights is not None:
                wb = weights[rows]
            # scikit-learn's epoch loss: batch losses averaged by batch size
            total += self._step(network, loss, Xb, Yb, state, params, grads, wb) \
                * Yb.shape[0]
        return total / n_samples, n_samples

    def _step(self, network, loss, Xb, Yb, state, params, grads, wb=None):
        """Forward, loss, backward, penalty, clipping and update of one batch.

        Returns the batch's (weighted) mean loss. Logits of any rank
        ``(N, ..., K)`` are scored as rows ``(N·…, K)`` against ``Yb`` (per-step
        targets ``(N, T, K)`` as rows too, each step with its sequence's
        weight). With weights ``wb`` the penalty is divided by their sum, as in
        scikit-learn's MLP.
        """
        z = network.forward(Xb, training=True)
        rows = z.size // z.shape[-1]
        if Yb.shape[0] != rows:  # per-step targets
            steps = rows // Yb.shape[0]
            Yb = Yb.reshape(rows, -1)
            wb = None if wb is None else np.repeat(wb, steps)
        value, grad = loss.loss(z.reshape(-1, z.shape[-1]), Yb, wb)  # (rows, K)
        if not np.isfinite(value):
            raise Diverged
        if state.initial_loss is None:
            state.initial_loss = value  # before any update
        network.backward(grad.reshape(z.shape))
        value += self._penalty(network, Yb.shape[0] if wb is None else wb.sum(),
                               add_to_grads=True)
        max_norm = getattr(self, "max_grad_norm", None)
        if max_norm is not None:
            clip_grad_norm(grads, max_norm)
        state.optimizer.step(params, grads)
        return value

    # ------------------------------------------------------------------ commit
    def _fitted_attributes(self, network, loss, state, n_iter):
        """Every attribute a fit sets, as of ``state`` (also for callbacks).

        ``n_iter_`` counts the epochs of the last call, as scikit-learn's;
        ``_train_state.n_iter`` counts them over every call.
        """
        stochastic = self.solver != "lbfgs"
        validated = self.early_stopping and stochastic
        attributes = {
            "_network": network,
            "_loss_function": loss,
            "_train_state": state,
            "n_iter_": n_iter,
            "t_": state.t,
            "loss_": state.loss,
            "out_activation_": loss.out_activation,
            "validation_scores_": list(state.validation_scores) if validated
            else None,
            "validation_loss_curve_": list(state.validation_loss_curve)
            if validated else None,
            "best_validation_score_": (max(state.validation_scores)
                                       if validated and state.validation_scores
                                       else None),
            "best_loss_": state.best_loss if stochastic and not validated else None,
        }
        if stochastic:
            attributes["loss_curve_"] = list(state.loss_curve)
        attributes.update(self._learned_attributes(network))
        return attributes

    def _learned_attributes(self, network):
        """Learned arrays under scikit-learn's names, e.g. ``coefs_`` (override)."""
        return {}

    # ------------------------------------------------------------------ inference
    @staticmethod
    def _forward(network, X):
        """Logits for ``X`` in batches (bounded memory on large inputs)."""
        if X.shape[0] <= INFERENCE_BATCH_SIZE:
            return network.forward(X, training=False)
        parts = [
            network.forward(X[i:i + INFERENCE_BATCH_SIZE], training=False)
            for i in range(0, X.shape[0], INFERENCE_BATCH_SIZE)
        ]
        return np.concatenate(parts, axis=0)

    def _output(self, X):
        """Validated ``X`` -> the loss's output transform of the logits."""
        X = self._validate_X(X)
        # Heavy math in the model's dtype; results in the caller's precision.
        z = self._forward(self._network, self._as_model_dtype(X))
        return self._loss_function.output(z).astype(X.dtype, copy=False)

    def _as_model_dtype(self, X, fitting=False):
        return to_model_dtype(X, self._dtype, type(self).__name__, fitting)

    def _forward_until(self, X, stop):
        """Validated ``X`` through the first ``stop`` engine layers (inference)."""
        X = self._validate_X(X)
        x = self._as_model_dtype(X)
        for layer in self._network.layers[:stop]:
            x = layer.forward(x, training=False)
        return x.astype(X.dtype, copy=False)

    def __getstate__(self):
        state = self.__dict__.copy()
        network = state.get("_network")
        if network is not None:
            network.clear_cache()
        return state


def check_stochastic_solver(estimator):
    """``available_if`` condition of ``partial_fit``: stochastic solvers only.

    So that ``hasattr(MLPNet(solver='lbfgs'), 'partial_fit')`` is False, with
    scikit-learn's message. An unknown solver passes, so that ``partial_fit``
    raises the parameter error naming it.
    """
    if estimator.solver == "lbfgs":
        raise AttributeError(
            "partial_fit is only available for stochastic optimizers. "
            f"{estimator.solver} is not stochastic."
        )
    return True
