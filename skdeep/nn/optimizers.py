"""Optimizers that update lists of parameter arrays in place.

Every optimizer keeps its whole state (velocities, moments, step count, current
learning rate) as attributes, so an estimator that keeps the optimizer between
``fit`` calls resumes exactly where it stopped.
"""

import copy
import functools

import numpy as np

__all__ = [
    "Optimizer",
    "SGD",
    "Adagrad",
    "Adadelta",
    "Adam",
    "OPTIMIZERS",
    "clip_grad_norm",
]


class Optimizer:
    """Base class with scikit-learn's learning-rate schedules.

    A subclass implements one update rule; :meth:`step` applies it in place to
    lists of arrays. The whole state (steps, velocities or moments, the
    scheduled rate) lives on the object, so an estimator that keeps its
    optimizer between calls resumes exactly.

    Parameters
    ----------
    learning_rate_init : float
        Initial step size.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Schedule, as in :class:`sklearn.neural_network.MLPClassifier`:
        ``'invscaling'`` sets ``lr = learning_rate_init / (t + 1) ** power_t`` after
        each epoch (``t`` = samples seen); ``'adaptive'`` divides the rate by 5
        when training stops improving, until it falls below 1e-6.
    power_t : float, default=0.5
        Exponent of ``'invscaling'``.

    Attributes
    ----------
    learning_rate_ : float
        Current step size.
    n_steps_ : int
        Updates applied so far.

    See Also
    --------
    SGD : Gradient descent with momentum.
    Adam : Adaptive moments.

    Examples
    --------
    >>> from skdeep.nn import SGD, Optimizer
    >>> opt = SGD(learning_rate_init=0.1, learning_rate="invscaling")
    >>> isinstance(opt, Optimizer)
    True
    >>> opt.iteration_ends(99)  # after an epoch, 99 samples seen
    >>> round(opt.learning_rate_, 6)
    0.01
    """

    def __init__(self, learning_rate_init=0.001, learning_rate="constant", power_t=0.5):
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.learning_rate_ = float(learning_rate_init)
        self.n_steps_ = 0
        self.state_ = None

    def step(self, params, grads):
        """Apply one update to ``params`` (in place) from ``grads``.

        Parameters
        ----------
        params : list of ndarray
            Parameter arrays, updated in place.
        grads : list of ndarray
            Gradients, one per parameter array; not modified.
        """
        if self.state_ is None:
            self.state_ = self._init_state(params)
        self.n_steps_ += 1
        self._update(params, grads)

    def _init_state(self, params):
        return []

    def _update(self, params, grads):
        raise NotImplementedError

    #: Elements per block of a blockwise update (256 KiB of float32).
    _BLOCK = 1 << 16

    def _blockwise(self, update, arrays):
        """Call ``update(*arrays, t1=, t2=)`` on cache-sized blocks of ``arrays``.

        An update written as numpy expressions on whole arrays makes each
        temporary a memory pass (and page faults); on flat blocks of
        ``_BLOCK`` elements with two reused work arrays ``t1``, ``t2`` the same
        operations, in the same order, stay in cache. Small or strided arrays
        are updated whole.
        """
        p = arrays[0]
        if p.size <= self._BLOCK or not all(a.flags.c_contiguous for a in arrays):
            update(*arrays, t1=np.empty_like(p), t2=np.empty_like(p))
            return
        flat = [a.reshape(-1) for a in arrays]
        t1, t2 = self._scratch(p.dtype)
        for begin in range(0, p.size, self._BLOCK):
            end = min(begin + self._BLOCK, p.size)
            update(*(a[begin:end] for a in flat), t1=t1[:end - begin],
                   t2=t2[:end - begin])

    def _scratch(self, dtype):
        """Two work blocks, kept between steps (scratch, not state)."""
        buffers = self.__dict__.get("_buffers")
        if buffers is None or buffers[0].dtype != dtype:
            buffers = self._buffers = (np.empty(self._BLOCK, dtype),
                                       np.empty(self._BLOCK, dtype))
        return buffers

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_buffers", None)  # scratch: nothing to save
        return state

    def __deepcopy__(self, memo):
        # Every attribute but the state is a number or a string, and the state
        # is arrays (or tuples of arrays): copying those directly is several
        # times faster than the generic deepcopy, and the training loop keeps a
        # copy of the optimizer after every epoch to roll back to.
        new = copy.copy(self)
        memo[id(self)] = new
        if self.state_ is not None:
            new.state_ = [tuple(a.copy() for a in s) if isinstance(s, tuple)
                          else s.copy() for s in self.state_]
        return new

    def iteration_ends(self, time_step):
        """Update the schedule at the end of an epoch.

        Parameters
        ----------
        time_step : int
            Number of training samples seen so far.
        """
        if self.learning_rate == "invscaling":
            self.learning_rate_ = self.learning_rate_init / (time_step + 1) ** self.power_t

    def trigger_stopping(self, message, verbose):
        """Decide whether to stop when training has stopped improving.

        Parameters
        ----------
        message : str
            Reason printed when ``verbose``.
        verbose : bool
            Whether to print.

        Returns
        -------
        bool
            ``True`` to stop, ``False`` when the adaptive schedule lowered the rate
            and training should go on.
        """
        if self.learning_rate != "adaptive":
            if verbose:
                print(message + " Stopping.")
            return True
        if self.learning_rate_ <= 1e-6:
            if verbose:
                print(message + " Learning rate too small. Stopping.")
            return True
        self.learning_rate_ /= 5.0
        if verbose:
            print(message + f" Setting learning rate to {self.learning_rate_:f}")
        return False

    def __repr__(self):
        return f"{type(self).__name__}(learning_rate_={self.learning_rate_:g})"


