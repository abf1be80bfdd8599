"""SciPy's L-BFGS-B (``solver='lbfgs'``) as epochs of the one training loop.

SciPy drives the iterations; its per-iteration callback books each one as an
epoch of :class:`~skdeep._training.EpochLoop`, so that the divergence guard,
interrupts, ``verbose`` and callbacks are the loop's, as for every other solver.
"""

import numpy as np

from ._training import Diverged, EpochLoop

__all__ = ["run_lbfgs"]


def run_lbfgs(network, loss, X, Y, sample_weight, state, params, *, penalty,
              max_iter, max_fun, tol, **options):
    """Minimise the full-batch loss of ``network`` with L-BFGS-B.

    Parameters
    ----------
    network : skdeep.nn.Sequential
        The network; ``params`` are its live arrays.
    loss : skdeep.nn.losses.Loss
        The loss on the logits.
    X, Y : ndarray
        Inputs and encoded targets.
    sample_weight : ndarray or None
        Row weights of the loss.
    state : TrainState
        Updated in place.
    params : list of ndarray
        ``network.param_arrays()``.
    penalty : callable
        ``penalty() -> float``: the weight penalty, its gradient added to the
        network's gradients.
    max_iter, max_fun : int
        SciPy's ``maxiter`` and ``maxfun``.
    tol : float or None
        SciPy's ``gtol`` (``None``: 0).
    **options
        Keyword arguments of :class:`~skdeep._training.EpochLoop`.
    """
    import scipy
    from scipy.optimize import minimize

    grads = network.grad_arrays()
    shapes = [p.shape for p in params]
    splits = np.cumsum([p.size for p in params])[:-1]
    n = X.shape[0]
    # SciPy >= 1.11 ends the run when the callback raises StopIteration
    can_stop = tuple(int(v) for v in scipy.__version__.split(".")[:2]) >= (1, 11)

    def unpack(theta):
        for p, part, shape in zip(params, np.split(theta, splits), shapes):
            p[...] = part.reshape(shape)

    def objective(theta):
        unpack(theta)
        z = network.forward(X, training=True)
        value, grad = loss.loss(z, Y, sample_weight)
        network.backward(grad)
        value += penalty()
        return value, np.concatenate([g.ravel() for g in grads]).astype(np.float64)

    loop = EpochLoop(state, params, max_epochs=max_iter, **options)

    def iteration_done(intermediate_result):
        # SciPy < 1.11 passes the parameter vector instead of an OptimizeResult
        x = getattr(intermediate_result, "x", intermediate_result)
        unpack(x)
        value = getattr(intermediate_result, "fun", None)
        if value is None:
            value = objective(x)[0]
            unpack(x)
        if loop.end_epoch(value, n) and can_stop:
            raise StopIteration

    theta0 = np.concatenate([p.ravel() for p in params]).astype(np.float64)
    with loop:
        result = minimize(
            objective, theta0, method="L-BFGS-B", jac=True,
            options={"maxfun": max_fun, "maxiter": max_iter,
                     "gtol": 0.0 if tol is None else tol},
            callback=iteration_done,
        )
        if not np.all(np.isfinite(result.x)):
            raise Diverged
        if loop.reason is None:
            unpack(result.x)
            if result.status != 0:
                loop.max_iter_warning = (
                    f"lbfgs failed to converge after {result.nit} iterations "
                    f"(status={result.status}): {result.message}. Increase "
                    "max_iter or scale the data.")
                loop.reason = "max_iter"
            else:
                loop.reason = "converged"
            state.loss = float(result.fun)
