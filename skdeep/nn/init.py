"""Weight initialisers: ``(shape, *, rng, dtype)`` functions returning new arrays."""

import numpy as np

__all__ = ["glorot_uniform", "he_normal", "zeros"]


def glorot_uniform(shape, *, rng, dtype=np.float32, gain=1.0):
    """Glorot/Xavier uniform initialisation.

    Draws from ``U(-b, b)`` with ``b = gain * sqrt(6 / (fan_in + fan_out))``.
    scikit-learn's MLP uses ``gain = 1``, and ``gain = 1 / sqrt(3)`` before a
    logistic activation (its ``factor = 2`` instead of 6).

    Parameters
    ----------
    shape : tuple of int
        ``(fan_in, fan_out)`` or a convolution kernel shape.
    rng : numpy.random.Generator
        Source of randomness.
    dtype : dtype, default=np.float32
        Output dtype.
    gain : float, default=1.0
        Multiplier of the bound.

    Returns
    -------
    ndarray
        Initial weights.

    See Also
    --------
    he_normal : The initialisation for ReLU layers.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn.init import glorot_uniform
    >>> W = glorot_uniform((64, 32), rng=np.random.default_rng(0))
    >>> W.shape, W.dtype.name, bool(np.abs(W).max() <= np.sqrt(6 / (64 + 32)))
    ((64, 32), 'float32', True)
    """
    fan_in, fan_out = _fans(shape)
    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def he_normal(shape, *, rng, dtype=np.float32):
    """He normal initialisation, ``N(0, 2 / fan_in)``, suited to ReLU layers.

    A ReLU switches off about half of its inputs; the variance ``2 / fan_in``
    makes up for that, so the activations keep their scale from layer to layer
    (He et al., 2015).

    Parameters
    ----------
    shape : tuple of int
        Weight shape.
    rng : numpy.random.Generator
        Source of randomness.
    dtype : dtype, default=np.float32
        Output dtype.

    Returns
    -------
    ndarray
        Initial weights.

    See Also
    --------
    glorot_uniform : The initialisation for tanh and logistic layers.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn.init import he_normal
    >>> W = he_normal((1000, 500), rng=np.random.default_rng(0))
    >>> round(float(W.std() ** 2 * 1000), 1)  # the variance times fan_in
    2.0
    """
    fan_in, _ = _fans(shape)
    return (rng.standard_normal(size=shape) * np.sqrt(2.0 / fan_in)).astype(dtype)


def zeros(shape, *, rng=None, dtype=np.float32):
    """All-zero initialisation (the seeds' perceptron and linear unit start there).

    Only for a model without hidden units: hidden units that start equal
    receive equal gradients and stay equal.

    Parameters
    ----------
    shape : tuple of int
        Weight shape.
    rng : ignored
        Accepted for a uniform signature.
    dtype : dtype, default=np.float32
        Output dtype.

    Returns
    -------
    ndarray
        Zeros.

    See Also
    --------
    glorot_uniform : A random start for networks with hidden units.

    Examples
    --------
    >>> from skdeep.nn.init import zeros
    >>> zeros((2, 3)).tolist()
    [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    return np.zeros(shape, dtype=dtype)


def _fans(shape):
    if len(shape) == 2:
        return shape[0], shape[1]
    # Convolution kernels (out, in, kh, kw): the receptive field multiplies both fans.
    receptive = int(np.prod(shape[2:]))
    return shape[1] * receptive, shape[0] * receptive
