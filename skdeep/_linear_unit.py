"""LinearUnitRegressor: the linear unit of "deep learning from zero", part 2."""

import numpy as np
from sklearn.base import RegressorMixin

from ._base import BaseNetwork, NetworkRegressorMixin
from ._validation import check_bool, check_number
from .nn import Dense, Sequential
from .nn.losses import SquaredError

__all__ = ["LinearUnitRegressor"]


class LinearUnitRegressor(NetworkRegressorMixin, RegressorMixin, BaseNetwork):
    """Linear unit (identity activation) trained by gradient descent on squared error.

    The model of seed 004 part 2: ``y = x·w + b`` with weights starting at zero and
    the update ``w ← w + η (t − y) x``. ``batch_size=1`` is the seed's sample-by-sample
    stochastic descent, an integer a minibatch, ``None`` full-batch descent. It runs
    on the same training machinery as :class:`MLPNet` (solvers, schedules, early
    stopping, exact warm start) and supports several outputs.

    Parameters
    ----------
    solver : {'sgd', 'adam', 'adagrad', 'adadelta'}, default='sgd'
        Optimizer; ``'sgd'`` with ``momentum=0`` is plain gradient descent.
    learning_rate_init : float, default=0.01
        Step size ``η``.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Step-size schedule (see :class:`MLPNet`).
    batch_size : int, 'auto' or None, default='auto'
        1 = the seed's per-sample updates; ``None`` = full batch; ``'auto'`` =
        ``min(200, n_samples)``.
    max_iter : int, default=200
        Epochs.
    tol : float or None, default=1e-4
        Stop after ``n_iter_no_change`` epochs improving the loss by less than
        ``tol``; ``None`` runs all ``max_iter`` epochs.
    shuffle : bool, default=True
        Shuffle the samples every epoch.
    alpha : float, default=0.0
        L2 penalty on the weights.
    fit_intercept : bool, default=True
        Whether to learn the bias ``b``.
    random_state : int, RandomState instance or None, default=None
        Seeds shuffling and the validation split.
    warm_start : bool, default=False
        Continue from the previous fit, optimizer state included.
    early_stopping : bool, default=False
        Stop on a held-out validation score and keep the best weights.
    validation_fraction : float, default=0.1
        Held-out fraction for early stopping.
    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.
    momentum : float, default=0.0
        Momentum for ``'sgd'`` (0 = the seed's plain descent).
    nesterovs_momentum : bool, default=False
        Nesterov's momentum for ``'sgd'``.
    power_t : float, default=0.5
        Exponent of ``'invscaling'``.
    beta_1, beta_2, epsilon : float, default=0.9, 0.999, 1e-8
        Adam's constants.
    verbose : bool or int, default=False
        Print one line per epoch.
    dtype : {'float32', 'float64'} or None, default='float32'
        Computation dtype; ``None`` follows the input.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        Weights.
    intercept_ : float or ndarray of shape (n_targets,)
        Bias.
    loss_ : float
        Final training loss (half mean squared error).
    loss_curve_ : list of float
        Loss per epoch.
    n_iter_ : int
        Epochs run by the last ``fit`` or ``partial_fit`` call.
    t_ : int
        Samples seen.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Input feature names, when given.

    See Also
    --------
    sklearn.linear_model.SGDRegressor : Linear models by stochastic descent.
    sklearn.linear_model.LinearRegression : The closed-form least-squares solution.

    Notes
    -----
    Loss ``L = (1/2N) Σ (x·w + b − t)²``; gradient ``(x·w + b − t) x / N``.

    Examples
    --------
    >>> from skdeep import LinearUnitRegressor
    >>> X = [[5], [3], [8], [1.4], [10.1]]
    >>> y = [5500, 2300, 7600, 1800, 11400]
    >>> unit = LinearUnitRegressor(batch_size=1, max_iter=10, shuffle=False,
    ...                            tol=None, dtype="float64").fit(X, y)
    >>> round(float(unit.coef_[0]), 4), round(float(unit.intercept_), 4)
    (1124.0635, 85.4853)
    """

    _accept_sparse = True

    def __init__(
        self,
        *,
        solver="sgd",
        learning_rate_init=0.01,
        learning_rate="constant",
        batch_size="auto",
        max_iter=200,
        tol=1e-4,
        shuffle=True,
        alpha=0.0,
        fit_intercept=True,
        random_state=None,
        warm_start=False,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        momentum=0.0,
        nesterovs_momentum=False,
        power_t=0.5,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        verbose=False,
        dtype="float32",
    ):
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.random_state = random_state
        self.warm_start = warm_start
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.power_t = power_t
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.verbose = verbose
        self.dtype = dtype

    def _check_extra_params(self):
        check_bool("fit_intercept", self.fit_intercept)
        check_number("alpha", self.alpha, low=0)

    def _architecture(self):
        return {**super()._architecture(), "fit_intercept": bool(self.fit_intercept)}

    def _build_network(self, input_shape, n_outputs, rng_init, rng_dropout, dtype):
        (n_features,) = input_shape
        return Sequential([
            Dense(n_features, n_outputs, rng=rng_init, dtype=dtype, init="zeros",
                  bias=self.fit_intercept)
        ])

    def _build_loss(self):
        return SquaredError("identity")

    def _learned_attributes(self, network):
        dense = network.layers[0]
        W = dense.params["W"]  # (n_features, n_targets)
        b = dense.params.get("b", np.zeros(W.shape[1], dtype=W.dtype))
        if self._y_ndim == 1:
            return {"coef_": W[:, 0].copy(), "intercept_": float(b[0])}
        # (n_targets, n_features), scikit-learn's layout
        return {"coef_": W.T.copy(), "intercept_": b.copy()}

    def partial_fit(self, X, y, sample_weight=None):
        """Run one epoch of gradient descent on the given data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (see :meth:`fit`).

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, sample_weight=sample_weight)
