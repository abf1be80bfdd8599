"""Inverted dropout, and the input corruption of denoising autoencoders."""

import numpy as np

from .base import Layer

__all__ = ["Dropout", "InputNoise"]


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


class InputNoise(Layer):
    """Corrupt the input while training: a denoising autoencoder's noise.

    ``'mask'`` sets each input to zero with probability ``level`` and leaves
    the rest as they are (Vincent et al. 2008; unlike :class:`Dropout`, no
    rescaling: the decoder must rebuild the clean values). ``'gaussian'`` adds
    ``N(0, level²)`` noise. Inference is the identity.

    Parameters
    ----------
    level : float
        Masking probability in [0, 1) for ``'mask'``; the standard deviation
        (>= 0) for ``'gaussian'``.
    kind : {'mask', 'gaussian'}, default='mask'
        The corruption.
    rng : numpy.random.Generator
        Stream for the noise; the estimator keeps it across warm starts.

    See Also
    --------
    Dropout : Noise on hidden units, at every layer.
    skdeep.MLPAutoencoder : Its ``noise`` parameter puts this layer first.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import InputNoise
    >>> noise = InputNoise(0.5, rng=np.random.default_rng(0))
    >>> corrupted = noise.forward(np.ones((2, 1000)), training=True)
    >>> set(np.unique(corrupted)) == {0.0, 1.0}
    True
    """

    def __init__(self, level, kind="mask", *, rng):
        super().__init__()
        if kind not in ("mask", "gaussian"):
            raise ValueError(f"kind must be 'mask' or 'gaussian', got {kind!r}.")
        if kind == "mask" and not 0 <= level < 1:
            raise ValueError(f"masking level must be in [0, 1), got {level!r}.")
        if kind == "gaussian" and not level >= 0:
            raise ValueError(f"gaussian noise level must be >= 0, got {level!r}.")
        self.level = float(level)
        self.kind = kind
        self.rng = rng

    def forward(self, x, *, training):
        self._cache = None
        if not training or self.level == 0:
            return x
        if self.kind == "gaussian":
            noise = self.rng.standard_normal(x.shape, dtype=np.float32)
            return x + (self.level * noise).astype(x.dtype, copy=False)
        keep = self.rng.random(x.shape, dtype=np.float32) >= self.level
        self._cache = keep
        return x * keep

    def backward(self, grad_output):
        if self._cache is None:  # gaussian noise is additive: identity Jacobian
            return grad_output
        return grad_output * self._cache

    def __repr__(self):
        return f"InputNoise({self.level}, {self.kind!r})"
