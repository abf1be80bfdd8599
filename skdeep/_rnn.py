"""RNNClassifier and RNNRegressor: recurrent networks over numeric sequences."""

import numbers

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
)

from ._base import (
    BaseNetwork,
    HiddenTransformMixin,
    NetworkClassifierMixin,
    NetworkRegressorMixin,
)
from ._mlp import parameter_docs
from ._validation import check_bool, check_choice, check_number
from .nn import CELLS, Dense, SequenceEncoder, Sequential
from .nn.losses import SquaredError

__all__ = ["RNNClassifier", "RNNRegressor"]

_PARAMS_DOC = """
    Parameters
    ----------
    cell : {'gru', 'lstm', 'rnn', 'rnn_relu', 'gru_reset_before'}, default='gru'
        The recurrent cell: GRU (PyTorch's form), LSTM, Elman with tanh or ReLU,
        or the GRU of "deep learning from zero" part 6 (reset before the
        recurrent product).
    hidden_size : int, default=64
        State size of each direction of each layer.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Whether each layer also reads the sequences backwards (part 5 of seed
        004); the two directions' outputs are concatenated.
    dropout : float, default=0.0
        Inverted dropout between stacked layers.
    max_grad_norm : float or None, default=5.0
        Global gradient-norm clipping per step (``None``: off).
""" + parameter_docs(
    # the training parameters of MLPNet, with this estimator's defaults
    "solver", "alpha", "batch_size", "learning_rate", "learning_rate_init",
    "power_t", "max_iter", "shuffle", "random_state", "tol", "verbose",
    "warm_start", "momentum", "nesterovs_momentum", "early_stopping",
    "validation_fraction", "beta_1, beta_2", "epsilon", "n_iter_no_change",
    solver="""    solver : {'sgd', 'adam', 'adagrad', 'adadelta'}, default='adam'
        Weight optimizer (no ``'lbfgs'``: sequences train in minibatches).
""",
    alpha="""    alpha : float, default=0.0
        Strength of the L2 penalty on the weights.
""",
    batch_size="""    batch_size : int, default=32
        Sequences per minibatch.
""",
    max_iter="""    max_iter : int, default=50
        Epochs.
""") + """    dtype : {'float32', 'float64'} or None, default='float32'
        Precision of the computation.

    Attributes
    ----------
    n_features_in_ : int
        Features per step.
    coefs_ : list of ndarray
        The output layer's weights (the recurrent weights are in the network,
        ``_network.layers[0].params``).
    intercepts_ : list of ndarray
        The output layer's bias.
    loss_ : float
        Training loss at the end of fitting.
    loss_curve_ : list of float
        Training loss per epoch.
    best_loss_ : float or None
        Lowest training loss (``None`` with early stopping).
    validation_scores_ : list of float or None
        Validation score per epoch with early stopping.
    validation_loss_curve_ : list of float or None
        Validation loss per epoch with early stopping.
    best_validation_score_ : float or None
        Best validation score with early stopping.
    n_iter_ : int
        Epochs run by the last ``fit`` or ``partial_fit`` call.
    t_ : int
        Training sequences seen.
    out_activation_ : str
        Output unit: 'softmax', 'logistic' or 'identity'.
"""

_NOTES_DOC = """
    Notes
    -----
    ``X`` is a 3-D array ``(n_sequences, n_steps, n_features)``, a list of 2-D
    arrays ``(n_steps_i, n_features)`` of different lengths, or a 2-D array
    ``(n_sequences, n_steps)`` of univariate sequences. Sequences of different
    lengths are padded and masked inside: the padding changes no result (a
    sequence predicts the same alone and padded in a batch with longer ones).
    ``n_features_in_`` counts features per step.
"""


