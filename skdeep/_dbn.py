"""DBNClassifier: greedy RBM pre-training, then backprop fine-tuning (dnn.js DBN/CDBN)."""

import numbers
import warnings

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.metaestimators import available_if

from ._base import HiddenTransformMixin, NetworkClassifierMixin, check_stochastic_solver
from ._callbacks import with_callbacks
from ._mlp import _ATTRIBUTES_DOC, _BaseMLP, parameter_docs
from ._rbm import RBMTransformer, check_visible_range
from ._validation import check_bool, check_choice, check_layer_sizes, check_number
from .nn import Dense
from .nn.rbm import VISIBLE_UNITS

__all__ = ["DBNClassifier"]

#: An RBM's fit that says why it stopped, with its callbacks set up and torn down.
_fit_rbm = with_callbacks(RBMTransformer._fit_passes)


class DBNClassifier(NetworkClassifierMixin, ClassifierMixin, HiddenTransformMixin,
                    _BaseMLP):
    __doc__ = (
        """Deep belief network: stacked RBMs pre-trained greedily, then fine-tuned.

    Each hidden layer is first trained as an :class:`RBMTransformer` on the
    representation of the layer below (greedy layer-wise pre-training, CD-k); the
    stack then initialises a logistic multi-layer perceptron with a softmax output,
    and the whole network is fine-tuned by backpropagation on the labels with all of
    :class:`MLPNet`'s training options (the parameters from ``solver`` on). A first
    layer with ``visible_units='continuous'`` or ``'gaussian'`` gives dnn.js's
    CDBN.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Hidden layer sizes, bottom to top.
    pretrain : bool, default=True
        Pre-train the stack; ``False`` trains the same network from a random
        initialisation (the baseline pre-training is compared against).
    pretrain_learning_rate : float, default=0.1
        Learning rate of the RBMs.
    pretrain_n_iter : int, default=10
        Passes over the data for each RBM.
    pretrain_batch_size : int, default=10
        Minibatch size of the RBMs.
    k : int, default=1
        Gibbs steps of CD-k.
    persistent : bool, default=False
        Persistent CD for the RBMs (plain CD-k, as Hinton et al. 2006, by default).
    sample_visible : bool, default=False
        Negative-phase visible states of the RBMs: their means (mean-field
        reconstructions, as Hinton et al. 2006) or random draws (``True``, as
        dnn.js). See :class:`RBMTransformer`.
    visible_units : {'bernoulli', 'gaussian', 'continuous'}, default='bernoulli'
        Visible units of the first RBM (upper RBMs see probabilities: Bernoulli).
        ``'bernoulli'`` reads ``X`` as probabilities, so it is meant for values
        in ``[0, 1]``: negative values are refused, values above 1 are
        accepted as scikit-learn's BernoulliRBM accepts them (they push the
        first layer towards saturation: scale ``X`` into ``[0, 1]`` first, e.g.
        with ``MinMaxScaler``). ``'continuous'`` needs ``X`` in ``[0, 1]``;
        ``'gaussian'`` takes standardised real values and wants a smaller
        ``pretrain_learning_rate`` (about 0.01).
"""
        # the fine-tuning parameters: MLPNet's, with its defaults
        + parameter_docs(
            "solver", "alpha", "batch_size", "learning_rate", "learning_rate_init",
            "power_t", "max_iter", "shuffle", "random_state", "tol", "verbose",
            "warm_start", "momentum", "nesterovs_momentum", "early_stopping",
            "validation_fraction", "beta_1, beta_2", "epsilon", "n_iter_no_change",
            "max_fun", "dropout", "penalty", "l1_ratio", "dtype",
            warm_start="""    warm_start : bool, default=False
        Continue fine-tuning from the previous fit without pre-training again,
        optimizer state and random streams included.
""")
        + _ATTRIBUTES_DOC
        + """    classes_ : ndarray of shape (n_classes,)
        Class labels.
    rbms_ : list of RBMTransformer
        The pre-trained RBMs, bottom first (empty when ``pretrain=False``).

    See Also
    --------
    RBMTransformer : One layer of the stack.
    MLPNet : The same network without pre-training.

    Notes
    -----
    Seed 000 (dnn.js ``dbn.js`` and ``cdbn.js``); Hinton, Osindero & Teh (2006).
    The hidden units are logistic, as the RBMs' hidden units; RBM ``i``'s
    ``components_.T`` and ``intercept_hidden_`` become layer ``i``'s weights.
    ``sample_weight`` weights the pre-training (each RBM runs weighted
    contrastive divergence, see :class:`RBMTransformer`) and the fine-tuning
    (loss and validation score).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import DBNClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> dbn = DBNClassifier((64,), pretrain_n_iter=5, learning_rate_init=0.01,
    ...                     max_iter=30, random_state=0)
    >>> dbn.fit(X / 16, y).score(X / 16, y) > 0.95
    True
    """
    )

    # The hidden units are the RBMs' sigmoid units; the output is softmax.
    activation = "logistic"
    loss = "log_loss"
    _losses = ("log_loss",)

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        pretrain=True,
        pretrain_learning_rate=0.1,
        pretrain_n_iter=10,
        pretrain_batch_size=10,
        k=1,
        persistent=False,
        sample_visible=False,
        visible_units="bernoulli",
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
        dropout=0.0,
        penalty="l2",
        l1_ratio=0.15,
        dtype="float32",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.pretrain = pretrain
        self.pretrain_learning_rate = pretrain_learning_rate
        self.pretrain_n_iter = pretrain_n_iter
        self.pretrain_batch_size = pretrain_batch_size
        self.k = k
        self.persistent = persistent
        self.sample_visible = sample_visible
        self.visible_units = visible_units
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
        self.dropout = dropout
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.dtype = dtype

    def _check_extra_params(self):
        super()._check_extra_params()
        check_bool("pretrain", self.pretrain)
        check_bool("persistent", self.persistent)
        check_bool("sample_visible", self.sample_visible)
        check_number("pretrain_learning_rate", self.pretrain_learning_rate, low=0,
                     low_inclusive=False)
        check_number("pretrain_n_iter", self.pretrain_n_iter, kind=numbers.Integral,
                     low=0)
        check_number("pretrain_batch_size", self.pretrain_batch_size,
                     kind=numbers.Integral, low=1)
        check_number("k", self.k, kind=numbers.Integral, low=1)
        check_choice("visible_units", self.visible_units, VISIBLE_UNITS)

    def _build_loss(self):
        return self._classification_loss()

    def _prepare_input(self, X, reset):
        # the first RBM's rule: values above 1 pass for Bernoulli units, as in
        # RBMTransformer and scikit-learn's BernoulliRBM
        check_visible_range(X, self.visible_units, type(self).__name__)
        return X

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = self.visible_units != "gaussian"
        return tags

    def _n_pretraining_fits(self):
        if not self.pretrain:
            return 0
        return len(check_layer_sizes("hidden_layer_sizes", self.hidden_layer_sizes))

    def _architecture(self):
        return {**super()._architecture(), "visible_units": self.visible_units}

    def _pretrain(self, network, X, state, callbacks, sample_weight=None):
        """Greedy layer-wise pre-training: each RBM initialises one Dense layer.

        Each layer's RBM trains in the shared epoch loop, on the sample weights
        of the fit (weighted CD). Ctrl-C keeps the layers pre-trained so far
        (the interrupted one at its last completed pass) and skips fine-tuning;
        before any pass completes it propagates.
        """
        self.rbms_ = []
        if not self.pretrain:
            return None
        dense = [layer for layer in network.layers if isinstance(layer, Dense)]
        seeds = state.init_rng.integers(np.iinfo(np.int32).max, size=len(dense) - 1)
        H = X
        for i, (layer, seed) in enumerate(zip(dense[:-1], seeds)):
            rbm = RBMTransformer(
                n_components=layer.n_out, learning_rate=self.pretrain_learning_rate,
                batch_size=self.pretrain_batch_size, n_iter=self.pretrain_n_iter,
                k=self.k, persistent=self.persistent,
                sample_visible=self.sample_visible,
                visible_units=self.visible_units if i == 0 else "bernoulli",
                random_state=int(seed), dtype=H.dtype.name,
                verbose=int(self.verbose),
            )
            try:
                # one callback subtask: a ProgressBar follows the RBM's passes
                with callbacks.nested(f"pretrain-layer-{i}", rbm):
                    reason = _fit_rbm(rbm, H, n_passes=self.pretrain_n_iter,
                                      sample_weight=sample_weight)
                self._keep_pretrained(layer, rbm)
                if reason == "interrupted":
                    return reason
                # the engine, not the public transform: that one follows set_output
                H = rbm._engine().hidden_mean(H).astype(H.dtype, copy=False)
            except KeyboardInterrupt:
                if hasattr(rbm, "components_"):  # passes of this layer completed
                    self._keep_pretrained(layer, rbm)
                if not self.rbms_:
                    raise  # nothing pre-trained yet: the estimator stays as it was
                warnings.warn(
                    f"Pre-training interrupted by the user in layer {i + 1}; keeping "
                    f"the {len(self.rbms_)} layer(s) pre-trained so far, without "
                    "fine-tuning.", UserWarning,
                )
                return "interrupted"
        return "pretrained" if self.pretrain_n_iter else None

    def _keep_pretrained(self, layer, rbm):
        """Layer ``layer`` starts from ``rbm``'s weights (idempotent)."""
        layer.params["W"][...] = rbm.components_.T  # (n_in, n_out)
        layer.params["b"][...] = rbm.intercept_hidden_
        if not any(kept is rbm for kept in self.rbms_):
            self.rbms_.append(rbm)

    def fit(self, X, y, sample_weight=None):
        """Pre-train the stack greedily (unless ``pretrain=False``), then fine-tune.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,)
            Labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights of both stages: every RBM runs weighted contrastive
            divergence (each row's terms of its minibatch's gradient count
            ``w_i / Σ w``; see :class:`RBMTransformer`), and fine-tuning
            minimises the weighted mean loss, with a weighted validation score
            under ``early_stopping``, as :class:`MLPNet`. ``None``, or equal
            weights in pre-training, weigh every sample equally.

        Returns
        -------
        self : DBNClassifier
            The fitted model.
        """
        return super().fit(X, y, sample_weight=sample_weight)

    @available_if(check_stochastic_solver)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Fine-tune for one epoch (pre-training happens on the first call).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        y : array-like of shape (n_samples,)
            Labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (see :meth:`fit`): of the pre-training too on the
            first call.
        classes : array-like, default=None
            All classes, on the first call.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, classes=classes,
                                 sample_weight=sample_weight)
