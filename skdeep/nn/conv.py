"""Convolution and pooling on NCHW images, vectorised with im2col + one GEMM.

Kernel size, stride and padding may differ per axis, given as ``(y, x)`` pairs,
so 1-D signals run as ``1 × n`` images with ``1 × k`` kernels. Output size per
axis is ConvNetJS's ``floor((in + 2·pad − k) / stride) + 1``.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .base import Layer, check_parameter_memory
from .functional import matmul_long_inner
from .init import random_array

__all__ = ["Conv2D", "MaxPool2D", "AvgPool2D", "Flatten", "Maxout", "pair",
           "conv_output_size"]


def pair(value):
    """``k`` or ``(ky, kx)`` -> ``(ky, kx)``."""
    if np.ndim(value) == 0:
        return int(value), int(value)
    ky, kx = value
    return int(ky), int(kx)


def conv_output_size(size, kernel, stride, pad):
    """Output length of one axis: ``floor((size + 2 pad - kernel) / stride) + 1``."""
    return (size + 2 * pad - kernel) // stride + 1


def _pad(x, py, px, value=0.0):
    if py == 0 and px == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (py, py), (px, px)), constant_values=value)


def _windows(x_padded, ky, kx, sy, sx):
    """Strided view (N, C, Ho, Wo, ky, kx) of every kernel window, no copy."""
    view = sliding_window_view(x_padded, (ky, kx), axis=(2, 3))
    return view[:, :, ::sy, ::sx]


def _column_shifts(xp, kx, sx, Wo, out=None):
    """im2col along x only: ``(C, Hp, Wp, N)`` -> ``(C, kx, Hp, Wo, N)``.

    Slot ``j`` holds the input columns that kernel column ``j`` sees; each copy
    runs over whole rows of ``Wo·N`` values.
    """
    C, Hp, _, N = xp.shape
    if out is None or out.shape != (C, kx, Hp, Wo, N):
        out = np.empty((C, kx, Hp, Wo, N), dtype=xp.dtype)
    for j in range(kx):
        out[:, j] = xp[:, :, j:j + sx * Wo:sx]
    return out


def _row_view(shifts, i, Ho):
    """Kernel row ``i``'s operand, ``(C·kx, Ho·Wo·N)``: a strided view, no copy."""
    C, kx, _, Wo, N = shifts.shape
    return shifts[:, :, i:i + Ho].reshape(C * kx, Ho * Wo * N)


#: Largest ``ky·M`` that :func:`_row_gemms` stacks into one GEMM.
ROW_STACK_LIMIT = 128


def _row_gemms(row_weights, shifts, Ho):
    """A stride-1 (in y) correlation as GEMMs over kernel rows.

    ``Σ_i row_weights[i] @ rows_i``, where ``rows_i`` is :func:`_row_view`: the
    x-shifted copies are read at row offset ``i`` in place, so the full im2col
    matrix (``ky`` times larger) is never written. With few output rows ``M``
    (``ky·M ≤ 128``) the kernel rows are stacked into one GEMM over every input
    row, ``(ky·M, C·kx) @ (C·kx, Hp·Wo·N)``, and row ``i``'s product is added
    from offset ``i``: BLAS runs a GEMM of ``M ≤ 16`` rows at a fraction of its
    speed, and the stacked one does only ``Hp / Ho`` times the multiply-adds.

    Returns ``(M, Ho·Wo·N)``.
    """
    ky, M, K = row_weights.shape
    Hp, Wo, N = shifts.shape[2:]
    if ky > 1 and ky * M <= ROW_STACK_LIMIT:
        stacked = (row_weights.reshape(ky * M, K) @ shifts.reshape(K, Hp * Wo * N))
        stacked = stacked.reshape(ky, M, Hp, Wo * N)
        out = np.add(stacked[0, :, :Ho], stacked[1, :, 1:1 + Ho])
        for i in range(2, ky):
            out += stacked[i, :, i:i + Ho]
        return out.reshape(M, Ho * Wo * N)
    out = row_weights[0] @ _row_view(shifts, 0, Ho)
    scratch = None
    for i in range(1, ky):
        scratch = np.matmul(row_weights[i], _row_view(shifts, i, Ho), out=scratch)
        out += scratch
    return out