class _BaseRNN(BaseNetwork):
    #: whether targets give one vector per step (set by the regressor)
    _per_step = False

    def __init__(self, cell="gru", hidden_size=64, num_layers=1, bidirectional=False,
                 *, dropout=0.0, max_grad_norm=5.0, solver="adam", alpha=0.0,
                 batch_size=32, learning_rate="constant", learning_rate_init=0.001,
                 power_t=0.5, max_iter=50, shuffle=True, random_state=None, tol=1e-4,
                 verbose=False, warm_start=False, momentum=0.9,
                 nesterovs_momentum=True, early_stopping=False,
                 validation_fraction=0.1, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 n_iter_no_change=10, dtype="float32"):
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.max_grad_norm = max_grad_norm
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
        self.dtype = dtype

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False  # sequences: own conformance tests
        tags.input_tags.three_d_array = True
        return tags

    # ------------------------------------------------------------ parameters
    def _check_extra_params(self):
        check_choice("cell", self.cell, tuple(CELLS))
        check_number("hidden_size", self.hidden_size, kind=numbers.Integral, low=1)
        check_number("num_layers", self.num_layers, kind=numbers.Integral, low=1)
        check_bool("bidirectional", self.bidirectional)
        check_number("dropout", self.dropout, low=0, high=1, high_inclusive=False)
        check_number("max_grad_norm", self.max_grad_norm, low=0, low_inclusive=False,
                     allow_none=True)
        check_number("alpha", self.alpha, low=0)

    def _architecture(self):
        return {**super()._architecture(), **{name: getattr(self, name) for name in (
            "cell", "hidden_size", "num_layers", "bidirectional", "dropout")}}

    # ------------------------------------------------------------ input
    def _validate_X_y(self, X, y, reset):
        X = self._padded(X, reset)
        check_consistent_length(X, y)
        return X, self._check_targets(self._validate_targets(y, X), reset)

    def _validate_X(self, X):
        check_is_fitted(self)
        return self._padded(X, reset=False)

    def _padded(self, X, reset):
        """Sequences -> ``(n, T, F + 1)``: padded steps and a mask channel."""
        dtype = (np.float64, np.float32)
        if hasattr(X, "ndim") and X.ndim in (2, 3) and not isinstance(X, list):
            array = check_array(X, allow_nd=True, dtype=dtype)
            if array.ndim == 2:  # univariate sequences
                array = array[..., None]
            sequences, lengths = array, np.full(len(array), array.shape[1])
        else:
            if isinstance(X, str) or not hasattr(X, "__len__") or not len(X):
                raise ValueError("X must be a non-empty list of 2-D arrays (steps, "
                                 "features) or a 3-D array of sequences.")
            parts = [check_array(np.asarray(s).reshape(len(s), -1) if np.ndim(s) < 2
                                 else s, dtype=dtype) for s in X]
            widths = {p.shape[1] for p in parts}
            if len(widths) > 1:
                raise ValueError(f"Every sequence of X needs the same number of "
                                 f"features per step; got {sorted(widths)}.")
            lengths = np.array([len(p) for p in parts])
            sequences = np.zeros((len(parts), lengths.max(), widths.pop()),
                                 dtype=np.result_type(*parts))
            for i, part in enumerate(parts):
                sequences[i, :len(part)] = part
        n_features = sequences.shape[2]
        if reset:
            self.n_features_in_ = n_features
        elif n_features != self.n_features_in_:
            raise ValueError(
                f"X has {n_features} features per step, but {type(self).__name__} "
                f"is expecting {self.n_features_in_} features as input.")
        mask = (np.arange(sequences.shape[1]) < lengths[:, None]).astype(
            sequences.dtype)
        return np.concatenate([sequences, mask[..., None]], axis=2)

    def _validate_targets(self, y, X):
        return np.asarray(y)

    # ------------------------------------------------------------ network
    def _build_network(self, input_shape, n_outputs, rng_init, rng_dropout, dtype):
        encoder = SequenceEncoder(
            self.cell, input_shape[1] - 1, self.hidden_size, self.num_layers,
            self.bidirectional, self.dropout,
            "sequence" if self._per_step else "last", rng=rng_init,
            dropout_rng=rng_dropout, dtype=dtype)
        width = self.hidden_size * (2 if self.bidirectional else 1)
        if self._per_step:  # the targets' row holds every step's outputs
            n_outputs //= input_shape[0]
        return Sequential([encoder, Dense(width, n_outputs, rng=rng_init, dtype=dtype)])

    def _learned_attributes(self, network):
        dense = network.layers[-1]
        return {"coefs_": [dense.params["W"]], "intercepts_": [dense.params["b"]],
                "n_outputs_": dense.n_out}


