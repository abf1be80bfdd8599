"""MLPAutoencoder: a (denoising, optionally tied) autoencoder as a transformer."""

import numbers

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_array
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, validate_data

from ._base import BaseNetwork, check_stochastic_solver
from ._mlp import parameter_docs
from ._validation import check_bool, check_choice, check_layer_sizes, check_number
from .nn import Activation, Dense, InputNoise, Sequential, TiedDense
from .nn.activations import ACTIVATIONS
from .nn.losses import SquaredError

__all__ = ["MLPAutoencoder"]


class MLPAutoencoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNetwork):
    __doc__ = """Multi-layer autoencoder: a learned code, and the input rebuilt from it.

    ``transform`` gives the code, ``inverse_transform`` the reconstruction. The
    encoder maps the input through ``hidden_layer_sizes`` (the last size is
    the code); the decoder mirrors it back to the input size. Training
    minimises the squared reconstruction error by backpropagation with the
    solvers of :class:`MLPNet`. With ``noise`` the input is corrupted while
    training and the clean input is the target (a denoising autoencoder);
    with ``tied_weights`` each decoder layer uses the transposed weights of
    its encoder twin. ConvNetJS's MNIST autoencoder demo; Hinton &
    Salakhutdinov (2006) for the deep, linear-code design.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers,), default=(100,)
        Encoder widths; the last is the code size. The decoder mirrors them.
    activation : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', \
'softplus', 'gaussian'}, default='relu'
        Activation of the hidden layers (not the code nor the output).
    code_activation : str, default='identity'
        Activation of the code layer (a linear code, as Hinton &
        Salakhutdinov); one of the names of ``activation``.
    out_activation : {'identity', 'logistic'}, default='identity'
        Output unit; ``'logistic'`` keeps reconstructions in [0, 1] (pixels).
    tied_weights : bool, default=False
        Decoder layers use the transposed encoder weights (half the weights).
    noise : float, default=0.0
        Corruption while training: the masking probability for
        ``noise_type='mask'``, the standard deviation for ``'gaussian'``.
    noise_type : {'mask', 'gaussian'}, default='mask'
        ``'mask'`` zeroes inputs (Vincent et al. 2008); ``'gaussian'`` adds noise.
    solver : {'lbfgs', 'sgd', 'adam', 'adagrad', 'adadelta'}, default='adam'
        Weight optimizer.
    alpha : float, default=0.0001
        L2 penalty on the weights.
""" + parameter_docs(
        # the training parameters of MLPNet, with the same defaults
        "batch_size", "learning_rate", "learning_rate_init", "power_t", "max_iter",
        "shuffle", "random_state", "tol", "verbose", "warm_start", "momentum",
        "nesterovs_momentum", "early_stopping", "validation_fraction",
        "beta_1, beta_2", "epsilon", "n_iter_no_change", "max_fun",
        early_stopping="""    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the rows, stop when their negative
        mean squared reconstruction error stops improving and restore the best
        weights.
""") + """    dtype : {'float32', 'float64'} or None, default='float32'
        Computation dtype.

    Attributes
    ----------
    loss_, best_loss_, loss_curve_, validation_scores_, \
validation_loss_curve_, best_validation_score_, t_, n_iter_
        As in :class:`MLPNet`.
    coefs_ : list of ndarray
        Weight matrix of each layer, encoder then decoder (a tied decoder
        layer shows the transposed encoder matrix).
    intercepts_ : list of ndarray
        Bias vector of each layer.
    n_features_in_ : int
        Number of input features.
    feature_names_in_ : ndarray of str
        Input feature names, when ``X`` had string column names.
    n_layers_ : int
        Number of layers, input and output included.

    See Also
    --------
    sklearn.decomposition.PCA : The linear autoencoder, solved exactly.
    RBMTransformer : Features from a restricted Boltzmann machine.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import MLPAutoencoder
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 2)) @ rng.normal(size=(2, 8))  # rank 2
    >>> ae = MLPAutoencoder((16, 2), max_iter=300, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (300, 2)
    >>> bool(ae.score(X) > -0.05 * np.var(X))
    True
    """

    _supports_lbfgs = True

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        code_activation="identity",
        out_activation="identity",
        tied_weights=False,
        noise=0.0,
        noise_type="mask",
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
        dtype="float32",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.code_activation = code_activation
        self.out_activation = out_activation
        self.tied_weights = tied_weights
        self.noise = noise
        self.noise_type = noise_type
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
        self.dtype = dtype

    # ------------------------------------------------------------ parameters
    def _check_extra_params(self):
        check_layer_sizes("hidden_layer_sizes", self.hidden_layer_sizes)
        check_choice("activation", self.activation, tuple(ACTIVATIONS))
        check_choice("code_activation", self.code_activation, tuple(ACTIVATIONS))
        check_choice("out_activation", self.out_activation, ("identity", "logistic"))
        check_bool("tied_weights", self.tied_weights)
        check_choice("noise_type", self.noise_type, ("mask", "gaussian"))
        if self.noise_type == "mask":
            check_number("noise", self.noise, low=0, high=1, high_inclusive=False)
        else:
            check_number("noise", self.noise, low=0)
        check_number("alpha", self.alpha, low=0)
        check_number("max_fun", self.max_fun, kind=numbers.Integral, low=1)

    def _architecture(self):
        return {**super()._architecture(),
                "hidden_layer_sizes": check_layer_sizes("hidden_layer_sizes",
                                                        self.hidden_layer_sizes),
                "activation": self.activation,
                "code_activation": self.code_activation,
                "out_activation": self.out_activation,
                "tied_weights": bool(self.tied_weights),
                "noise": float(self.noise), "noise_type": self.noise_type}

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    # ------------------------------------------------------------ data
    def _validate_X_y(self, X, y, reset):
        # the input is its own target: the clean rows, also when ``noise``
        # corrupts what the encoder sees
        X = validate_data(self, X, dtype=(np.float64, np.float32), reset=reset)
        return X, X

    def _encode_targets(self, y, first_call, classes):
        return y

    def _decode(self, output):
        return output

    def _validation_score(self, y_true, y_pred, sample_weight=None):
        errors = np.mean((np.asarray(y_true, np.float64) - y_pred) ** 2, axis=1)
        return -float(np.average(errors, weights=sample_weight))

    # ------------------------------------------------------------ network
    def _build_network(self, input_shape, n_outputs, rng_init, rng_dropout, dtype):
        (n_features,) = input_shape
        sizes = [n_features, *check_layer_sizes("hidden_layer_sizes",
                                                self.hidden_layer_sizes)]
        layers = []
        if self.noise > 0:
            layers.append(InputNoise(self.noise, self.noise_type, rng=rng_dropout))
        # scikit-learn's Glorot bound uses factor 2 instead of 6 for logistic units
        gain = 1 / np.sqrt(3) if self.activation == "logistic" else 1.0
        encoder = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            encoder.append(Dense(n_in, n_out, rng=rng_init, dtype=dtype, gain=gain))
            last = i == len(sizes) - 2
            layers += [encoder[-1], *_activation(
                self.code_activation if last else self.activation)]
        for i, dense in enumerate(reversed(encoder)):
            if self.tied_weights:
                layers.append(TiedDense(dense, dtype=dtype))
            else:
                layers.append(Dense(dense.n_out, dense.n_in, rng=rng_init,
                                    dtype=dtype, gain=gain))
            if i < len(encoder) - 1:  # the output unit is the loss's
                layers += _activation(self.activation)
        return Sequential(layers)

    def _build_loss(self):
        return SquaredError(self.out_activation)

    def _learned_attributes(self, network):
        affine = [layer for layer in network.layers
                  if isinstance(layer, (Dense, TiedDense))]
        return {
            "coefs_": [layer.source.params["W"].T if isinstance(layer, TiedDense)
                       else layer.params["W"] for layer in affine],
            "intercepts_": [layer.params["b"] for layer in affine],
            "n_layers_": len(affine) + 1,
        }

    def _n_encoder_layers(self):
        """Engine layers up to the code (the noise, Dense and activations)."""
        n_code = len(check_layer_sizes("hidden_layer_sizes",
                                       self._built_with["hidden_layer_sizes"]))
        seen = 0
        for index, layer in enumerate(self._network.layers):
            seen += isinstance(layer, Dense)
            if seen == n_code:
                following = self._network.layers[index + 1:index + 2]
                return index + 1 + (bool(following)
                                    and isinstance(following[0], Activation))
        raise AssertionError("no code layer")  # pragma: no cover

    @property
    def _n_features_out(self):
        return self._built_with["hidden_layer_sizes"][-1]

    # ------------------------------------------------------------ public API
    def fit(self, X, y=None, sample_weight=None):
        """Train the autoencoder to reconstruct ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows in the reconstruction loss.

        Returns
        -------
        self : MLPAutoencoder
            The fitted model.
        """
        return self._fit(X, None, incremental=False, sample_weight=sample_weight)

    @available_if(check_stochastic_solver)
    def partial_fit(self, X, y=None, sample_weight=None):
        """One epoch over ``X`` (streaming).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows.

        Returns
        -------
        self : MLPAutoencoder
            The updated model.
        """
        return self._partial_fit(X, None, sample_weight=sample_weight)

    def transform(self, X):
        """Encode: the code layer's values.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        ndarray of shape (n_samples, code_size)
            The codes.
        """
        check_is_fitted(self)  # before the layer count, which reads the fit
        return self._forward_until(X, self._n_encoder_layers())

    def inverse_transform(self, X):
        """Decode: reconstruct inputs from codes.

        Parameters
        ----------
        X : array-like of shape (n_samples, code_size)
            Codes, as :meth:`transform` gives.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            Reconstructions.
        """
        check_is_fitted(self)
        codes = _check_codes(X, self._n_features_out)
        z = self._as_model_dtype(codes)
        for layer in self._network.layers[self._n_encoder_layers():]:
            z = layer.forward(z, training=False)
        return self._loss_function.output(z).astype(codes.dtype, copy=False)

    def reconstruct(self, X):
        """``inverse_transform(transform(X))`` in one pass.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            Reconstructions.
        """
        return self._output(X)

    def score(self, X, y=None, sample_weight=None):
        """Negative mean squared reconstruction error (higher is better).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Input data.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the rows.

        Returns
        -------
        float
            ``-mean((X - reconstruct(X))²)``, per element.
        """
        reconstruction = self.reconstruct(X)
        X = validate_data(self, X, dtype=(np.float64, np.float32), reset=False)
        return self._validation_score(X, reconstruction, sample_weight)


def _activation(name):
    """The activation layer, or none for the identity."""
    return [] if name == "identity" else [Activation(name)]


def _check_codes(X, code_size):
    codes = check_array(X, dtype=(np.float64, np.float32), input_name="X")
    if codes.shape[1] != code_size:
        raise ValueError(f"X has {codes.shape[1]} features (codes), but "
                         f"MLPAutoencoder is expecting {code_size} (the code size).")
    return codes