class SGD(Optimizer):
    """Stochastic gradient descent with (Nesterov) momentum, as scikit-learn's MLP.

    ``nesterov=False`` gives the classical momentum that ConvNetJS's trainer
    uses.

    Parameters
    ----------
    learning_rate_init : float, default=0.1
        Initial step size.
    momentum : float, default=0.9
        Momentum in ``[0, 1]``.
    nesterov : bool, default=True
        Use Nesterov's momentum.
    learning_rate : str, default='constant'
        Schedule (see :class:`Optimizer`).
    power_t : float, default=0.5
        Exponent of ``'invscaling'``.

    See Also
    --------
    Adam : Adaptive per-coordinate steps.

    Notes
    -----
    ``v ← μ v - η g``; the update is ``v`` (classical) or ``μ v - η g`` (Nesterov).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import SGD
    >>> opt = SGD(learning_rate_init=0.1, momentum=0.0)
    >>> w = np.array([1.0, -2.0])
    >>> opt.step([w], [np.array([0.5, 0.5])])
    >>> w.tolist(), opt.n_steps_
    ([0.95, -2.05], 1)
    """

    def __init__(
        self,
        learning_rate_init=0.1,
        momentum=0.9,
        nesterov=True,
        learning_rate="constant",
        power_t=0.5,
    ):
        super().__init__(learning_rate_init, learning_rate, power_t)
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)

    def _init_state(self, params):
        return [np.zeros_like(p) for p in params]

    def _update(self, params, grads):
        for p, g, v in zip(params, grads, self.state_):
            self._blockwise(self._update_block, (p, g, v))

    def _update_block(self, p, g, v, *, t1, t2):
        """``p -= lr·g``, or with momentum ``v = μv − lr·g`` and ``p += v``
        (Nesterov: ``p += μv − lr·g``), the same operations in the same order
        as on whole arrays."""
        lr, mu = p.dtype.type(self.learning_rate_), p.dtype.type(self.momentum)
        np.multiply(g, lr, out=t1)
        if self.momentum == 0:
            p -= t1
            return
        v *= mu
        v -= t1
        if self.nesterov:
            np.multiply(v, mu, out=t2)
            t2 -= t1
            p += t2
        else:
            p += v


class Adagrad(Optimizer):
    """Adagrad: per-coordinate steps scaled by the root of summed squared gradients.

    Coordinates whose gradients have been large take small steps, rarely
    updated ones large steps (Duchi et al. 2011); one of ConvNetJS's trainers.

    Parameters
    ----------
    learning_rate_init : float, default=0.01
        Step size.
    epsilon : float, default=1e-8
        Added to the denominator.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Schedule (see :class:`Optimizer`).
    power_t : float, default=0.5
        Exponent of ``'invscaling'``.

    See Also
    --------
    Adadelta : Adagrad with decaying averages and no step size.

    Notes
    -----
    ``G ← G + g²``; ``p ← p - η g / (√G + ε)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Adagrad
    >>> w = np.zeros(2)
    >>> Adagrad(learning_rate_init=0.1).step([w], [np.array([4.0, 0.01])])
    >>> w.round(4).tolist()  # the same step for both coordinates
    [-0.1, -0.1]
    """

    def __init__(
        self, learning_rate_init=0.01, epsilon=1e-8, learning_rate="constant", power_t=0.5
    ):
        super().__init__(learning_rate_init, learning_rate, power_t)
        self.epsilon = float(epsilon)

    def _init_state(self, params):
        return [np.zeros_like(p) for p in params]

    def _update(self, params, grads):
        for p, g, acc in zip(params, grads, self.state_):
            acc += g * g
            p -= p.dtype.type(self.learning_rate_) * g / (np.sqrt(acc) + self.epsilon)