class RNNClassifier(NetworkClassifierMixin, ClassifierMixin, HiddenTransformMixin,
                    _BaseRNN):
    __doc__ = (
        """Recurrent network classifier: one label per sequence.

    The recurrent layers read each sequence; the output layer (softmax, or a
    logistic unit for two classes) reads the last valid step's state (with the
    backward direction's first-step state when bidirectional). ``transform``
    gives that state. Seed 002 (Keras talk: sequence classification with
    RNN/LSTM/GRU) and seed 004 parts 5-6.
"""
        + _PARAMS_DOC
        + """    classes_ : ndarray of shape (n_classes,)
        Class labels.

    See Also
    --------
    RNNRegressor : The same networks for numeric targets.
    RNNLanguageModel : Recurrent networks over text.
    MLPNet : A fully connected network for fixed-length rows.
"""
        + _NOTES_DOC
        + """
    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import RNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 8, 1))
    >>> y = (X[:, :, 0].sum(axis=1) > 0).astype(int)  # the sign of the sum
    >>> clf = RNNClassifier(hidden_size=16, max_iter=60, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.9
    True
    """
    )

    def _build_loss(self):
        return self._classification_loss()

    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """One epoch over ``(X, y)`` (``classes`` needed on the first call).

        Parameters
        ----------
        X : array-like of shape (n_sequences, n_steps, n_features) or list
            Sequences.
        y : array-like of shape (n_sequences,)
            Labels.
        classes : array-like of shape (n_classes,), default=None
            Every class, on the first call.
        sample_weight : array-like of shape (n_sequences,), default=None
            Weights of the sequences.

        Returns
        -------
        self : RNNClassifier
            The updated model.
        """
        return self._partial_fit(X, y, classes=classes, sample_weight=sample_weight)


class RNNRegressor(NetworkRegressorMixin, RegressorMixin, HiddenTransformMixin,
                   _BaseRNN):
    __doc__ = (
        """Recurrent network regressor: a vector per sequence, or one per step.

    With ``y`` of shape ``(n,)`` or ``(n, k)`` the output layer reads each
    sequence's last valid state (forecasting the next value, seed 002); with
    ``y`` of shape ``(n, n_steps, k)`` it reads every step (sequences of equal
    length). Squared error.
"""
        + _PARAMS_DOC
        + """
    See Also
    --------
    RNNClassifier : The same networks for labels.
    MLPNetRegressor : A fully connected network for fixed-length rows.
"""
        + _NOTES_DOC
        + """
    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import RNNRegressor
    >>> t = np.arange(200) * 0.3
    >>> windows = np.stack([np.sin(t[i:i + 10]) for i in range(180)])
    >>> X, y = windows[:, :-1, None], windows[:, -1]  # next value of a sine
    >>> reg = RNNRegressor(hidden_size=16, max_iter=40, random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.9
    True
    """
    )

    def _build_loss(self):
        return SquaredError("identity")

    def _validate_targets(self, y, X):
        y = check_array(y, ensure_2d=False, allow_nd=True, dtype=np.float64)
        if y.ndim == 3:
            if y.shape[1] != X.shape[1] or not X[..., -1].all():
                raise ValueError(
                    "Per-step targets y of shape (n, n_steps, k) need sequences of "
                    f"equal length n_steps; X has {X.shape[1]} steps at most and y "
                    f"{y.shape[1]}.")
        return y

    def _check_targets(self, y, reset):
        y = super()._check_targets(y, reset)
        if reset:
            self._per_step = y.ndim == 3
        return y

    def _encode_targets(self, y, first_call, classes):
        if y.ndim == 3:  # (n, T, k) -> (n, T·k): the rows travel with X's
            return np.asarray(y, dtype=np.float64).reshape(len(y), -1)
        return super()._encode_targets(y, first_call, classes)

    def _validation_score(self, y_true, y_pred, sample_weight=None):
        y_true = np.asarray(y_true)
        return super()._validation_score(y_true.reshape(len(y_true), -1),
                                         np.asarray(y_pred).reshape(len(y_true), -1),
                                         sample_weight)

    def score(self, X, y, sample_weight=None):
        """Return the coefficient of determination R² of the predictions.

        With per-step targets every step's output counts as one output column,
        and the columns are averaged uniformly.

        Parameters
        ----------
        X : array-like of shape (n_sequences, n_steps, n_features) or list
            Sequences.
        y : array-like of shape (n_sequences,), (n_sequences, k) or \
(n_sequences, n_steps, k)
            True targets.
        sample_weight : array-like of shape (n_sequences,), default=None
            Weights of the sequences.

        Returns
        -------
        score : float
            R² (1 is perfect).
        """
        return self._validation_score(y, self.predict(X), sample_weight)

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over ``(X, y)``.

        Parameters
        ----------
        X : array-like of shape (n_sequences, n_steps, n_features) or list
            Sequences.
        y : array-like of shape (n_sequences,), (n_sequences, k) or \
(n_sequences, n_steps, k)
            Targets.
        sample_weight : array-like of shape (n_sequences,), default=None
            Weights of the sequences.

        Returns
        -------
        self : RNNRegressor
            The updated model.
        """
        return self._partial_fit(X, y, sample_weight=sample_weight)
