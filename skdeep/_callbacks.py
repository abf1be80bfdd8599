"""``sklearn.callback`` glue (scikit-learn >= 1.9): one subtask per epoch.

On scikit-learn 1.6 - 1.8 there is no ``sklearn.callback``: the mixin is an
empty stand-in (so no estimator has ``set_callbacks``) and the decorator returns
the method unchanged.
"""

import contextlib

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin, with_callbacks
except ImportError:  # scikit-learn 1.6 - 1.8: no callbacks, no set_callbacks

    class CallbackSupportMixin:
        """Stand-in for scikit-learn < 1.9, which has no ``sklearn.callback``."""

    def with_callbacks(method):
        """Stand-in decorator for scikit-learn < 1.9: the method unchanged."""
        return method


__all__ = ["CallbackSupportMixin", "FitCallbacks", "with_callbacks"]


class FitCallbacks:
    """The ``sklearn.callback`` context of one fit, or nothing to do.

    Built before the fit's ``unchanged_on_failure`` block, so that a failed fit
    still tears its callbacks down. On scikit-learn < 1.9, or when no callback
    is set and no meta-estimator propagates one, every method does nothing.

    Parameters
    ----------
    estimator : estimator
        The estimator being fitted (a ``CallbackSupportMixin``).
    max_epochs : int or None
        Most epochs this fit can run: the root task's number of subtasks.
    """

    def __init__(self, estimator, max_epochs):
        self.estimator = estimator
        self.X = self.y = self.metadata = None
        self.ctx = None
        self._epoch_ctx = None
        init = getattr(estimator, "_init_callback_context", None)
        # The mixin's documented entry point for estimators; it also links the
        # task tree to a meta-estimator's (Pipeline, GridSearchCV).
        if init is not None and (getattr(estimator, "_skl_callbacks", None)
                                 or hasattr(estimator, "_parent_callback_ctx")):
            self.ctx = init(max_subtasks=max_epochs)

    def begin(self, X, y=None, sample_weight=None):
        """Begin the root task on the validated training data.

        ``X`` and ``y`` are what the estimator's public methods accept (the
        scorers of ``ScoringMonitor`` call them, with ``sample_weight``).
        """
        self.X, self.y = X, y
        self.metadata = None if sample_weight is None else {
            "sample_weight": sample_weight}
        if self.ctx is not None:
            self.ctx.call_on_fit_task_begin(estimator=self.estimator, X=X, y=y,
                                            metadata=self.metadata)

    def epoch_begin(self):
        if self.ctx is not None and self._epoch_ctx is None:
            self._epoch_ctx = self.ctx.subcontext(task_name="epoch")
            self._epoch_ctx.call_on_fit_task_begin(
                estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata)

    def epoch_end(self, fitted_attributes):
        """End the epoch's subtask; return whether a callback asks to stop."""
        if self.ctx is None:
            return False
        self.epoch_begin()
        ctx, self._epoch_ctx = self._epoch_ctx, None
        return bool(ctx.call_on_fit_task_end(
            estimator=self.estimator, X=self.X, y=self.y, metadata=self.metadata,
            reconstruction_attributes=fitted_attributes))

    @contextlib.contextmanager
    def nested(self, task_name, estimator):
        """Run ``estimator``'s fit as one subtask of this fit.

        Auto-propagated callbacks (``ProgressBar``) follow it; the sub-estimator's
        fit must be wrapped by ``with_callbacks``.
        """
        if self.ctx is None:
            yield
            return
        with self.ctx.subcontext(task_name=task_name).propagate_callback_context(
                estimator):
            yield

    def end(self):
        """End the root task (after the fitted attributes are set)."""
        if self.ctx is not None:
            if self._epoch_ctx is not None:  # an epoch that did not complete
                self._epoch_ctx.call_on_fit_task_end(estimator=self.estimator)
                self._epoch_ctx = None
            self.ctx.call_on_fit_task_end(estimator=self.estimator, X=self.X,
                                          y=self.y, metadata=self.metadata)
