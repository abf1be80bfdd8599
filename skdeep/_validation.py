"""Small parameter checks shared by the estimators.

scikit-learn's own parameter-validation machinery is private; we keep ours small
and explicit so that every message names the parameter and what was expected.
"""

import contextlib
import numbers
import threading
import warnings

import numpy as np
import scipy.sparse as sp

__all__ = [
    "check_choice",
    "check_number",
    "check_bool",
    "check_dtype_param",
    "check_layer_sizes",
    "check_sample_weight",
    "check_training_params",
    "check_unchanged_architecture",
    "to_model_dtype",
    "mark_committed",
    "unchanged_on_failure",
]


#: Per thread, the rollback guards of the fits in progress (innermost last).
_fits = threading.local()


class _Guard:
    """Whether one fit in progress has committed its model (compared by identity)."""

    committed = False


@contextlib.contextmanager
def unchanged_on_failure(estimator):
    """Roll ``estimator``'s attributes back if the block raises (anything).

    The contract "a failed fit never changes a fitted model": attributes set or
    replaced on the way (validation state, new arrays) are restored, so
    training must work on copies rather than mutate fitted arrays in place.

    Once the fit has committed its model (:func:`mark_committed`, called by the
    training loop), a ``KeyboardInterrupt`` is no failure: the model is kept,
    with a warning, and the interrupt ends the fit there (a nested fit keeps its
    model and passes the interrupt on, so that the outer fit stops too).
    """
    snapshot = dict(estimator.__dict__)
    guards = _fits.__dict__.setdefault("guards", [])
    guard = _Guard()
    try:
        guards.append(guard)
        yield
    except KeyboardInterrupt:
        if not guard.committed:
            _restore(estimator, snapshot)
            raise
        if guards and guards[0] is not guard:
            raise  # a nested fit (a DBN's RBM): keep it, let the outer fit stop
        warnings.warn(
            "Training interrupted by the user as the fit ended; the model is kept.",
            UserWarning,
        )
    except BaseException:
        _restore(estimator, snapshot)
        raise
    finally:
        if guard in guards:  # identity: _Guard has no __eq__
            guards.remove(guard)


def mark_committed():
    """Tell the innermost fit in progress in this thread that its model is kept."""
    guards = getattr(_fits, "guards", None)
    if guards:
        guards[-1].committed = True


def _restore(estimator, snapshot):
    estimator.__dict__.clear()
    estimator.__dict__.update(snapshot)


def check_choice(name, value, choices):
    """Raise ``ValueError`` unless ``value`` is one of ``choices``."""
    if isinstance(value, str) or value is None:
        if value in choices:
            return value
    raise ValueError(
        f"The '{name}' parameter must be one of {sorted(map(str, choices))}; "
        f"got {value!r}."
    )


def check_number(name, value, *, kind=numbers.Real, low=None, high=None,
                 low_inclusive=True, high_inclusive=True, allow_none=False):
    """Raise ``TypeError``/``ValueError`` unless ``value`` is a number in range."""
    if value is None and allow_none:
        return value
    if isinstance(value, bool) or not isinstance(value, kind):
        what = "an integer" if kind is numbers.Integral else "a real number"
        raise TypeError(
            f"The '{name}' parameter must be {what}"
            + (" or None" if allow_none else "")
            + f"; got {value!r} of type {type(value).__name__}."
        )
    bad_low = low is not None and (value < low or (value == low and not low_inclusive))
    bad_high = high is not None and (
        value > high or (value == high and not high_inclusive)
    )
    if isinstance(value, numbers.Real) and not np.isfinite(value) and (
            low is None or high is None):
        raise ValueError(f"The '{name}' parameter must be a finite number; got "
                         f"{value!r}.")
    if bad_low or bad_high or (isinstance(value, float) and not np.isfinite(value)):
        lo = "-inf" if low is None else f"{low}"
        hi = "inf" if high is None else f"{high}"
        lb = "[" if low_inclusive else "("
        hb = "]" if high_inclusive else ")"
        raise ValueError(
            f"The '{name}' parameter must be in the range {lb}{lo}, {hi}{hb}; "
            f"got {value!r}."
        )
    return value


def check_bool(name, value):
    """Raise ``TypeError`` unless ``value`` is a bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"The '{name}' parameter must be a bool; got {value!r}.")
    return bool(value)


def check_dtype_param(value):
    """Validate the ``dtype`` parameter; return its name (``'float32'`` or
    ``'float64'``) or ``None``.

    A name, not a ``numpy.dtype``: estimators keep it as ``_dtype`` and in
    ``_built_with``, and plain strings keep their state free of numpy types
    (``skdeep.save`` writes it as JSON; skops trusts it without asking).
    """
    if value is None:
        return None
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = None
    if dtype not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(
            f"The 'dtype' parameter must be 'float32', 'float64' or None; got {value!r}."
        )
    return dtype.name


def check_layer_sizes(name, value):
    """Validate a hidden-layer-sizes parameter; return a tuple of positive ints."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        sizes = (value,)
    else:
        try:
            sizes = tuple(value)
        except TypeError:
            raise TypeError(
                f"The '{name}' parameter must be an int or a sequence of ints; "
                f"got {value!r}."
            ) from None
    for s in sizes:
        if isinstance(s, bool) or not isinstance(s, numbers.Integral):
            raise TypeError(
                f"The '{name}' parameter must contain integers; got {value!r}."
            )
        if s <= 0:
            raise ValueError(f"{name} must be > 0, got {list(sizes)}.")
    return tuple(int(s) for s in sizes)


