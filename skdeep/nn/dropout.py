"""Inverted dropout."""

import numpy as np

from .base import Layer

__all__ = ["Dropout"]


class Dropout(Layer):
    """Inverted dropout: zero each unit with probability ``rate`` while training.

    Kept units are scaled by ``1 / (1 - rate)`` at training time so that inference
    is the identity (unlike ConvNetJS, which rescales at test time).

    Parameters
    ----------
    rate : float in [0, 1)
        Probability of dropping a unit.
    rng : numpy.random.Generator
        Stream for the masks; the estimator keeps it across warm starts.

    See Also
    --------
    skdeep.MLPNet : Its ``dropout`` parameter adds this layer after every hidden layer.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Dropout
    >>> layer = Dropout(0.5, rng=np.random.default_rng(0))
    >>> layer.forward(np.ones((2, 3)), training=False)
    array([[1., 1., 1.],
           [1., 1., 1.]])
    """

    def __init__(self, rate, *, rng):
        super().__init__()
        if not 0 <= rate < 1:
            raise ValueError(f"dropout rate must be in [0, 1), got {rate!r}.")
        self.rate = float(rate)
        self.rng = rng

    def forward(self, x, *, training):
        if not training or self.rate == 0:
            return x
        keep = 1.0 - self.rate
        mask = (self.rng.random(x.shape, dtype=np.float32) < keep).astype(x.dtype)
        mask /= x.dtype.type(keep)
        self._cache = mask
        return x * mask

    def backward(self, grad_output):
        if self._cache is None:
            return grad_output
        return grad_output * self._cache

    def __repr__(self):
        return f"Dropout({self.rate})"
