"""BaseNetwork: the training machinery every network estimator shares.

An estimator subclass only says how to build its network (``_build_network``),
which loss it trains (``_build_loss``), how targets are encoded and how outputs
are decoded. Everything else lives here: parameter checks, random streams,
minibatches, the optimizer and its schedule, early stopping, exact warm-start /
``partial_fit`` resume, the divergence guard, interrupt handling, verbose
progress and batched inference.
"""

import copy
import numbers
import time
import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._validation import (
    check_bool,
    check_choice,
    check_dtype_param,
    check_number,
    unchanged_on_failure,
)
from .nn.optimizers import OPTIMIZERS

__all__ = ["BaseNetwork", "HiddenTransformMixin", "NetworkClassifierMixin",
           "NetworkRegressorMixin"]

#: Rows per forward pass at inference time: bounds memory on large inputs.
INFERENCE_BATCH_SIZE = 4096

_DIVERGENCE_MESSAGE = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed, or the learning rate is too large "
    "(learning_rate_init={lr}); try a smaller learning_rate_init."
)


class BaseNetwork(BaseEstimator):
    """Shared fit loop of the network estimators (not used directly).

    Subclasses define ``__init__`` (assignments only) and:

    * ``_build_network(input_shape, n_outputs, rng_init, rng_dropout, dtype)``
      returning a :class:`skdeep.nn.Sequential` (``input_shape`` is ``X.shape[1:]``);
    * ``_build_loss()`` returning a :class:`skdeep.nn.Loss` (after targets are
      encoded, so it may depend on them);
    * ``_encode_targets(y, first_call, classes)`` returning the float target matrix;
    * ``_decode(output)`` turning the loss's output into predictions, and
      ``_validation_score(y_true, y_pred)`` for early stopping;
    * ``_check_extra_params()`` for their own parameters.

    Parameters shared by every network estimator are documented on each
    estimator; their names and meanings follow scikit-learn's MLP.
    """

    #: Whether ``n_iter_no_change`` may be reached (``tol=None`` disables it).
    _stochastic_solvers = ("sgd", "adam", "adagrad", "adadelta")

    # ------------------------------------------------------------------ params
    def _check_common_params(self):
        solvers = self._stochastic_solvers + (
            ("lbfgs",) if getattr(self, "_supports_lbfgs", False) else ()
        )
        check_choice("solver", self.solver, solvers)
        check_choice("learning_rate", self.learning_rate,
                     ("constant", "invscaling", "adaptive"))
        check_number("learning_rate_init", self.learning_rate_init, low=0,
                     low_inclusive=False)
        check_number("max_iter", self.max_iter, kind=numbers.Integral, low=1)
        check_number("tol", self.tol, low=0, allow_none=True)
        check_number("power_t", self.power_t, low=0)
        check_number("momentum", self.momentum, low=0, high=1)
        check_number("beta_1", self.beta_1, low=0, high=1, high_inclusive=False)
        check_number("beta_2", self.beta_2, low=0, high=1, high_inclusive=False)
        check_number("epsilon", self.epsilon, low=0, low_inclusive=False)
        check_number("validation_fraction", self.validation_fraction, low=0, high=1,
                     low_inclusive=False, high_inclusive=False)
        check_number("n_iter_no_change", self.n_iter_no_change,
                     kind=numbers.Integral, low=1)
        for name in ("shuffle", "warm_start", "early_stopping", "nesterovs_momentum"):
            check_bool(name, getattr(self, name))
        check_number("verbose", int(self.verbose) if isinstance(self.verbose, bool)
                     else self.verbose, kind=numbers.Integral, low=0)
        if self.batch_size is not None and not (
            isinstance(self.batch_size, str) and self.batch_size == "auto"
        ):
            check_number("batch_size", self.batch_size, kind=numbers.Integral, low=1)
        check_dtype_param(self.dtype)
        self._check_extra_params()

    def _check_extra_params(self):
        """Check the subclass's own parameters (override)."""

    # ------------------------------------------------------------------ data
    #: Whether ``X`` may have more than two dimensions (images).
    _allow_nd = False
    #: Whether targets must be numeric (regression).
    _y_numeric = False

    def _validate_X_y(self, X, y, reset):
        X, y = validate_data(
            self, X, y, multi_output=True, y_numeric=self._y_numeric,
            allow_nd=self._allow_nd, dtype=(np.float64, np.float32), reset=reset,
        )
        return self._prepare_input(X, reset), self._check_targets(y, reset)

    def _validate_X(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, dtype=(np.float64, np.float32),
                          allow_nd=self._allow_nd, reset=False)
        return self._prepare_input(X, reset=False)

    def _prepare_input(self, X, reset):
        """Reshape validated ``X`` for the network (override: images)."""
        return X

    def _check_targets(self, y, reset):
        """Check validated targets (override)."""
        return y

    def _resolve_dtype(self, X):
        dtype = check_dtype_param(self.dtype)
        return X.dtype if dtype is None else dtype

    # ------------------------------------------------------------------ rng
    @staticmethod
    def _make_streams(random_state):
        """Independent generators for init, shuffling, dropout and the split.

        One ``SeedSequence`` fans out into the streams; a fitted model keeps them,
        so a warm start continues them instead of replaying them.
        """
        seed = check_random_state(random_state).randint(np.iinfo(np.int32).max)
        init, shuffle, dropout, split = np.random.SeedSequence(seed).spawn(4)
        return {
            "init": np.random.default_rng(init),
            "shuffle": np.random.default_rng(shuffle),
            "dropout": np.random.default_rng(dropout),
            "split_seed": int(split.generate_state(1)[0]),
        }

    # ------------------------------------------------------------------ fit
    def fit(self, X, y):
        """Fit the model to data matrix X and targets y.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values (class labels for classifiers).

        Returns
        -------
        self : object
            The fitted estimator.
        """
        return self._fit(X, y, incremental=False)

    def _partial_fit(self, X, y, classes=None):
        if self.solver == "lbfgs":
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers; "
                f"solver={self.solver!r} is not."
            )
        return self._fit(X, y, incremental=True, classes=classes)

    def _fit(self, X, y, *, incremental, classes=None):
        self._check_common_params()
        fitted = hasattr(self, "_network")
        resume = fitted and (incremental or self.warm_start)
        # training works on copies; attributes set on the way are rolled back
        with unchanged_on_failure(self):
            X, y = self._validate_X_y(X, y, reset=not resume)
            self._fit_guarded(X, y, incremental=incremental, resume=resume,
                              classes=classes)
        return self

    def _fit_guarded(self, X, y, *, incremental, resume, classes):
        if resume:
            dtype = self._dtype
            Y = self._encode_targets(y, first_call=False, classes=classes)
            state = copy.deepcopy(self._train_state)
            state["optimizer"] = self._resync_optimizer(state["optimizer"])
            network = copy.deepcopy(self._network)
        else:
            dtype = self._resolve_dtype(X)
            self._dtype = dtype
            Y = self._encode_targets(y, first_call=True, classes=classes)
            state = self._new_train_state()
            network = self._build_network(
                X.shape[1:], Y.shape[1], state["rngs"]["init"],
                state["rngs"]["dropout"], dtype,
            )
            if hasattr(network.layers[0], "input_grad"):
                # nothing upstream of the first layer needs its input gradient
                network.layers[0].input_grad = False
        X = self._cast_input(X, dtype)
        Y = Y.astype(dtype, copy=False)
        if not resume:
            self._initialize_network(network, X, Y, state["rngs"]["init"])
        loss = self._build_loss()
        if self.solver == "lbfgs":
            self._fit_lbfgs(network, loss, X, Y, state)
        else:
            self._fit_stochastic(network, loss, X, Y, y, state, incremental)
        network.clear_cache()
        self._commit(network, loss, state)

    @staticmethod
    def _cast_input(X, dtype):
        """The training input in the compute dtype (override: token ids stay ints)."""
        return X.astype(dtype, copy=False)

    def _new_train_state(self):
        return {
            "rngs": self._make_streams(self.random_state),
            "optimizer": self._build_optimizer(),
            "n_iter": 0,
            "t": 0,
            "loss_curve": [],
            "best_loss": np.inf,
            "no_improvement_count": 0,
            "validation_scores": [],
            "validation_loss_curve": [],
            "best_validation_score": -np.inf,
            "loss": None,
            "initial_loss": None,
        }

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
        if type(current) is not type(previous):
            return current  # another solver: nothing to carry over
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
        """Weight penalty of one batch; adds its gradient when ``add_to_grads``.

        ``l2/2 Σ W² + l1 Σ |W|`` divided by the batch size, as scikit-learn's MLP
        (and ConvNetJS's trainer) scale it.
        """
        l2, l1 = self._penalty_strengths()
        if l2 == 0 and l1 == 0:
            return 0.0
        total = 0.0
        for W, gW in self._penalty_pairs(network):
            if l2:
                total += 0.5 * l2 * float(np.vdot(W, W))
            if l1:
                total += l1 * float(np.abs(W).sum())
            if add_to_grads:
                if l2:
                    gW += W.dtype.type(l2 / n_samples) * W
                if l1:
                    gW += W.dtype.type(l1 / n_samples) * np.sign(W)
        return total / n_samples

    def _penalty_strengths(self):
        """``(l2, l1)`` from ``alpha``, ``penalty`` and ``l1_ratio`` (override)."""
        alpha = float(self.alpha)
        penalty = getattr(self, "penalty", "l2")
        if penalty == "l1":
            return 0.0, alpha
        if penalty == "elasticnet":
            return alpha * (1 - self.l1_ratio), alpha * self.l1_ratio
        return alpha, 0.0

    # The epoch loop below is shared by every network estimator; what an epoch
    # iterates over (minibatches of rows, or BPTT windows of a token stream), how
    # the validation data are held out and how they are scored are hooks.
    def _split_validation(self, X, Y, y_raw, state):
        """Hold out ``validation_fraction``; return ``(train, validation)`` data."""
        stratify = y_raw if self._stratify_split(y_raw) else None
        X_tr, X_val, Y_tr, Y_val, _, y_val = train_test_split(
            X, Y, y_raw, random_state=state["rngs"]["split_seed"],
            test_size=self.validation_fraction, stratify=stratify,
        )
        if X_val.shape[0] < 2:
            raise ValueError(
                "The validation set is too small: validation_fraction="
                f"{self.validation_fraction} of {X.shape[0]} samples leaves "
                f"{X_val.shape[0]}; increase validation_fraction or disable "
                "early_stopping."
            )
        return (X_tr, Y_tr), (X_val, Y_val, y_val)

    def _evaluate(self, network, loss, validation):
        """``(score, loss)`` on held-out data (higher score is better)."""
        X_val, Y_val, y_val = validation
        out_val = self._forward(network, X_val)
        score = self._validation_score(y_val, self._decode(loss.output(out_val)))
        return score, loss.loss(out_val, Y_val)[0]

    def _run_epoch(self, network, loss, train, state, params, grads):
        """One pass over the training data; returns ``(mean loss, samples seen)``.

        Raises ``_Diverged`` as soon as the loss stops being finite.
        """
        X, Y = train
        n_samples = X.shape[0]
        batch = self._batch_size(n_samples)
        optimizer = state["optimizer"]
        order = (state["rngs"]["shuffle"].permutation(n_samples) if self.shuffle
                 else None)
        accumulated = 0.0
        for begin in range(0, n_samples, batch):
            if order is None:
                Xb, Yb = X[begin:begin + batch], Y[begin:begin + batch]
            else:
                idx = order[begin:begin + batch]
                Xb, Yb = X[idx], Y[idx]
            value = self._train_step(network, loss, Xb, Yb, state, params, grads,
                                     optimizer, Xb.shape[0])
            accumulated += value * Xb.shape[0]
        return accumulated / n_samples, n_samples

    def _train_step(self, network, loss, Xb, Yb, state, params, grads, optimizer,
                    n_rows):
        """Forward, loss, backward, penalty and update of one batch; its loss."""
        z = network.forward(Xb, training=True)
        value, grad = loss.loss(z, Yb)
        if not np.isfinite(value):
            raise _Diverged
        if state["initial_loss"] is None:
            state["initial_loss"] = value  # before any update
        network.backward(grad)
        value += self._penalty(network, n_rows, add_to_grads=True)
        self._before_step(grads)
        optimizer.step(params, grads)
        return value

    def _before_step(self, grads):
        """Adjust gradients before the update (override: clipping)."""

    def _fit_stochastic(self, network, loss, X, Y, y_raw, state, incremental):
        early_stopping = self.early_stopping and not incremental
        if early_stopping:
            train, validation = self._split_validation(X, Y, y_raw, state)
        else:
            train, validation = (X, Y), None
        params = network.param_arrays()
        grads = network.grad_arrays()
        best_params = None
        n_epochs = 1 if incremental else self.max_iter
        last_good = ([p.copy() for p in params], copy.deepcopy(state["optimizer"]))

        for epoch in range(n_epochs):
            start = time.perf_counter()
            optimizer = state["optimizer"]
            try:
                epoch_loss, n_seen = self._run_epoch(network, loss, train, state,
                                                     params, grads)
                if not (np.isfinite(epoch_loss) and _all_finite(params)):
                    raise _Diverged
            except _Diverged:
                self._restore(params, last_good, state)
                if epoch == 0:  # no finite epoch in this call: fail, change nothing
                    raise ValueError(
                        _DIVERGENCE_MESSAGE.format(lr=self.learning_rate_init)
                    ) from None
                warnings.warn(
                    "Training diverged (the loss or the weights became non-finite) in "
                    f"epoch {state['n_iter'] + 1}; keeping the weights of epoch "
                    f"{state['n_iter']}. Try a smaller learning_rate_init (now "
                    f"{self.learning_rate_init}).", ConvergenceWarning,
                )
                break
            except KeyboardInterrupt:
                self._restore(params, last_good, state)
                if epoch == 0:
                    raise
                warnings.warn(
                    "Training interrupted by the user; keeping the model of epoch "
                    f"{state['n_iter']}.", UserWarning,
                )
                break
            state["n_iter"] += 1
            state["t"] += n_seen
            state["loss"] = epoch_loss
            state["loss_curve"].append(epoch_loss)
            seconds = time.perf_counter() - start
            message = f"Iteration {state['n_iter']}, loss = {epoch_loss:.8f}"
            if early_stopping:
                score, val_loss = self._evaluate(network, loss, validation)
                state["validation_scores"].append(score)
                state["validation_loss_curve"].append(val_loss)
                message += f", validation score = {score:.6f}"
            optimizer.iteration_ends(state["t"])
            if self.verbose:
                print(message + self._progress_suffix(n_seen, seconds))
            stop = False
            if self.tol is not None:
                improved_best = self._update_no_improvement(state, early_stopping)
                if early_stopping and improved_best:
                    best_params = [p.copy() for p in params]
                if state["no_improvement_count"] > self.n_iter_no_change:
                    what = "Validation score" if early_stopping else "Training loss"
                    msg = (f"{what} did not improve more than tol={self.tol} for "
                           f"{self.n_iter_no_change} consecutive epochs.")
                    stop = optimizer.trigger_stopping(msg, self.verbose)
                    state["no_improvement_count"] = 0
            elif early_stopping and state["validation_scores"][-1] > state[
                    "best_validation_score"]:
                state["best_validation_score"] = state["validation_scores"][-1]
                best_params = [p.copy() for p in params]
            last_good = ([p.copy() for p in params], copy.deepcopy(optimizer))
            if stop:
                break
        else:
            if not incremental and self.tol is not None:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                    "reached and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                )
        if early_stopping and best_params is not None:
            for p, best in zip(params, best_params):
                p[...] = best
        self._warn_if_loss_exploded(state)

    def _progress_suffix(self, n_seen, seconds):
        return f", {seconds:.2f}s"

    def _warn_if_loss_exploded(self, state):
        """Warn when training ends far above where it started.

        Weights can stay finite while the loss explodes (a saturated softmax with a
        huge step): say so instead of returning a silently useless model.
        """
        initial, curve = state["initial_loss"], state["loss_curve"]
        if initial is not None and curve and curve[-1] > 10 * initial + 1e-12:
            warnings.warn(
                f"Training loss rose from {initial:.4g} before the first update to "
                f"{curve[-1]:.4g}: the optimization diverged. Try a smaller "
                f"learning_rate_init (now {self.learning_rate_init}).",
                ConvergenceWarning,
            )

    def _stratify_split(self, y):
        return False

    def _update_no_improvement(self, state, early_stopping):
        """scikit-learn's rule; returns whether a new best validation score was set."""
        tol = self.tol
        if early_stopping:
            score = state["validation_scores"][-1]
            if score < state["best_validation_score"] + tol:
                state["no_improvement_count"] += 1
            else:
                state["no_improvement_count"] = 0
            if score > state["best_validation_score"]:
                state["best_validation_score"] = score
                return True
            return False
        last = state["loss_curve"][-1]
        if last > state["best_loss"] - tol:
            state["no_improvement_count"] += 1
        else:
            state["no_improvement_count"] = 0
        if last < state["best_loss"]:
            state["best_loss"] = last
        return False

    @staticmethod
    def _restore(params, last_good, state):
        saved_params, saved_optimizer = last_good
        for p, saved in zip(params, saved_params):
            p[...] = saved
        state["optimizer"] = saved_optimizer

    def _fit_lbfgs(self, network, loss, X, Y, state):
        from scipy.optimize import minimize

        params = network.param_arrays()
        grads = network.grad_arrays()
        shapes = [p.shape for p in params]
        splits = np.cumsum([p.size for p in params])[:-1]
        n = X.shape[0]

        def unpack(theta):
            for p, part, shape in zip(params, np.split(theta, splits), shapes):
                p[...] = part.reshape(shape)

        def objective(theta):
            unpack(theta)
            z = network.forward(X, training=True)
            value, grad = loss.loss(z, Y)
            network.backward(grad)
            value += self._penalty(network, n, add_to_grads=True)
            flat = np.concatenate([g.ravel() for g in grads]).astype(np.float64)
            return value, flat

        theta0 = np.concatenate([p.ravel() for p in params]).astype(np.float64)
        result = minimize(
            objective, theta0, method="L-BFGS-B", jac=True,
            options={
                "maxfun": self.max_fun,
                "maxiter": self.max_iter,
                "gtol": 0.0 if self.tol is None else self.tol,
            },
            # progress through a callback: SciPy deprecates L-BFGS-B's ``iprint``
            callback=_LbfgsProgress() if self.verbose else None,
        )
        if not np.all(np.isfinite(result.x)):
            raise ValueError(_DIVERGENCE_MESSAGE.format(lr=self.learning_rate_init))
        unpack(result.x)
        if result.status != 0:
            warnings.warn(
                f"lbfgs failed to converge after {result.nit} iterations "
                f"(status={result.status}): {result.message}. Increase max_iter "
                "or scale the data.", ConvergenceWarning,
            )
        state["n_iter"] += int(result.nit)
        state["t"] += n
        state["loss"] = float(result.fun)

    # ------------------------------------------------------------------ commit
    def _commit(self, network, loss, state):
        self._network = network
        self._loss_function = loss
        self._train_state = state
        self.n_iter_ = state["n_iter"]
        self.t_ = state["t"]
        self.loss_ = state["loss"]
        self.out_activation_ = loss.out_activation
        stochastic = self.solver != "lbfgs"
        if stochastic:
            self.loss_curve_ = list(state["loss_curve"])
        if self.early_stopping and stochastic:
            self.validation_scores_ = list(state["validation_scores"])
            self.validation_loss_curve_ = list(state["validation_loss_curve"])
            self.best_validation_score_ = (
                max(self.validation_scores_) if self.validation_scores_ else None
            )
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.validation_loss_curve_ = None
            self.best_validation_score_ = None
            self.best_loss_ = state["best_loss"] if stochastic else None
        self._set_fitted_attributes(network)

    def _set_fitted_attributes(self, network):
        """Expose learned arrays under scikit-learn's names (override)."""

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
        z = self._forward(self._network, X.astype(self._dtype, copy=False))
        return self._loss_function.output(z).astype(X.dtype, copy=False)

    def _forward_until(self, X, stop):
        """Validated ``X`` through the first ``stop`` engine layers (inference)."""
        X = self._validate_X(X)
        x = X.astype(self._dtype, copy=False)
        for layer in self._network.layers[:stop]:
            x = layer.forward(x, training=False)
        return x.astype(X.dtype, copy=False)

    def _initialize_network(self, network, X, Y, rng):
        """Set initial weights from the data before training (override: DBN)."""

    def __getstate__(self):
        state = self.__dict__.copy()
        network = state.get("_network")
        if network is not None:
            network.clear_cache()
        return state