def check_sample_weight(sample_weight, X):
    """``None``, or the weights as a float64 array of shape ``(n_samples,)``.

    As scikit-learn: a number weighs every sample the same; anything else must
    be one finite weight per row of ``X``.
    """
    if sample_weight is None:
        return None
    n_samples = X.shape[0] if hasattr(X, "shape") else len(X)
    if isinstance(sample_weight, numbers.Number):
        weights = np.full(n_samples, float(sample_weight))
    else:
        try:
            weights = np.asarray(sample_weight, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"sample_weight must be numbers; got {type(sample_weight).__name__}."
            ) from None
        if weights.ndim != 1:
            raise ValueError("Sample weights must be 1D array or scalar")
        if weights.shape != (n_samples,):
            raise ValueError(
                f"sample_weight.shape == {weights.shape}, expected {(n_samples,)}!"
            )
    if not np.isfinite(weights).all():
        raise ValueError("sample_weight must be finite (no NaN or infinity).")
    if n_samples and not weights.any():
        raise ValueError("Sample weights must contain at least one non-zero number.")
    return weights


def check_unchanged_architecture(estimator, built, now):
    """Refuse a warm start whose architecture parameters changed since the build.

    ``built`` and ``now`` map parameter names to checked values. A warm start
    (``warm_start=True``, ``partial_fit``) continues the model it has, so a
    changed value would be silently ignored, and ``get_params`` would describe
    another model than the fitted one.
    """
    warm = hasattr(estimator, "warm_start")
    for name, value in now.items():
        if name in built and value != built[name]:
            raise ValueError(
                f"{name}={getattr(estimator, name)!r} differs from the value the "
                f"fitted model was built with ({built[name]!r}). "
                + ("warm_start=True and partial_fit continue" if warm
                   else "partial_fit continues")
                + f" that model and cannot change {name}: set it back, or "
                + ("fit with warm_start=False" if warm else "call fit")
                + " to train a new one."
            )


def to_model_dtype(X, dtype, whom, fitting=False):
    """Validated ``X`` (dense or sparse) cast to the model's compute ``dtype``.

    Validation has checked that ``X`` is finite, so an infinity after the cast
    is an overflow: a float64 value beyond ±3.4e38 for a float32 model, which
    would otherwise turn into NaN outputs without a word.
    """
    with np.errstate(over="ignore"):  # reported below, with the remedy
        cast = X.astype(dtype, copy=False)
    if cast is not X and cast.dtype == np.float32:
        values = cast.data if sp.issparse(cast) else cast
        if not np.isfinite(values).all():
            # in fit, scikit-learn's words for what would follow
            raise ValueError(
                ("Solver produced non-finite parameter weights. The input data may "
                 "contain large values and need to be preprocessed: " if fitting
                 else "")
                + "X has values beyond the float32 range (|x| > 3.4e38), and this "
                f"{whom} computes in float32: scale X, or fit with dtype='float64'."
            )
    return cast


def check_training_params(estimator, solvers):
    """Check the training parameters every network estimator shares (the names
    and ranges of scikit-learn's MLP)."""
    est = estimator
    check_choice("solver", est.solver, solvers)
    check_choice("learning_rate", est.learning_rate,
                 ("constant", "invscaling", "adaptive"))
    check_number("learning_rate_init", est.learning_rate_init, low=0,
                 low_inclusive=False)
    check_number("max_iter", est.max_iter, kind=numbers.Integral, low=1)
    check_number("tol", est.tol, low=0, allow_none=True)
    check_number("power_t", est.power_t, low=0)
    check_number("momentum", est.momentum, low=0, high=1)
    check_number("beta_1", est.beta_1, low=0, high=1, high_inclusive=False)
    check_number("beta_2", est.beta_2, low=0, high=1, high_inclusive=False)
    check_number("epsilon", est.epsilon, low=0, low_inclusive=False)
    check_number("validation_fraction", est.validation_fraction, low=0, high=1,
                 low_inclusive=False, high_inclusive=False)
    if not (isinstance(est.n_iter_no_change, numbers.Real)
            and est.n_iter_no_change == np.inf):  # inf: never stop early
        check_number("n_iter_no_change", est.n_iter_no_change,
                     kind=numbers.Integral, low=1)
    for name in ("shuffle", "warm_start", "early_stopping", "nesterovs_momentum"):
        check_bool(name, getattr(est, name))
    check_number("verbose", int(est.verbose) if isinstance(est.verbose, bool)
                 else est.verbose, kind=numbers.Integral, low=0)
    if est.batch_size is not None and not (
        isinstance(est.batch_size, str) and est.batch_size == "auto"
    ):
        check_number("batch_size", est.batch_size, kind=numbers.Integral, low=1)
    check_dtype_param(est.dtype)
