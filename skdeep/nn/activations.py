"""Element-wise activations, looked up by name (no closures, so models pickle)."""

import numpy as np

from .base import Layer
from .functional import sigmoid, softplus

__all__ = ["ACTIVATIONS", "Activation", "activation_forward"]

LEAKY_SLOPE = 0.01


def _identity(z):
    return z


def _logistic(z):
    return sigmoid(z)


def _tanh(z):
    return np.tanh(z)


def _relu(z):
    return np.maximum(z, 0)


def _leaky_relu(z):
    return np.where(z > 0, z, z * z.dtype.type(LEAKY_SLOPE))


def _softplus(z):
    return softplus(z)


def _gaussian(z):
    return np.exp(-(z * z))


# derivative written in terms of (input z, output a): whichever is cheaper.
def _d_identity(z, a):
    return np.ones_like(a)


def _d_logistic(z, a):
    return a * (1 - a)


def _d_tanh(z, a):
    return 1 - a * a


def _d_relu(z, a):
    # a boolean mask: multiplying by it casts on the fly, one pass fewer than a
    # float copy of the mask
    return z > 0


def _d_leaky_relu(z, a):
    return np.where(z > 0, 1, LEAKY_SLOPE).astype(a.dtype)


def _d_softplus(z, a):
    return sigmoid(z)


def _d_gaussian(z, a):
    return -2 * z * a


#: name -> (function, derivative(z, a)); the names scikit-learn's MLP uses.
ACTIVATIONS = {
    "identity": (_identity, _d_identity),
    "logistic": (_logistic, _d_logistic),
    "tanh": (_tanh, _d_tanh),
    "relu": (_relu, _d_relu),
    "leaky_relu": (_leaky_relu, _d_leaky_relu),
    "softplus": (_softplus, _d_softplus),
    # exp(-z²): the radial unit of seed 002's activation slide
    "gaussian": (_gaussian, _d_gaussian),
}


def activation_forward(name, z):
    """Apply the activation ``name`` to ``z``.

    Parameters
    ----------
    name : str
        A key of :data:`ACTIVATIONS`.
    z : ndarray
        Pre-activations.

    Returns
    -------
    ndarray
        Activations.
    """
    return ACTIVATIONS[name][0](z)


class Activation(Layer):
    """Element-wise activation layer without parameters.

    ``backward`` multiplies the output gradient by the function's derivative,
    computed from the input and output cached by the training forward pass.

    Parameters
    ----------
    name : {'identity', 'logistic', 'tanh', 'relu', 'leaky_relu', 'softplus', \
'gaussian'}
        The function. ``leaky_relu`` has slope 0.01 for negative inputs;
        ``gaussian`` is ``exp(-z²)``.

    See Also
    --------
    Dense : The affine layer an activation follows.
    Maxout : A learned piecewise-linear activation over channel groups.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Activation
    >>> Activation("relu").forward(np.array([[-1.0, 2.0]]), training=False)
    array([[0., 2.]])
    """

    def __init__(self, name):
        super().__init__()
        if name not in ACTIVATIONS:
            raise ValueError(
                f"Unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}."
            )
        self.name = name

    def forward(self, x, *, training):
        out = ACTIVATIONS[self.name][0](x)
        if training:
            self._cache = (x, out)
        return out

    def backward(self, grad_output):
        z, a = self._cache
        return grad_output * ACTIVATIONS[self.name][1](z, a)

    def __repr__(self):
        return f"Activation({self.name!r})"
