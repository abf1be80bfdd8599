"""Weight initialisers: ``(shape, *, rng, dtype)`` functions returning new arrays."""

import numpy as np

__all__ = ["glorot_uniform", "he_normal", "random_array", "zeros"]

#: Values drawn per float64 block by :func:`random_array`.
_DRAW_BLOCK = 1 << 16


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
    return random_array(rng, "uniform", shape, dtype, low=-bound, high=bound)


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
    return random_array(rng, "normal", shape, dtype, scale=np.sqrt(2.0 / fan_in))


def random_array(rng, kind, shape, dtype=np.float32, *, low=0.0, high=1.0, scale=1.0):
    """Random weights of ``dtype`` without a full-size float64 copy.

    ``rng.uniform(low, high, shape).astype(dtype)`` and
    ``(rng.standard_normal(shape) * scale).astype(dtype)`` hold a float64 array
    as large as the weights (twice a float32 model's size) for a moment. This
    draws the same float64 values block by block into the ``dtype`` array, so
    the weights are bit for bit the same and the extra memory is one block.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness.
    kind : {'uniform', 'normal'}
        ``U(low, high)`` or ``N(0, scale²)``.
    shape : tuple of int
        Output shape.
    dtype : dtype, default=np.float32
        Output dtype.
    low, high : float, default=0.0, 1.0
        Bounds of ``'uniform'``.
    scale : float, default=1.0
        Standard deviation of ``'normal'``.

    Returns
    -------
    ndarray
        The weights.

    See Also
    --------
    glorot_uniform, he_normal : The initialisers built on it.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn.init import random_array
    >>> a = random_array(np.random.default_rng(0), "uniform", (300, 300), low=-1)
    >>> b = np.random.default_rng(0).uniform(-1, 1, (300, 300)).astype(np.float32)
    >>> a.dtype.name, bool((a == b).all())
    ('float32', True)
    """
    out = np.empty(shape, dtype=dtype)
    flat = out.reshape(-1)
    for begin in range(0, flat.size, _DRAW_BLOCK):
        n = min(_DRAW_BLOCK, flat.size - begin)
        if kind == "uniform":
            flat[begin:begin + n] = rng.uniform(low, high, size=n)
        else:
            flat[begin:begin + n] = rng.standard_normal(size=n) * scale
    return out


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


def _orthogonal(n, rng):
    """A random ``n × n`` orthogonal matrix (QR of a Gaussian one, signs fixed)."""
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))
