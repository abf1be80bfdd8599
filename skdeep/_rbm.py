"""RBMTransformer: a drop-in for scikit-learn's BernoulliRBM, and more (dnn.js CRBM)."""

import copy
import numbers

import numpy as np
from scipy import sparse
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils import check_random_state, gen_even_slices
from sklearn.utils.validation import (
    check_is_fitted,
    check_non_negative,
    validate_data,
)

from ._callbacks import CallbackSupportMixin, FitCallbacks, with_callbacks
from ._training import (
    TrainState,
    run_epochs,
)
from ._validation import (
    check_bool,
    check_choice,
    check_dtype_param,
    check_number,
    check_sample_weight,
    check_unchanged_architecture,
    to_model_dtype,
    unchanged_on_failure,
)
from .nn.optimizers import OPTIMIZERS
from .nn.rbm import RBM, VISIBLE_UNITS

__all__ = ["RBMTransformer", "check_visible_range"]


def check_visible_range(X, visible_units, whom):
    """Refuse data the visible units cannot model, naming the estimator.

    Bernoulli units read values as probabilities (negative values are an error;
    values above 1 are accepted, as scikit-learn's BernoulliRBM does); continuous
    units (dnn.js CRBM) need ``[0, 1]``; Gaussian units take any real value.
    """
    if visible_units == "gaussian" or X.size == 0:
        return
    check_non_negative(X, f"{whom} (visible_units={visible_units!r})")
    if visible_units == "continuous" and X.max() > 1:  # sparse matrices too
        raise ValueError(
            f"visible_units='continuous' (dnn.js CRBM) needs X in [0, 1]; {whom} got "
            f"values up to {X.max():.4g}. Scale X into [0, 1] first."
        )


