"""Fully connected layer."""

import numpy as np
import scipy.sparse as sp

from .base import Layer, check_parameter_memory
from .embedding import Embedding
from .init import glorot_uniform

__all__ = ["Dense", "TiedDense"]


class Dense(Layer):
    """Affine layer ``y = x W + b``.

    The fully connected layer of :class:`skdeep.MLPNet` and of the convnets'
    ``fc`` layers; ``W`` has shape ``(n_in, n_out)``, as scikit-learn's
    ``coefs_``.

    Parameters
    ----------
    n_in : int
        Number of input features.
    n_out : int
        Number of output units.
    rng : numpy.random.Generator
        Source of the initial weights.
    dtype : dtype, default=np.float32
        Dtype of the parameters and of the computation.
    gain : float, default=1.0
        Multiplier of the Glorot uniform bound; scikit-learn's MLP uses
        ``1 / sqrt(3)`` before a logistic unit.
    init : {'glorot_uniform', 'zeros'}, default='glorot_uniform'
        ``'zeros'`` starts weights and bias at zero (the seeds' linear unit).
    bias : bool, default=True
        Whether the layer has an intercept ``b``.
    bias_init : float or None, default=None
        Constant initial bias (ConvNetJS's ``bias_pref``); ``None`` draws the bias
        from the same distribution as the weights, as scikit-learn does.
    input_grad : bool, default=True
        Whether :meth:`backward` computes the input gradient; the first layer of a
        network skips it (nothing upstream needs it).

    See Also
    --------
    Activation : The non-linearity that follows it.
    Conv2D : The convolutional layer.

    Notes
    -----
    Forward: ``y = x W + b``. Backward: ``dW = xᵀ g``, ``db = Σ_n g``,
    ``dx = g Wᵀ`` (sums over the batch).

    A first layer (``input_grad=False``) also takes a SciPy sparse matrix as
    input: the products ``x W`` and ``xᵀ g`` are sparse-dense, and ``x`` is
    never densified.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Dense
    >>> layer = Dense(3, 2, rng=np.random.default_rng(0))
    >>> layer.forward(np.ones((4, 3), dtype=np.float32), training=False).shape
    (4, 2)
    """

    def __init__(
        self,
        n_in,
        n_out,
        *,
        rng,
        dtype=np.float32,
        gain=1.0,
        init="glorot_uniform",
        bias=True,
        bias_init=None,
        input_grad=True,
    ):
        super().__init__()
        self.input_grad = input_grad
        self.n_in, self.n_out = int(n_in), int(n_out)
        check_parameter_memory(repr(self), [(self.n_in + bias, self.n_out)], dtype)
        if init == "zeros":
            W = np.zeros((self.n_in, self.n_out), dtype=dtype)
            b = np.zeros(self.n_out, dtype=dtype)
        else:
            # One bound for W and b, drawn W first, as scikit-learn's MLP does.
            W = glorot_uniform((self.n_in, self.n_out), rng=rng, dtype=dtype, gain=gain)
            if bias_init is None:
                bound = gain * np.sqrt(6.0 / (self.n_in + self.n_out))
                b = rng.uniform(-bound, bound, size=self.n_out).astype(dtype)
            else:
                b = np.full(self.n_out, bias_init, dtype=dtype)
        self.params = {"W": W}
        # set by a TiedDense reading W: its backward (which runs first, being
        # later in the network) writes its share of dW, this one adds to it
        self.tied = False
        if bias:
            self.params["b"] = b
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x, *, training):
        y = x @ self.params["W"]  # (..., n_in) -> (..., n_out): time steps too
        if "b" in self.params:
            y += self.params["b"]
        if training:
            self._cache = x
        return y

    def backward(self, grad_output):
        x = self._cache
        g2 = grad_output.reshape(-1, self.n_out)
        if sp.issparse(x):  # sparse rows (TF-IDF): a sparse-dense product
            if self.tied:
                self.grads["W"] += x.T @ g2
            else:
                self.grads["W"][...] = x.T @ g2
        elif self.tied:
            self.grads["W"] += x.reshape(-1, self.n_in).T @ g2
        else:
            # (..., n) -> (rows, n): sequences (N, T, n) count every step as a row
            np.matmul(x.reshape(-1, self.n_in).T, g2, out=self.grads["W"])
        if "b" in self.params:
            g2.sum(axis=0, out=self.grads["b"])
        if not self.input_grad:
            return None
        return grad_output @ self.params["W"].T

    def __repr__(self):
        return f"Dense({self.n_in}, {self.n_out})"


class TiedDense(Layer):
    """Affine layer sharing the transposed weights of a Dense or Embedding layer.

    ``y = x Wᵀ + b`` with ``W`` the ``source`` layer's weights (a ``Dense``'s
    ``W``, an ``Embedding``'s table ``E``): the decoder of a tied-weight
    autoencoder, or a language model's output layer tied to its input
    embeddings (Press & Wolf 2017; Inan et al. 2017). It owns only its bias; its
    share of the gradient goes into ``source.grads``, so the optimizer updates
    the shared matrix once with the sum of both uses.

    Parameters
    ----------
    source : Dense or Embedding
        The layer whose weights are shared. It must come *before* this layer
        in the same :class:`Sequential` (backward then reaches this layer
        first, and ``source`` adds its own share).
    dtype : dtype, default=np.float32
        Dtype of the bias.
    bias_init : float, default=0.0
        Constant initial bias.

    See Also
    --------
    Dense : The layer whose weights it shares.
    skdeep.MLPAutoencoder : Its ``tied_weights`` parameter builds the decoder from it.
    skdeep.RNNLanguageModel : Its ``tie_weights`` parameter builds the output from it.

    Notes
    -----
    Forward: ``y = x Wᵀ + b``. Backward: ``dW += gᵀ x``, ``db = Σ_n g``,
    ``dx = g W``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Dense, TiedDense, Sequential
    >>> encoder = Dense(6, 2, rng=np.random.default_rng(0))
    >>> net = Sequential([encoder, TiedDense(encoder)])
    >>> net.forward(np.ones((4, 6), dtype=np.float32), training=False).shape
    (4, 6)
    """

    def __init__(self, source, *, dtype=np.float32, bias_init=0.0):
        super().__init__()
        if not isinstance(source, (Dense, Embedding)):
            raise TypeError(f"source must be a Dense or Embedding layer, got "
                            f"{source!r}.")
        self.source = source
        source.tied = True
        self.n_out, self.n_in = source.params[self._key].shape
        self.params = {"b": np.full(self.n_out, bias_init, dtype=dtype)}
        self.grads = {"b": np.zeros_like(self.params["b"])}
        self.input_grad = True

    @property
    def _key(self):
        """The shared array's name in ``source.params``."""
        return "E" if isinstance(self.source, Embedding) else "W"

    def forward(self, x, *, training):
        y = x @ self.source.params[self._key].T
        y += self.params["b"]
        if training:
            self._cache = x
        return y

    def backward(self, grad_output):
        x = self._cache.reshape(-1, self.n_in)
        g2 = grad_output.reshape(-1, self.n_out)
        # written, not added: the source layer's backward comes next and adds
        np.matmul(g2.T, x, out=self.source.grads[self._key])
        g2.sum(axis=0, out=self.grads["b"])
        if not self.input_grad:
            return None
        return grad_output @ self.source.params[self._key]

    def __repr__(self):
        return f"TiedDense({self.n_in}, {self.n_out})"
