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
    """
    fan_in, fan_out = _fans(shape)
    bound = gain * np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, size=shape).astype(dtype)


def he_normal(shape, *, rng, dtype=np.float32):
    """He normal initialisation, ``N(0, 2 / fan_in)``, suited to ReLU layers.

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
    """
    fan_in, _ = _fans(shape)
    return (rng.standard_normal(size=shape) * np.sqrt(2.0 / fan_in)).astype(dtype)


def zeros(shape, *, rng=None, dtype=np.float32):
    """All-zero initialisation (the seeds' perceptron and linear unit start there).

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
    """
    return np.zeros(shape, dtype=dtype)


def _fans(shape):
    if len(shape) == 2:
        return shape[0], shape[1]
    # Convolution kernels (out, in, kh, kw): the receptive field multiplies both fans.
    receptive = int(np.prod(shape[2:]))
    return shape[1] * receptive, shape[0] * receptive
