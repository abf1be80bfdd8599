"""MLPNet and MLPNetRegressor: drop-ins for scikit-learn's MLPClassifier/Regressor."""

import numbers

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.metaestimators import available_if

from ._base import (
    BaseNetwork,
    NetworkClassifierMixin,
    NetworkRegressorMixin,
    check_stochastic_solver,
)
from ._validation import check_choice, check_layer_sizes, check_number
from .nn import Activation, Dense, Dropout, Sequential
from .nn.activations import ACTIVATIONS
from .nn.losses import PoissonLoss, SquaredError

__all__ = ["MLPNet", "MLPNetRegressor"]

_PARAMETERS_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of neurons in the ith hidden layer; ``()``
        gives a network without hidden layer (softmax / linear regression).
    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', \
'softplus'}, default='relu'
        Hidden-layer activation. ``leaky_relu`` and ``softplus`` go beyond
        scikit-learn.
    solver : {'lbfgs', 'sgd', 'adam', 'adagrad', 'adadelta'}, default='adam'
        Weight optimizer. ``adagrad`` and ``adadelta`` (ConvNetJS's trainers) go
        beyond scikit-learn; ``adadelta`` sets its own step sizes and ignores
        ``learning_rate_init``.
    alpha : float, default=0.0001
        Strength of the penalty on the weights (not the biases).
    batch_size : int, 'auto' or None, default='auto'
        Minibatch size; ``'auto'`` is ``min(200, n_samples)``, ``None`` the full batch.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Step-size schedule for ``sgd`` (and ``adagrad``).
    learning_rate_init : float, default=0.001
        Initial step size.
    power_t : float, default=0.5
        Exponent of ``'invscaling'``.
    max_iter : int, default=200
        Epochs for the stochastic solvers; iterations for ``lbfgs``.
    shuffle : bool, default=True
        Shuffle the samples every epoch.
    random_state : int, RandomState instance or None, default=None
        Seeds the weight initialisation, shuffling, dropout and the validation split.
    tol : float, default=1e-4
        Improvement below which an epoch counts as no improvement.
    verbose : bool or int, default=False
        Print one line per epoch (loss, validation score, seconds).
    warm_start : bool, default=False
        Continue from the previous fit, optimizer state and random streams included,
        so that two warm fits of ``a`` and ``b`` epochs equal one of ``a + b``.
    momentum : float, default=0.9
        Momentum for ``sgd``.
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the data, stop when its score stops
        improving and restore the best weights.
    validation_fraction : float, default=0.1
        Held-out fraction for early stopping.
    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's decay rates.
    epsilon : float, default=1e-8
        Adam's, Adagrad's and Adadelta's conditioning constant.
    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.
    max_fun : int, default=15000
        Maximum loss evaluations for ``lbfgs``.
    dropout : float, default=0.0
        Inverted-dropout rate after every hidden layer (beyond scikit-learn).
    penalty : {'l2', 'l1', 'elasticnet'}, default='l2'
        Kind of weight penalty scaled by ``alpha`` (beyond scikit-learn).
    l1_ratio : float, default=0.15
        L1 share of the ``'elasticnet'`` penalty.
    dtype : {'float32', 'float64'} or None, default='float32'
        Computation dtype. ``None`` follows the input (float64 in, float64 out),
        as scikit-learn does; float32 is the deliberate default for speed.
"""

#: Parameters up to ``max_fun``: MLPNet's ``loss`` comes next in its signature.
_BEFORE_LOSS = (
    "hidden_layer_sizes", "activation", "solver", "alpha", "batch_size",
    "learning_rate", "learning_rate_init", "power_t", "max_iter", "shuffle",
    "random_state", "tol", "verbose", "warm_start", "momentum",
    "nesterovs_momentum", "early_stopping", "validation_fraction",
    "beta_1, beta_2", "epsilon", "n_iter_no_change", "max_fun",
)
_AFTER_LOSS = ("dropout", "penalty", "l1_ratio", "dtype")


def _split_entries(section):
    """``{names: entry text}`` of a numpydoc Parameters section."""
    entries, name = {}, None
    for line in section.splitlines(keepends=True)[3:]:  # after the underline
        if line.startswith("    ") and not line.startswith("     "):
            name = line.split(" : ")[0].strip()
            entries[name] = line
        elif name is not None:
            entries[name] += line
    return entries


_ENTRIES = _split_entries(_PARAMETERS_DOC)


def parameter_docs(*names, **replacements):
    """MLPNet's Parameters entries of ``names``, for estimators sharing them.

    One text for the training parameters that the networks share;
    ``replacements`` maps a name to the entry an estimator documents instead
    (another default, a restriction). ``tests/test_docstrings.py`` checks every
    documented default against the estimator's signature.
    """
    return "".join(replacements.get(name.split(",")[0], _ENTRIES[name])
                   for name in names)


_ATTRIBUTES_DOC = """
    Attributes
    ----------
    loss_ : float
        Training loss at the end of fitting.
    best_loss_ : float or None
        Lowest training loss (``None`` with early stopping or ``lbfgs``).
    loss_curve_ : list of float
        Training loss per epoch (stochastic solvers).
    validation_scores_ : list of float or None
        Validation score per epoch with early stopping.
    validation_loss_curve_ : list of float or None
        Validation loss per epoch with early stopping.
    best_validation_score_ : float or None
        Best validation score with early stopping.
    t_ : int
        Training samples seen.
    coefs_ : list of ndarray
        Weight matrix of each layer, ``coefs_[i]`` of shape (n_in, n_out).
    intercepts_ : list of ndarray
        Bias vector of each layer.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Input feature names, when ``X`` had string column names.
    n_iter_ : int
        Epochs (``lbfgs``: iterations) run by the last ``fit`` or ``partial_fit``
        call, as scikit-learn's; ``t_`` and ``loss_curve_`` count every call.
    n_layers_ : int
        Number of layers, input and output included.
    n_outputs_ : int
        Number of output units.
    out_activation_ : str
        Output unit: 'softmax', 'logistic', 'identity' or 'exp'.
"""


class _BaseMLP(BaseNetwork):
    _supports_lbfgs = True
    _accept_sparse = True

    def _check_extra_params(self):
        check_layer_sizes("hidden_layer_sizes", self.hidden_layer_sizes)
        check_number("alpha", self.alpha, low=0)
        check_choice("activation", self.activation, tuple(ACTIVATIONS))
        check_number("max_fun", self.max_fun, kind=numbers.Integral, low=1)
        check_number("dropout", self.dropout, low=0, high=1, high_inclusive=False)
        check_choice("penalty", self.penalty, ("l2", "l1", "elasticnet"))
        check_number("l1_ratio", self.l1_ratio, low=0, high=1)
        check_choice("loss", self.loss, self._losses)

    def _architecture(self):
        return {**super()._architecture(),
                "hidden_layer_sizes": check_layer_sizes("hidden_layer_sizes",
                                                        self.hidden_layer_sizes),
                "activation": self.activation, "dropout": float(self.dropout),
                "loss": self.loss}

    def _build_network(self, input_shape, n_outputs, rng_init, rng_dropout, dtype):
        (n_features,) = input_shape
        sizes = [n_features, *check_layer_sizes("hidden_layer_sizes",
                                                self.hidden_layer_sizes), n_outputs]
        # scikit-learn's Glorot bound uses factor 2 instead of 6 for logistic units.
        gain = 1 / np.sqrt(3) if self.activation == "logistic" else 1.0
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Dense(n_in, n_out, rng=rng_init, dtype=dtype, gain=gain))
            if i < len(sizes) - 2:
                layers.append(Activation(self.activation))
                if self.dropout > 0:
                    layers.append(Dropout(self.dropout, rng=rng_dropout))
        return Sequential(layers)

    def _learned_attributes(self, network):
        dense = [layer for layer in network.layers if isinstance(layer, Dense)]
        return {
            "coefs_": [layer.params["W"] for layer in dense],
            "intercepts_": [layer.params["b"] for layer in dense],
            "n_layers_": len(dense) + 1,
            "n_outputs_": dense[-1].n_out,
        }


class MLPNet(NetworkClassifierMixin, ClassifierMixin, _BaseMLP):
    __doc__ = (
        """Multi-layer perceptron classifier trained by backpropagation.

    A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`: the
    same parameters with the same defaults and meanings, the same fitted
    attributes and methods. Beyond it: float32 computation, exact warm-start and
    ``partial_fit`` resume, ``adagrad``/``adadelta`` solvers, dropout, L1 and
    elastic-net penalties, more activations, and a choice of ``loss``.

    Parameters
    ----------
"""
        + parameter_docs(*_BEFORE_LOSS)
        + """    loss : {'log_loss', 'squared_error', 'hinge'}, default='log_loss'
        ``'squared_error'`` is the mean squared error on the softmax/logistic
        outputs (the Keras net of seed 002); ``'hinge'`` is the multiclass hinge
        loss (ConvNetJS's ``svm``), with ``predict_proba`` the softmax of the scores.
"""
        + parameter_docs(*_AFTER_LOSS)
        + _ATTRIBUTES_DOC
        + """    classes_ : ndarray of shape (n_classes,)
        Class labels.

    See Also
    --------
    MLPNetRegressor : The regression twin.
    sklearn.neural_network.MLPClassifier : The estimator this one replaces.

    Notes
    -----
    Forward pass ``a_{l+1} = f(a_l W_l + b_l)``, output softmax (multiclass) or
    logistic (binary, multilabel); backpropagation of the fused
    ``softmax(z) - y`` gradient; penalty ``alpha/(2 n_batch) Σ‖W‖²`` per batch as
    scikit-learn. Seeds: dnn.js ``mlp.js`` (000), the Keras 784-500-500-10 net
    (002), "deep learning from zero" part 3 (004).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import MLPNet
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = MLPNet(hidden_layer_sizes=(64,), max_iter=30, random_state=0)
    >>> clf.fit(X / 16, y).score(X / 16, y) > 0.95
    True
    """
    )

    _losses = ("log_loss", "squared_error", "hinge")

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        loss="log_loss",
        dropout=0.0,
        penalty="l2",
        l1_ratio=0.15,
        dtype="float32",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.loss = loss
        self.dropout = dropout
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.dtype = dtype

    def _build_loss(self):
        return self._classification_loss()

    @available_if(check_stochastic_solver)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_classes)
            Target labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (see :meth:`fit`).
        classes : array-like of shape (n_classes,), default=None
            All classes; required on the first call, as scikit-learn's (for
            multilabel indicator targets the columns of ``y`` define them).

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, classes=classes,
                                 sample_weight=sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPNetRegressor(NetworkRegressorMixin, RegressorMixin, _BaseMLP):
    __doc__ = (
        """Multi-layer perceptron regressor trained by backpropagation.

    A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`, with
    the extensions of :class:`MLPNet`.

    Parameters
    ----------
"""
        + parameter_docs(*_BEFORE_LOSS)
        + """    loss : {'squared_error', 'poisson'}, default='squared_error'
        ``'poisson'`` uses a log link (predictions ``exp(z)``) and the half Poisson
        deviance, as scikit-learn >= 1.7; targets must then be non-negative.
"""
        + parameter_docs(*_AFTER_LOSS)
        + _ATTRIBUTES_DOC
        + """
    See Also
    --------
    MLPNet : The classification twin.
    sklearn.neural_network.MLPRegressor : The estimator this one replaces.

    Notes
    -----
    Identity output and the half squared error ``(1/2N) Σ (ŷ - y)²``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import MLPNetRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(200, 2))
    >>> y = X[:, 0] ** 2 + X[:, 1]
    >>> reg = MLPNetRegressor((32,), max_iter=300, random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.9
    True
    """
    )

    _losses = ("squared_error", "poisson")

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        loss="squared_error",
        dropout=0.0,
        penalty="l2",
        l1_ratio=0.15,
        dtype="float32",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.loss = loss
        self.dropout = dropout
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.dtype = dtype

    def _build_loss(self):
        return PoissonLoss() if self.loss == "poisson" else SquaredError("identity")

    def _encode_targets(self, y, first_call, classes):
        Y = super()._encode_targets(y, first_call, classes)
        if self.loss == "poisson" and np.any(Y < 0):
            raise ValueError("loss='poisson' requires non-negative targets y.")
        return Y

    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (see :meth:`fit`).

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, sample_weight=sample_weight)