class _LbfgsProgress:
    """Prints one line per L-BFGS iteration (``verbose`` with ``solver='lbfgs'``)."""

    def __init__(self):
        self.iteration = 0
        self.start = time.perf_counter()

    def __call__(self, intermediate_result):
        self.iteration += 1
        # SciPy < 1.11 passes the parameter vector instead of an OptimizeResult
        fun = getattr(intermediate_result, "fun", None)
        loss = "" if fun is None else f", loss = {fun:.8f}"
        print(f"Iteration {self.iteration}{loss}, "
              f"{time.perf_counter() - self.start:.2f}s")


class _Diverged(Exception):
    """Raised inside the epoch loop when the loss or weights stop being finite."""


def _all_finite(arrays):
    return all(np.isfinite(a).all() for a in arrays)


class NetworkClassifierMixin:
    """Target encoding, decoding and class-probability methods for classifiers.

    Binary targets use one logistic output (as scikit-learn), multiclass targets a
    softmax over ``n_classes`` outputs, multilabel indicator targets one logistic
    output per label. Used with :class:`sklearn.base.ClassifierMixin`.
    """

    def _check_targets(self, y, reset):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        return y

    def _encode_targets(self, y, first_call, classes):
        if first_call:
            binarizer = LabelBinarizer()
            if classes is not None:
                binarizer.fit(classes)
            else:
                binarizer.fit(y)
            self._label_binarizer = binarizer
            self.classes_ = binarizer.classes_
            self._n_targets = len(self.classes_)
        elif classes is not None and not np.array_equal(
            np.unique(classes), self.classes_
        ):
            raise ValueError(
                f"`classes={list(classes)}` is not the same as on the first call "
                f"to partial_fit, which was {list(self.classes_)}."
            )
        if self._label_binarizer.y_type_ != "multilabel-indicator":
            unseen = np.setdiff1d(np.unique(y), self.classes_)
            if unseen.size:
                raise ValueError(
                    f"y contains labels {list(unseen)} not seen when the model was "
                    f"first fitted with classes {list(self.classes_)}."
                )
        Y = self._label_binarizer.transform(y).astype(np.float64)
        if self._two_column_binary():
            Y = np.hstack([1 - Y, Y])  # shape (n, 2)
        return Y

    def _is_multilabel(self):
        return self._label_binarizer.y_type_ == "multilabel-indicator"

    def _two_column_binary(self):
        """Binary targets with a loss that needs one output per class (hinge)."""
        return (
            getattr(self, "loss", "log_loss") == "hinge"
            and self._label_binarizer.y_type_ == "binary"
        )

    def _classification_loss(self):
        from .nn.losses import (
            MulticlassHinge,
            SigmoidBinaryCrossEntropy,
            SoftmaxCrossEntropy,
            SquaredError,
        )

        multiclass = self._label_binarizer.y_type_ == "multiclass"
        loss = getattr(self, "loss", "log_loss")
        if loss == "hinge":
            if self._is_multilabel():
                raise ValueError("loss='hinge' does not support multilabel targets.")
            return MulticlassHinge()
        if loss == "squared_error":
            return SquaredError("softmax" if multiclass else "logistic")
        return SoftmaxCrossEntropy() if multiclass else SigmoidBinaryCrossEntropy()

    def _stratify_split(self, y):
        return not self._is_multilabel()

    def _decode(self, output):
        if self._two_column_binary():
            output = output[:, 1:]
        return self._label_binarizer.inverse_transform(output)

    def _validation_score(self, y_true, y_pred):
        return float(np.mean(np.all(
            np.asarray(y_true).reshape(len(y_true), -1)
            == np.asarray(y_pred).reshape(len(y_pred), -1), axis=1)))

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_classes)
            Predicted classes (an indicator matrix for multilabel models).
        """
        return self._decode(self._output(X))

    def predict_proba(self, X):
        """Probability estimates.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Class probabilities, columns in the order of ``classes_``.
        """
        proba = self._output(X)
        if proba.shape[1] == 1 and not self._is_multilabel():
            return np.hstack([1 - proba, proba])
        return proba

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            Log class probabilities.
        """
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