class RBMTransformer(CallbackSupportMixin, ClassNamePrefixFeaturesOutMixin,
                     TransformerMixin, BaseEstimator):
    """Restricted Boltzmann machine as an unsupervised feature transformer.

    A drop-in replacement for :class:`sklearn.neural_network.BernoulliRBM` (same
    parameters, defaults, attributes and methods; persistent contrastive
    divergence with one Gibbs step by default, as there, but with mean-field
    reconstructions unless ``sample_visible=True``), and beyond it: Gaussian
    and continuous (dnn.js CRBM) visible units, CD-k or PCD, momentum, weight
    decay, the engine's solvers, ``reconstruct`` and ``free_energy``.

    Parameters
    ----------
    n_components : int, default=256
        Number of hidden units.
    learning_rate : float, default=0.1
        Step size. As in scikit-learn, tune it in ``[1e-3, 1]``.
    batch_size : int, default=10
        Examples per minibatch.
    n_iter : int, default=10
        Passes over the training data.
    verbose : int, default=0
        Print the pseudo-likelihood (Bernoulli units) or mean free energy, and
        seconds, after each pass.
    random_state : int, RandomState instance or None, default=None
        Seeds the initial weights and the Gibbs sampling.
    visible_units : {'bernoulli', 'gaussian', 'continuous'}, default='bernoulli'
        ``'bernoulli'`` for data in ``[0, 1]`` read as probabilities;
        ``'gaussian'`` (unit variance) for standardised real data;
        ``'continuous'`` is dnn.js's CRBM for values in ``[0, 1]``
        (truncated-exponential units).
    k : int, default=1
        Gibbs steps of the negative phase (CD-k / PCD-k).
    persistent : bool, default=True
        Persistent contrastive divergence (a chain kept across batches, as
        scikit-learn) or plain CD-k from the data (``False``, as dnn.js).
    sample_visible : bool, default=False
        How the negative phase sets the visible units: their means ``E[v|h]``
        (``False``: mean-field reconstructions, as Hinton's practical guide
        §3.2 recommends and his 2006 DBN code does) or a random draw (``True``:
        exact Gibbs sampling, scikit-learn's BernoulliRBM and dnn.js). The
        means remove sampling noise from the gradient: on the RBM-digits
        workload they raise the test pseudo-likelihood from about -20.0 to
        -16.9 and the RBM → LogisticRegression accuracy from about 0.952 to
        0.972 (20 seeds). ``True`` runs scikit-learn's algorithm.
    momentum : float, default=0.0
        Momentum of the ``'sgd'`` solver.
    weight_decay : float, default=0.0
        L2 penalty on the weights.
    solver : {'sgd', 'adam', 'adagrad', 'adadelta'}, default='sgd'
        Optimizer of the contrastive-divergence gradient.
    shuffle : bool, default=False
        Shuffle the samples every pass (scikit-learn does not).
    dtype : {'float32', 'float64'} or None, default='float32'
        Computation dtype; ``None`` follows the input.

    Attributes
    ----------
    intercept_hidden_ : ndarray of shape (n_components,)
        Hidden biases.
    intercept_visible_ : ndarray of shape (n_features,)
        Visible biases.
    components_ : ndarray of shape (n_components, n_features)
        Weights.
    h_samples_ : ndarray of shape (batch_size, n_components)
        Hidden states of the persistent chain.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Input feature names, when given.

    See Also
    --------
    sklearn.neural_network.BernoulliRBM : The estimator this one replaces.
    DBNClassifier : RBMs stacked and fine-tuned.

    Notes
    -----
    Seed 000 (dnn.js ``rbm.js`` and ``crbm.js``). Hidden means
    ``p(h|v) = σ(W v + b_h)``; the CD gradient
    ``E_data[h vᵀ] − E_model[h vᵀ]``. For continuous units the visible mean is
    ``1/(1 − e^(−a)) − 1/a`` (1/2 at ``a = 0``), sampled by inverting its CDF.

    ``fit(X, sample_weight=w)`` runs weighted CD: in each minibatch the data
    term is ``Σ_i w_i p(h|v_i) v_iᵀ / Σ_i w_i``, and so is the model term of
    plain CD-k, whose chain ``i`` starts at row ``i`` (a persistent chain
    samples the model whatever the data: its term is not weighted). A
    minibatch whose weights are all zero is skipped; the monitored
    pseudo-likelihood (``verbose``) is the weighted mean over rows of non-zero
    weight. As with the Gibbs samples, a row of weight 2 is not two rows: with
    CD-k it draws one chain sample, and it fills one place in a minibatch.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import RBMTransformer
    >>> X = np.array([[0, 0, 0], [0, 1, 1], [1, 0, 1], [1, 1, 1]])
    >>> model = RBMTransformer(n_components=2, random_state=0).fit(X)
    >>> model.transform(X).shape
    (4, 2)
    """

    def __init__(
        self,
        n_components=256,
        *,
        learning_rate=0.1,
        batch_size=10,
        n_iter=10,
        verbose=0,
        random_state=None,
        visible_units="bernoulli",
        k=1,
        persistent=True,
        sample_visible=False,
        momentum=0.0,
        weight_decay=0.0,
        solver="sgd",
        shuffle=False,
        dtype="float32",
    ):
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.verbose = verbose
        self.random_state = random_state
        self.visible_units = visible_units
        self.k = k
        self.persistent = persistent
        self.sample_visible = sample_visible
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.solver = solver
        self.shuffle = shuffle
        self.dtype = dtype

    # ------------------------------------------------------------ validation
    def _check_params(self):
        check_number("n_components", self.n_components, kind=numbers.Integral, low=1)
        check_number("learning_rate", self.learning_rate, low=0, low_inclusive=False)
        check_number("batch_size", self.batch_size, kind=numbers.Integral, low=1)
        check_number("n_iter", self.n_iter, kind=numbers.Integral, low=0)
        check_number("verbose", int(self.verbose), kind=numbers.Integral, low=0)
        check_choice("visible_units", self.visible_units, VISIBLE_UNITS)
        check_number("k", self.k, kind=numbers.Integral, low=1)
        check_bool("persistent", self.persistent)
        check_bool("sample_visible", self.sample_visible)
        check_bool("shuffle", self.shuffle)
        check_number("momentum", self.momentum, low=0, high=1)
        check_number("weight_decay", self.weight_decay, low=0)
        check_choice("solver", self.solver, tuple(OPTIMIZERS))
        check_dtype_param(self.dtype)

    def _validate_input(self, X, reset):
        X = validate_data(self, X, accept_sparse=["csr", "csc"],
                          dtype=(np.float64, np.float32), reset=reset)
        check_visible_range(X, self.visible_units if reset else self._visible_units,
                            type(self).__name__)
        return X

    # ------------------------------------------------------------ engine
    def _engine(self):
        """An engine RBM holding copies of this estimator's fitted arrays."""
        return RBM.from_params(self.components_, self.intercept_hidden_,
                               self.intercept_visible_,
                               visible_units=self._visible_units)

    def _compute(self, X, fitting=False):
        return to_model_dtype(X, self._dtype, type(self).__name__, fitting)

    def _architecture(self):
        return {"n_components": self.n_components,
                "visible_units": self.visible_units,
                "dtype": check_dtype_param(self.dtype)}

    # ------------------------------------------------------------ public API
    @with_callbacks
    def fit(self, X, y=None, sample_weight=None):
        """Fit the model to ``X`` by (persistent) contrastive divergence.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (BernoulliRBM has none): weighted contrastive
            divergence, each row's terms of its minibatch's gradient weighted
            by ``w_i / Σ w`` over the minibatch (see Notes). ``None``, or equal
            weights, weigh every sample equally.

        Returns
        -------
        self : RBMTransformer
            The fitted model.
        """
        self._fit_passes(X, n_passes=self.n_iter, sample_weight=sample_weight)
        return self

    @with_callbacks
    def partial_fit(self, X, y=None, sample_weight=None):
        """One pass of minibatch contrastive divergence over ``X``.

        Each call is one epoch of :meth:`fit` on the chunk it is given: the same
        minibatches of ``batch_size`` rows (shuffled when ``shuffle=True``),
        one CD update each, continuing the weights, the persistent chain, the
        optimizer and the random streams. A chunk of at most ``batch_size``
        rows is one update on all of it, which is what
        :meth:`sklearn.neural_network.BernoulliRBM.partial_fit` does with any
        chunk; on a stream of large chunks that would make one update per
        chunk, so larger chunks are split as ``fit`` splits the data (set
        ``batch_size`` to the chunk size for scikit-learn's single step).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (see :meth:`fit`).

        Returns
        -------
        self : RBMTransformer
            The updated model.
        """
        self._fit_passes(X, n_passes=1, incremental=True,
                         sample_weight=sample_weight)
        return self

    def _fit_passes(self, X, n_passes, incremental=False, sample_weight=None):
        """Validate, (re)initialise and train; returns why training stopped."""
        self._check_params()
        first = not incremental or not hasattr(self, "components_")
        if not first:  # partial_fit continues the model it has
            check_unchanged_architecture(self, getattr(self, "_built_with", {}),
                                         self._architecture())
        callbacks = FitCallbacks(self, n_passes)
        reason = "interrupted"  # what a Ctrl-C right after the commit leaves
        with unchanged_on_failure(self):
            X = self._validate_input(X, reset=first)
            sample_weight = check_sample_weight(sample_weight, X)
            callbacks.begin(X, None, sample_weight)
            if sample_weight is not None and sample_weight.min() == sample_weight.max():
                sample_weight = None  # equal weights: the unweighted fit, bit for bit
            if first:
                self._built_with = self._architecture()
                self._initialise(X)
            reason = self._train(X, n_passes, callbacks, sample_weight)
        callbacks.end()
        return reason

    def _initialise(self, X):
        dtype = check_dtype_param(self.dtype)
        self._dtype = X.dtype.name if dtype is None else dtype  # a name
        self._visible_units = self.visible_units
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        init, sampling = np.random.SeedSequence(seed).spawn(2)
        init, sampling = np.random.default_rng(init), np.random.default_rng(sampling)
        rbm = RBM(X.shape[1], self.n_components, visible_units=self.visible_units,
                  rng=init, dtype=self._dtype)
        self.components_ = rbm.params["W"]
        self.intercept_hidden_ = rbm.params["b_h"]
        self.intercept_visible_ = rbm.params["b_v"]
        self.h_samples_ = np.zeros((self.batch_size, self.n_components),
                                   dtype=self._dtype)
        # one stream draws the batch order and the Gibbs samples, as before
        self._train_state = TrainState(init_rng=init, shuffle_rng=sampling,
                                       dropout_rng=sampling)

    def _make_optimizer(self):
        name = self.solver
        if name == "sgd":
            return OPTIMIZERS["sgd"](self.learning_rate, self.momentum, False)
        if name == "adadelta":
            return OPTIMIZERS["adadelta"]()
        return OPTIMIZERS[name](self.learning_rate)

    def _train(self, X, n_passes, callbacks, weights=None):
        # Work on copies: a failed, diverged or interrupted pass must not touch
        # the model; the loop commits through ``finish``.
        rbm = self._engine()
        state = copy.deepcopy(self._train_state)
        if state.optimizer is None:
            state.optimizer = self._make_optimizer()
        optimizer = state.optimizer
        optimizer.learning_rate_ = optimizer.learning_rate_init = (
            1.0 if self.solver == "adadelta" else float(self.learning_rate))
        rng = state.shuffle_rng
        chain = self.h_samples_.copy()
        X = self._compute(X, fitting=True)
        if sparse.issparse(X):
            X = X.tocsr()  # row slicing for the minibatches
        n = X.shape[0]
        # scikit-learn's even batches, in order (partial_fit too: see there)
        n_batches = int(np.ceil(n / self.batch_size))
        slices = list(gen_even_slices(n_batches * self.batch_size, n_batches,
                                      n_samples=n))
        decay = rbm.params["W"].dtype.type(self.weight_decay)
        # the optimizer sees the whole model as one block (W and both biases)
        params, grads = [rbm.packed], [rbm.packed_grad]
        monitor = self._monitor_rows(X, weights)
        if state.initial_loss is None:
            state.initial_loss = self._monitor_loss(rbm, monitor, state.n_iter)

        def epoch(state):
            data, w = X, weights
            if self.shuffle:
                order = rng.permutation(n)
                data, w = X[order], None if weights is None else weights[order]
            current = chain
            for batch in slices:
                wb = None if w is None else w[batch]
                if wb is not None and not wb.any():
                    continue  # all its rows weigh 0: as if the batch were absent
                v = data[batch]
                if sparse.issparse(v):
                    v = v.toarray()  # a minibatch: small enough to densify
                h = rbm.cd_gradients(v, self.k, rng,
                                     current if self.persistent else None,
                                     sample_visible=self.sample_visible,
                                     sample_weight=wb)
                if self.persistent:
                    current = h  # the engine's buffer: handed straight back
                if decay:
                    rbm.grads["W"] += decay * rbm.params["W"]
                optimizer.step(params, grads)
            if self.persistent:
                chain[...] = current
            return self._monitor_loss(rbm, monitor, state.n_iter), n

        def attributes():
            # copies: the next pass updates the engine's arrays in place
            return {"components_": rbm.params["W"].copy(),
                    "intercept_hidden_": rbm.params["b_h"].copy(),
                    "intercept_visible_": rbm.params["b_v"].copy(),
                    "h_samples_": chain.copy(), "_train_state": state}

        def finish(reason):
            for name, value in attributes().items():
                setattr(self, name, value)

        return run_epochs(
            state, [rbm.packed, chain], epoch, max_epochs=n_passes,
            verbose=self.verbose, describe=self._describe, callbacks=callbacks,
            fitted_attributes=attributes, finish=finish,
            hint=f"reduce learning_rate (now {self.learning_rate}) or scale X.",
        )

    #: Rows scored after each pass (the loss curve, verbose, explosion warning).
    _N_MONITOR_ROWS = 128

    def _monitor_rows(self, X, weights=None):
        """A fixed, evenly spaced subset of the rows (dense), and their weights.

        With weights, the subset is taken among the rows that weigh something.
        """
        if weights is not None:
            kept = np.flatnonzero(weights)
            X, weights = X[kept], weights[kept]
        step = max(1, X.shape[0] // self._N_MONITOR_ROWS)
        rows = X[::step][: self._N_MONITOR_ROWS]
        rows = rows.toarray() if sparse.issparse(rows) else np.asarray(rows)
        return rows, None if weights is None else weights[::step][: len(rows)]

    def _monitor_loss(self, rbm, monitor, n_iter):
        """Bernoulli: minus the pseudo-likelihood; others: reconstruction error.

        Finite while training is sane; a pseudo-likelihood ten times worse than
        the initial model's is the loop's "loss exploded" warning. ``monitor``
        is ``(rows, weights)`` from :meth:`_monitor_rows`: a weighted fit
        reports the weighted mean.
        """
        rows, weights = monitor
        if self._visible_units == "bernoulli":
            # a generator of its own: the training streams are not touched
            flips = np.random.default_rng(n_iter)
            return -float(np.average(rbm.pseudo_likelihood(rows, flips),
                                     weights=weights))
        error = (rbm.reconstruct(rows) - rows) ** 2
        if weights is None:
            return float(np.mean(error))
        return float(np.average(error.mean(axis=1), weights=weights))

    def _describe(self, state):
        if self._visible_units == "bernoulli":
            what = f"pseudo-likelihood = {-state.loss:.2f}"
        else:
            what = f"reconstruction error = {state.loss:.4f}"
        return f"[{type(self).__name__}] Iteration {state.n_iter}, {what}"

    def transform(self, X):
        """Hidden-unit probabilities ``p(h = 1 | v)``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.

        Returns
        -------
        h : ndarray of shape (n_samples, n_components)
            Latent representation.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        return self._engine().hidden_mean(self._compute(X)).astype(X.dtype, copy=False)

    def gibbs(self, v):
        """One Gibbs step ``v → h → v`` with sampled units.

        Parameters
        ----------
        v : array-like of shape (n_samples, n_features)
            Visible values to start from.

        Returns
        -------
        v_new : ndarray of shape (n_samples, n_features)
            Visible values after one step.
        """
        check_is_fitted(self)
        v = self._validate_input(v, reset=False)
        rbm, rng = self._engine(), self._train_state.shuffle_rng
        h = rbm.sample_hidden(rbm.hidden_mean(self._compute(v)), rng)  # sparse ok
        return rbm.sample_visible(h, rng).astype(v.dtype, copy=False)

    def reconstruct(self, X):
        """Mean-field reconstruction ``v → p(h|v) → E[v|h]`` (what dnn.js prints).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            Reconstructed visible means.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        return self._engine().reconstruct(self._compute(X)).astype(X.dtype, copy=False)

    def free_energy(self, X):
        """Free energy ``F(v)`` of each row (lower = more probable under the model).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.

        Returns
        -------
        ndarray of shape (n_samples,)
            Free energies.
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        Xc = self._compute(X)
        if sparse.issparse(Xc):
            Xc = Xc.toarray()
        return self._engine().free_energy(Xc).astype(X.dtype, copy=False)

    def score_samples(self, X):
        """Pseudo-log-likelihood of each row (Bernoulli units), as scikit-learn.

        A random visible unit of each row is flipped and the score is
        ``n_features · log σ(F(ṽ) − F(v))``. For Gaussian and continuous visible
        units, which have no such score, the negative free energy (the log
        likelihood up to the constant ``log Z``) is returned.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data.

        Returns
        -------
        ndarray of shape (n_samples,)
            Scores (higher = more probable).
        """
        check_is_fitted(self)
        X = self._validate_input(X, reset=False)
        rbm = self._engine()
        Xc = self._compute(X)
        if sparse.issparse(Xc):
            Xc = Xc.toarray()  # flipping single entries is a dense operation
        if self._visible_units != "bernoulli":
            return (-rbm.free_energy(Xc)).astype(X.dtype, copy=False)
        rng = check_random_state(self.random_state)
        sub = np.random.default_rng(rng.randint(np.iinfo(np.int32).max))
        return rbm.pseudo_likelihood(Xc, sub).astype(X.dtype, copy=False)

    @property
    def _n_features_out(self):
        """Number of transformed features, for ``get_feature_names_out``."""
        return self.components_.shape[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = self.visible_units != "gaussian"
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        tags.input_tags.sparse = True
        return tags