class Conv2D(Layer):
    """2-D convolution (cross-correlation) with zero padding.

    Images are NCHW arrays; ``W`` has shape ``(F, C, ky, kx)`` and ``b`` shape
    ``(F,)``. The ``conv`` layers of :class:`skdeep.ConvNetClassifier`.

    Parameters
    ----------
    in_channels : int
        Input depth ``C``.
    out_channels : int
        Number of filters ``F``.
    kernel_size : int or (int, int)
        ``k`` or ``(ky, kx)``.
    stride : int or (int, int), default=1
        Step between windows.
    padding : int or (int, int), default=0
        Zeros added on each side of each axis.
    rng : numpy.random.Generator
        Source of the initial weights.
    dtype : dtype, default=np.float32
        Parameter and compute dtype.
    bias_init : float, default=0.0
        Initial bias (ConvNetJS's ``bias_pref``, 0.1 before a relu).
    input_grad : bool, default=True
        Whether :meth:`backward` computes the input gradient; the first layer of a
        network can skip it.

    See Also
    --------
    MaxPool2D : The pooling layer that usually follows.
    skdeep.ConvNetClassifier : Convnets described in ConvNetJS's vocabulary.

    Notes
    -----
    Working channels first and samples last, ``(C, H, W, N)``, makes every copy
    and add run over whole rows of ``W·N`` values; the output is returned as an
    ``(N, F, Ho, Wo)`` view of that samples-last memory (element-wise layers and
    pooling keep the layout, so the next convolution needs no transposing copy).

    Forward: with few input channels (``C·kx < 16``), im2col copies every
    kernel window once into ``cols``, ``(C·ky·kx, Ho·Wo·N)``, and one GEMM with
    ``W`` reshaped to ``(F, C·ky·kx)`` gives the batch. Otherwise (stride 1
    along y) only the ``kx`` column shifts are copied, ``(C, kx, H + 2py, Wo,
    N)``, and each kernel row ``i`` is one GEMM on the strided view of rows
    ``i .. i + Ho`` of that copy: ``ky`` times less copying (with few filters,
    the kernel rows are stacked into one GEMM over all rows and each row's
    product is added at its offset, see ``_row_gemms``). Backward: ``dWᵀ =
    cols dYᵀ`` (per kernel row on the row path), ``db = Σ dY``; the input
    gradient of a stride-1 layer is the correlation of ``dY`` (padded by
    ``k - 1 - pad``) with the flipped kernels, the same row GEMMs; other strides
    use col2im (one GEMM for every offset's contribution, then an add per
    offset). Weights start from
    ``N(0, 1/fan_in)``, as ConvNetJS.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Conv2D
    >>> conv = Conv2D(1, 4, 3, padding=1, rng=np.random.default_rng(0))
    >>> conv.forward(np.zeros((2, 1, 8, 8), np.float32), training=False).shape
    (2, 4, 8, 8)
    """

    def __init__(self, in_channels, out_channels, kernel_size, *, stride=1, padding=0,
                 rng, dtype=np.float32, bias_init=0.0, input_grad=True):
        super().__init__()
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = pair(kernel_size)
        self.stride = pair(stride)
        self.padding = pair(padding)
        self.input_grad = input_grad
        ky, kx = self.kernel_size
        check_parameter_memory(repr(self), [(self.out_channels, self.in_channels * ky
                                             * kx + 1)], dtype)
        fan_in = self.in_channels * ky * kx
        W = random_array(rng, "normal", (self.out_channels, self.in_channels, ky, kx),
                         dtype, scale=np.sqrt(1.0 / fan_in))
        self.params = {
            "W": W,
            "b": np.full(self.out_channels, bias_init, dtype=dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def output_shape(self, input_shape):
        """Shape of the output for inputs of shape ``(C, H, W)``.

        Parameters
        ----------
        input_shape : tuple of int
            ``(C, H, W)`` of one input.

        Returns
        -------
        tuple of int
            ``(F, Ho, Wo)``."""
        _, H, W = input_shape
        (ky, kx), (sy, sx), (py, px) = self.kernel_size, self.stride, self.padding
        return (self.out_channels, conv_output_size(H, ky, sy, py),
                conv_output_size(W, kx, sx, px))

    def _by_rows(self, C):
        """Whether to correlate row by row (see Notes) rather than by full im2col."""
        kx, sy = self.kernel_size[1], self.stride[0]
        # The row GEMMs have C·kx as their inner dimension: below ~16 the one big
        # GEMM of full im2col is faster (measured on 1-channel MNIST inputs).
        return sy == 1 and C * kx >= 16

    def forward(self, x, *, training):
        N, C, H, W_ = x.shape
        (ky, kx), (sy, sx), (py, px) = self.kernel_size, self.stride, self.padding
        F, Ho, Wo = self.output_shape(x.shape[1:])
        by_rows = self._by_rows(C)
        # A training pass reuses the previous batch's work arrays (its backward is
        # done): the padded input keeps its zero border, and no fresh pages are
        # faulted in per batch. Inference never touches them.
        xp, cols = self._work_arrays(x, by_rows) if training else (None, None)
        if xp is None:
            xp = np.zeros((C, H + 2 * py, W_ + 2 * px, N), dtype=x.dtype)
        # Samples last, (N, C, H, W) -> (C, H + 2py, W + 2px, N): every window row
        # is then Wo·N contiguous values, for every copy here and in backward.
        xp[:, py:py + H, px:px + W_] = x.transpose(1, 2, 3, 0)
        W = self.params["W"]
        if by_rows:
            cols = _column_shifts(xp, kx, sx, Wo, out=cols)
            # (F, C, ky, kx) -> (ky, F, C·kx): row i's weights against cols' rows
            out = _row_gemms(W.transpose(2, 0, 1, 3).reshape(ky, F, C * kx), cols, Ho)
        else:
            # im2col: a sliding_window_view of every window, (C, Ho, Wo, N, ky, kx),
            # copied once into cols, (C·ky·kx, Ho·Wo·N)
            win = sliding_window_view(xp, (ky, kx), axis=(1, 2))[:, ::sy, ::sx]
            if cols is None:
                cols = np.empty((C * ky * kx, Ho * Wo * N), dtype=x.dtype)
            np.copyto(cols.reshape(C, ky, kx, Ho, Wo, N),
                      win.transpose(0, 4, 5, 1, 2, 3))
            out = W.reshape(F, -1) @ cols  # (F, Ho·Wo·N), one GEMM
        out += self.params["b"][:, None]
        if training:
            self._cache = (by_rows, cols, x.shape, xp)
        # (F, Ho·Wo·N) -> (F, Ho, Wo, N) -> (N, F, Ho, Wo) as a view: the memory
        # stays samples-last. Element-wise layers and pooling keep that layout
        # (numpy's ufuncs follow their input's), so the next conv reads its input
        # and this one its gradient without a transposing copy.
        return out.reshape(F, Ho, Wo, N).transpose(3, 0, 1, 2)

    def _work_arrays(self, x, by_rows):
        """The last training pass's ``(padded input, cols)`` if they fit ``x``."""
        if self._cache is None:
            return None, None
        cached_by_rows, cols, shape, xp = self._cache
        if shape != x.shape or cols.dtype != x.dtype or cached_by_rows != by_rows:
            return None, None
        return xp, cols

    def backward(self, grad_output):
        by_rows, cols, (N, C, H, W_), _ = self._cache
        (ky, kx), (sy, sx), (py, px) = self.kernel_size, self.stride, self.padding
        F, Ho, Wo = grad_output.shape[1:]
        W = self.params["W"]
        # (N, F, Ho, Wo) -> (F, Ho, Wo, N) -> g, (F, Ho·Wo·N), the order of cols:
        # no copy when the gradient arrives samples-last (as this layer's output
        # left). dWᵀ = cols gᵀ keeps the long Ho·Wo·N axis inner in both
        # operands (twice g colsᵀ's speed).
        g = np.ascontiguousarray(grad_output.transpose(1, 2, 3, 0)).reshape(F, -1)
        gT = g.T
        if by_rows:
            for i in range(ky):
                self.grads["W"][:, :, i] = matmul_long_inner(
                    _row_view(cols, i, Ho), gT).T.reshape(F, C, kx)
        else:
            self.grads["W"].reshape(F, -1)[...] = matmul_long_inner(cols, gT).T
        # numpy's float32 sum along rows ran ~5x slower than einsum here
        np.einsum("fp->f", g, out=self.grads["b"])
        if not self.input_grad:
            return None
        if sy == sx == 1 and py < ky and px < kx:
            # The input gradient of a stride-1 correlation is the correlation of
            # the output gradient, padded by k - 1 - pad, with the flipped kernels
            # (channels swapped): the forward's row GEMMs again, no col2im.
            ay, ax = ky - 1 - py, kx - 1 - px
            gp = np.zeros((F, Ho + 2 * ay, Wo + 2 * ax, N), dtype=g.dtype)
            gp[:, ay:ay + Ho, ax:ax + Wo] = g.reshape(F, Ho, Wo, N)
            # (F, C, ky, kx) flipped -> (ky, C, F·kx)
            flipped = W[:, :, ::-1, ::-1].transpose(2, 1, 0, 3).reshape(ky, C, F * kx)
            dx = _row_gemms(flipped, _column_shifts(gp, kx, 1, W_), H)
            # (C, H·W·N) -> (N, C, H, W), a samples-last view as in forward
            return dx.reshape(C, H, W_, N).transpose(3, 0, 1, 2)
        # col2im: one GEMM gives every offset's contribution, (C, ky, kx, Ho, Wo,
        # N); each offset then adds its (C, Ho, Wo, N) block into the strided
        # pixels it saw, every add running over whole rows of Wo·N values.
        dcols = (W.reshape(F, -1).T @ g).reshape(C, ky, kx, Ho, Wo, N)
        dx = np.zeros((C, H + 2 * py, W_ + 2 * px, N), dtype=grad_output.dtype)
        for i in range(ky):
            for j in range(kx):
                dx[:, i:i + sy * Ho:sy, j:j + sx * Wo:sx] += dcols[:, i, j]
        # (C, H, W, N) -> (N, C, H, W), a samples-last view as in forward
        return dx[:, py:py + H, px:px + W_].transpose(3, 0, 1, 2)

    def __repr__(self):
        return (f"Conv2D({self.in_channels}, {self.out_channels}, "
                f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding})")


class _Pool2D(Layer):
    def __init__(self, pool_size=2, *, stride=None, padding=0):
        super().__init__()
        self.pool_size = pair(pool_size)
        self.stride = pair(self.pool_size if stride is None else stride)
        self.padding = pair(padding)

    def output_shape(self, input_shape):
        """Shape of the output for inputs of shape ``(C, H, W)``.

        Parameters
        ----------
        input_shape : tuple of int
            ``(C, H, W)`` of one input.

        Returns
        -------
        tuple of int
            ``(C, Ho, Wo)``."""
        C, H, W = input_shape
        (ky, kx), (sy, sx), (py, px) = self.pool_size, self.stride, self.padding
        return (C, conv_output_size(H, ky, sy, py), conv_output_size(W, kx, sx, px))

    def __repr__(self):
        extra = ", relu_input=True" if getattr(self, "relu_input", False) else ""
        return (f"{type(self).__name__}(pool_size={self.pool_size}, "
                f"stride={self.stride}, padding={self.padding}{extra})")


class MaxPool2D(_Pool2D):
    """Max pooling.

    Each window of each channel becomes its largest value; the channels are
    kept, and the map shrinks by the stride.

    Parameters
    ----------
    pool_size : int or (int, int), default=2
        Window size.
    stride : int or (int, int), default=None
        Step between windows; ``None`` = ``pool_size``.
    padding : int or (int, int), default=0
        Padding with ``-inf`` (padded cells never win).
    relu_input : bool, default=False
        Pool ``relu(x)`` instead of ``x``: the layer then stands for
        ``[Activation('relu'), MaxPool2D(...)]``, computed as ``relu(max(x))``
        (the same values and gradients, as the ReLU is increasing) with the ReLU
        on the pooled map only. Every window must hold an input cell (not only
        padding), as the convnets check.

    See Also
    --------
    AvgPool2D : The mean instead of the maximum.
    Conv2D : The layer whose maps it pools.

    Notes
    -----
    The maximum is taken by a loop over the ``ky·kx`` offsets inside the window,
    each step an element-wise maximum of a strided view of the whole batch — no
    loop over pixels or samples and no gathered copy of the windows. When the
    stride equals the window the views tile the (cropped) map. The gradient goes
    to the first maximal cell of each window, so ties are not counted twice.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import MaxPool2D
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> MaxPool2D(2).forward(x, training=False)[0, 0]
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
    """

    def _offsets(self, Ho, Wo):
        (ky, kx), (sy, sx) = self.pool_size, self.stride
        for i in range(ky):
            for j in range(kx):
                yield (slice(None), slice(None), slice(i, i + sy * Ho, sy),
                       slice(j, j + sx * Wo, sx))

    #: Class default, so that layers saved before the option load unchanged.
    relu_input = False

    def __init__(self, pool_size=2, *, stride=None, padding=0, relu_input=False):
        super().__init__(pool_size, stride=stride, padding=padding)
        if relu_input:
            self.relu_input = True

    def forward(self, x, *, training):
        Ho, Wo = self.output_shape(x.shape[1:])[1:]
        py, px = self.padding
        xp = _pad(x, py, px, -np.inf)
        out = None
        for view in self._offsets(Ho, Wo):
            if out is None:
                out = np.copy(xp[view], order="K")  # keep the input's layout
            else:
                np.maximum(out, xp[view], out=out)
        if training:
            self._cache = (xp, out, x.shape)
        # max(relu(x)) = relu(max(x)): the ReLU on a map ky·kx times smaller
        return np.maximum(out, 0) if self.relu_input else out

    def backward(self, grad_output):
        xp, out, (N, C, H, W) = self._cache
        # The gradient in the pooled map's memory layout (samples last after a
        # convolution; a Flatten above hands it samples first): every pass below
        # then walks the three arrays in the same order, 2-5x faster.
        rest = np.empty_like(out)
        if self.relu_input:
            # ReLU's gradient on the pooled map; where the window's maximum is not
            # positive nothing flows, as through relu(x) before pooling
            np.multiply(grad_output, out > 0, out=rest)
        else:
            np.copyto(rest, grad_output)
        (ky, kx), (sy, sx), (py, px) = self.pool_size, self.stride, self.padding
        Ho, Wo = out.shape[2:]
        dx = np.zeros_like(xp)  # xp's memory layout
        # Windows that do not overlap write their cells once (no read-modify-write).
        disjoint = sy >= ky and sx >= kx
        views = list(self._offsets(Ho, Wo))
        # Offsets in window order: each window's gradient goes to the first cell
        # equal to its maximum, and is then taken out of ``rest`` (owned here) so
        # that tied cells further on get nothing. Every unclaimed window has its
        # maximum in the last cell, which takes what is left without a test.
        for view in views[:-1]:
            hit = np.equal(xp[view], out)
            if disjoint:
                claimed = np.multiply(rest, hit, out=dx[view])
            else:
                claimed = rest * hit
                dx[view] += claimed
            # g - g is exactly 0 and g - 0 exactly g: a plain pass, where a masked
            # copy (np.copyto's where=) takes 5-10 times longer
            np.subtract(rest, claimed, out=rest)
        if disjoint:
            dx[views[-1]] = rest
        else:
            dx[views[-1]] += rest
        return dx[:, :, py:py + H, px:px + W]


class AvgPool2D(_Pool2D):
    """Average pooling (zero padding counted in the average).

    Each window of each channel becomes its mean; the channels are kept, and the
    map shrinks by the stride.

    Parameters
    ----------
    pool_size : int or (int, int), default=2
        Window size.
    stride : int or (int, int), default=None
        Step between windows; ``None`` = ``pool_size``.
    padding : int or (int, int), default=0
        Zero padding.

    See Also
    --------
    MaxPool2D : The maximum instead of the mean.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import AvgPool2D
    >>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    >>> AvgPool2D(2).forward(x, training=False)[0, 0]
    array([[ 2.5,  4.5],
           [10.5, 12.5]], dtype=float32)
    """

    def forward(self, x, *, training):
        (ky, kx), (sy, sx), (py, px) = self.pool_size, self.stride, self.padding
        win = _windows(_pad(x, py, px), ky, kx, sy, sx)  # (N, C, Ho, Wo, ky, kx)
        if training:
            self._cache = x.shape
        return win.mean(axis=(4, 5), dtype=x.dtype)

    def backward(self, grad_output):
        N, C, H, W = self._cache
        (ky, kx), (sy, sx), (py, px) = self.pool_size, self.stride, self.padding
        Ho, Wo = grad_output.shape[2:]
        share = grad_output / grad_output.dtype.type(ky * kx)
        dx = np.zeros((N, C, H + 2 * py, W + 2 * px), dtype=grad_output.dtype)
        for i in range(ky):
            for j in range(kx):
                dx[:, :, i:i + sy * Ho:sy, j:j + sx * Wo:sx] += share
        return dx[:, :, py:py + H, px:px + W]


class Flatten(Layer):
    """``(N, C, H, W)`` -> ``(N, C·H·W)``.

    It sits between the last conv or pool layer and the first fully connected
    one; ``backward`` restores the image shape.

    See Also
    --------
    Dense : The fully connected layer that reads the rows.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Flatten
    >>> Flatten().forward(np.zeros((2, 3, 4, 5)), training=False).shape
    (2, 60)
    """

    def forward(self, x, *, training):
        if training:
            self._cache = x.shape
        return x.reshape(x.shape[0], -1)  # (N, C, H, W) -> (N, C·H·W)

    def backward(self, grad_output):
        return grad_output.reshape(self._cache)


class Maxout(Layer):
    """Maxout (Goodfellow et al. 2013; ConvNetJS's ``maxout`` activation).

    Groups of ``group_size`` consecutive channels (axis 1) are reduced to their
    maximum, so the output has ``channels / group_size`` channels.

    Parameters
    ----------
    group_size : int, default=2
        Channels per group (ConvNetJS's default is 2).

    See Also
    --------
    Activation : Fixed element-wise activations.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Maxout
    >>> Maxout(2).forward(np.array([[1.0, 3.0, -1.0, -2.0]]), training=False)
    array([[ 3., -1.]])
    """

    def __init__(self, group_size=2):
        super().__init__()
        self.group_size = int(group_size)

    def forward(self, x, *, training):
        g = self.group_size
        if x.shape[1] % g:
            raise ValueError(
                f"maxout needs a number of channels divisible by group_size={g}; "
                f"got {x.shape[1]}."
            )
        # (N, C, ...) -> (N, C/g, g, ...)
        grouped = x.reshape(x.shape[0], x.shape[1] // g, g, *x.shape[2:])
        arg = grouped.argmax(axis=2)
        if training:
            self._cache = (arg, x.shape)
        return np.take_along_axis(grouped, arg[:, :, None], axis=2)[:, :, 0]

    def backward(self, grad_output):
        arg, shape = self._cache
        g = self.group_size
        dgrouped = np.zeros((shape[0], shape[1] // g, g, *shape[2:]),
                            dtype=grad_output.dtype)
        np.put_along_axis(dgrouped, arg[:, :, None], grad_output[:, :, None], axis=2)
        return dgrouped.reshape(shape)

    def __repr__(self):
        return f"Maxout({self.group_size})"
