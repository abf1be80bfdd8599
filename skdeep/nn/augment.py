"""Random image augmentation as a layer: shifts, flips and small zooms."""

import numbers

import numpy as np

from .base import Layer

__all__ = ["Augment2D", "check_augment"]

_KEYS = {"shift": 0, "flip": False, "scale": 0.0}


def check_augment(augment, name="augment"):
    """Validate an augmentation spec; return it complete (or ``None``).

    Parameters
    ----------
    augment : dict or None
        ``{'shift': k, 'flip': bool, 'scale': s}``, any key optional:
        random shifts of up to ``k`` pixels along each axis, horizontal
        flips with probability 1/2, zooms by a factor in ``[1 - s, 1 + s]``.
    name : str, default='augment'
        The parameter's name, for the error messages.

    Returns
    -------
    dict or None
        The spec with every key, or ``None`` when it changes nothing.
    """
    if augment is None:
        return None
    if not isinstance(augment, dict):
        raise TypeError(f"The {name!r} parameter must be a dict such as "
                        f"{{'shift': 2, 'flip': False, 'scale': 0.1}}, or None; "
                        f"got {augment!r}.")
    unknown = set(augment) - set(_KEYS)
    if unknown:
        raise ValueError(f"The {name!r} parameter has unknown keys "
                         f"{sorted(unknown)}; known: {sorted(_KEYS)}.")
    spec = {**_KEYS, **augment}
    shift, flip, scale = spec["shift"], spec["flip"], spec["scale"]
    if isinstance(shift, bool) or not isinstance(shift, numbers.Integral) or shift < 0:
        raise ValueError(f"{name}['shift'] must be an int >= 0, got {shift!r}.")
    if not isinstance(flip, (bool, np.bool_)):
        raise ValueError(f"{name}['flip'] must be a bool, got {flip!r}.")
    if (isinstance(scale, bool) or not isinstance(scale, numbers.Real)
            or not 0 <= scale < 0.5):
        raise ValueError(f"{name}['scale'] must be in [0, 0.5), got {scale!r}.")
    spec = {"shift": int(shift), "flip": bool(flip), "scale": float(scale)}
    return spec if spec != _KEYS else None


class Augment2D(Layer):
    """Random shifts, horizontal flips and zooms of images, while training only.

    Each image of a training batch gets its own shift ``(dy, dx)`` drawn
    uniformly from ``[-shift, shift]``, a horizontal flip with probability 1/2
    (``flip``) and a zoom factor from ``[1 - scale, 1 + scale]`` about the
    centre (nearest neighbour); pixels moved in from outside are 0. The batch
    is gathered in one vectorised indexing step. At inference the layer is the
    identity. ConvNetJS's CIFAR-10 demo draws crops and flips per example.

    Parameters
    ----------
    shift : int, default=0
        Largest shift in pixels along each axis.
    flip : bool, default=False
        Random horizontal flips (not for digits: a flipped 2 is no digit).
    scale : float, default=0.0
        Largest relative zoom, in [0, 0.5).
    rng : numpy.random.Generator
        Stream of the draws; the estimator keeps it across warm starts, so
        that resumed training draws what uninterrupted training would.

    See Also
    --------
    skdeep.ConvNetClassifier : Its ``augment`` parameter puts this layer first.

    Notes
    -----
    Forward: ``y[n, c, i, j] = x[n, c, r_n(i), s_n(j)]`` (0 outside the
    image). Backward: the adjoint, a scatter-add of ``g`` onto the source
    pixels.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Augment2D
    >>> layer = Augment2D(shift=2, rng=np.random.default_rng(0))
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> layer.forward(x, training=False) is x
    True
    >>> layer.forward(x, training=True).shape
    (1, 1, 4, 4)
    """

    def __init__(self, shift=0, flip=False, scale=0.0, *, rng):
        super().__init__()
        spec = check_augment({"shift": shift, "flip": flip, "scale": scale}) or _KEYS
        self.shift, self.flip, self.scale = spec["shift"], spec["flip"], spec["scale"]
        self.rng = rng
        self.input_grad = True

    def _source_pixels(self, N, H, W):
        """Per image, the flat source index of every output pixel and a mask."""
        rng = self.rng
        dy, dx = rng.integers(-self.shift, self.shift + 1, size=(2, N))
        zoom = (rng.uniform(1 - self.scale, 1 + self.scale, size=N) if self.scale
                else np.ones(N))
        flips = rng.random(N) < 0.5 if self.flip else np.zeros(N, bool)
        centre_y, centre_x = (H - 1) / 2, (W - 1) / 2
        # (N, H) rows and (N, W) columns read for each output row and column
        rows = np.rint(centre_y + (np.arange(H) - centre_y) / zoom[:, None]
                       ).astype(np.intp) - dy[:, None]
        cols = np.rint(centre_x + (np.arange(W) - centre_x) / zoom[:, None]
                       ).astype(np.intp) - dx[:, None]
        cols = np.where(flips[:, None], W - 1 - cols, cols)
        inside = ((rows >= 0) & (rows < H))[:, :, None] & (
            (cols >= 0) & (cols < W))[:, None, :]
        index = np.clip(rows, 0, H - 1)[:, :, None] * W + np.clip(cols, 0, W - 1)[
            :, None, :]
        return index.reshape(N, 1, H * W), inside.reshape(N, 1, H * W)

    def forward(self, x, *, training):
        self._cache = None
        if not training or (self.shift, self.flip, self.scale) == (0, False, 0.0):
            return x
        N, C, H, W = x.shape
        index, inside = self._source_pixels(N, H, W)
        out = np.take_along_axis(x.reshape(N, C, H * W), index, axis=2)
        out *= inside
        self._cache = (x.shape, index, inside)
        return out.reshape(N, C, H, W)

    def backward(self, grad_output):
        if self._cache is None:
            return grad_output
        if not self.input_grad:
            return None
        (N, C, H, W), index, inside = self._cache
        # flat positions in x of every output pixel: np.bincount adds the
        # gradients of outputs that read the same source pixel (zooms in)
        base = (np.arange(N * C) * (H * W)).reshape(N, C, 1)
        flat = (base + index).ravel()
        weights = (grad_output.reshape(N, C, H * W) * inside).ravel()
        grad = np.bincount(flat, weights=weights, minlength=N * C * H * W)
        return grad.astype(grad_output.dtype, copy=False).reshape(N, C, H, W)

    def __repr__(self):
        return f"Augment2D(shift={self.shift}, flip={self.flip}, scale={self.scale})"