class Adadelta(Optimizer):
    """Adadelta (Zeiler 2012), ConvNetJS's default trainer for its CIFAR-10 demo.

    It needs no step size: each coordinate moves by the ratio of the running
    RMS of its past updates to that of its past gradients.

    Parameters
    ----------
    rho : float, default=0.95
        Decay of the running averages (ConvNetJS's ``ro``).
    epsilon : float, default=1e-8
        Conditioning constant (ConvNetJS's ``eps``).
    learning_rate_init : float, default=1.0
        Multiplier of the Adadelta step (1.0 is the algorithm as published and as
        ConvNetJS runs it).

    See Also
    --------
    Adagrad : Summed instead of decaying squared gradients.
    Adam : Adaptive moments with a step size.

    Notes
    -----
    ``E[g²] ← ρE[g²] + (1-ρ)g²``; ``Δ = -√((E[Δ²]+ε)/(E[g²]+ε)) g``;
    ``E[Δ²] ← ρE[Δ²] + (1-ρ)Δ²``; ``p ← p + η Δ``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Adadelta
    >>> w = np.zeros(1)
    >>> Adadelta().step([w], [np.array([1.0])])
    >>> bool(w[0] < 0)
    True
    """

    def __init__(self, rho=0.95, epsilon=1e-8, learning_rate_init=1.0):
        super().__init__(learning_rate_init, "constant", 0.5)
        self.rho = float(rho)
        self.epsilon = float(epsilon)

    def _init_state(self, params):
        return [(np.zeros_like(p), np.zeros_like(p)) for p in params]

    def _update(self, params, grads):
        rho, eps = self.rho, self.epsilon
        for p, g, (gsum, xsum) in zip(params, grads, self.state_):
            gsum *= rho
            gsum += (1 - rho) * g * g
            dx = -np.sqrt((xsum + eps) / (gsum + eps)) * g
            xsum *= rho
            xsum += (1 - rho) * dx * dx
            p += p.dtype.type(self.learning_rate_) * dx


class Adam(Optimizer):
    """Adam (Kingma & Ba 2014) with bias correction, as scikit-learn's MLP.

    Each coordinate's step follows running averages of its gradient and of its
    squared gradient, corrected for their zero start; the default solver of
    :class:`skdeep.MLPNet`, as of scikit-learn's MLP.

    Parameters
    ----------
    learning_rate_init : float, default=0.001
        Step size.
    beta_1, beta_2 : float, default=0.9, 0.999
        Decay rates of the first and second moment estimates.
    epsilon : float, default=1e-8
        Numerical stability constant.

    See Also
    --------
    SGD : Plain momentum.
    Adadelta : Adaptive steps without a step size.

    Notes
    -----
    ``m ← β₁m + (1-β₁)g``; ``v ← β₂v + (1-β₂)g²``;
    ``p ← p - η √(1-β₂ᵗ)/(1-β₁ᵗ) · m / (√v + ε)`` (ConvNetJS multiplies by the bias
    correction instead of dividing; we do not copy that).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Adam
    >>> w = np.zeros(2)
    >>> Adam(learning_rate_init=0.1).step([w], [np.array([3.0, -0.5])])
    >>> w.round(4).tolist()  # the first step is the step size, whatever the scale
    [-0.1, 0.1]
    """

    def __init__(self, learning_rate_init=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        super().__init__(learning_rate_init, "constant", 0.5)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)

    def _init_state(self, params):
        return [(np.zeros_like(p), np.zeros_like(p)) for p in params]

    def _update(self, params, grads):
        t = self.n_steps_
        lr = self.learning_rate_ * np.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        update = functools.partial(self._update_block, lr=lr)
        for p, g, (m, v) in zip(params, grads, self.state_):
            self._blockwise(update, (p, g, m, v))

    def _update_block(self, p, g, m, v, *, lr, t1, t2):
        """``m += (1-β₁)g; v += (1-β₂)g²; p -= lr·m / (√v + ε)`` (after the
        decays), the same operations in the same order as whole arrays."""
        b1, b2 = self.beta_1, self.beta_2
        m *= b1
        np.multiply(g, 1 - b1, out=t1)
        m += t1
        v *= b2
        np.multiply(g, g, out=t1)
        t1 *= 1 - b2
        v += t1
        np.multiply(m, p.dtype.type(lr), out=t1)
        np.sqrt(v, out=t2)
        t2 += p.dtype.type(self.epsilon)
        t1 /= t2
        p -= t1


#: Solver names the estimators accept, mapped to optimizer classes.
OPTIMIZERS = {"sgd": SGD, "adagrad": Adagrad, "adadelta": Adadelta, "adam": Adam}


def clip_grad_norm(grads, max_norm):
    """Scale ``grads`` in place so that their joint L2 norm is at most ``max_norm``.

    The recurrent networks' guard against exploding gradients (Pascanu et al.
    2013): the direction of the update is kept, only its length is capped.

    Parameters
    ----------
    grads : list of ndarray
        Gradients, modified in place.
    max_norm : float
        Largest allowed global norm.

    Returns
    -------
    float
        The norm before clipping.

    See Also
    --------
    skdeep.RNNLanguageModel : Its ``max_grad_norm`` parameter.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import clip_grad_norm
    >>> grads = [np.array([3.0]), np.array([4.0])]
    >>> clip_grad_norm(grads, 1.0)
    5.0
    >>> [round(float(g[0]), 4) for g in grads]
    [0.6, 0.8]
    """
    total = float(np.sqrt(sum(float(np.sum(g * g)) for g in grads)))
    if total > max_norm > 0:
        scale = max_norm / (total + 1e-6)
        for g in grads:
            g *= g.dtype.type(scale)
    return total