class NetworkRegressorMixin:
    """Target handling for regressors (used with :class:`sklearn.base.RegressorMixin`)."""

    def _encode_targets(self, y, first_call, classes):
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 1:
            y = y.reshape(-1, 1)  # (n,) -> (n, 1)
        return y

    _y_numeric = True

    def _check_targets(self, y, reset):
        if reset:
            self._y_ndim = y.ndim
        elif y.ndim != self._y_ndim and not (y.ndim == 2 and y.shape[1] == 1):
            raise ValueError(
                f"y has {y.ndim} dimension(s) but the model was fitted on "
                f"{self._y_ndim}-dimensional targets."
            )
        return y

    def _decode(self, output):
        return output.ravel() if self._y_ndim == 1 else output

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _validation_score(self, y_true, y_pred):
        from sklearn.metrics import r2_score

        return float(r2_score(y_true, y_pred))

    def predict(self, X):
        """Predict with the fitted network.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values.
        """
        return self._decode(self._output(X))


class HiddenTransformMixin(TransformerMixin):
    """``transform`` = the activations of the last hidden layer, for pipelines."""

    def transform(self, X):
        """Activations of the last hidden layer (features for a pipeline).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data (images too, for the convolutional estimators).

        Returns
        -------
        ndarray of shape (n_samples, n_hidden)
            Flattened activations before the output layer.
        """
        hidden = self._forward_until(X, len(self._network.layers) - 1)
        return hidden.reshape(hidden.shape[0], -1)  # (n, ...) -> (n, features)
