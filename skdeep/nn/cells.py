"""Recurrent cells: the step functions that :class:`~skdeep.nn.Recurrent` unrolls.

A cell computes one time step from the input projection ``x_t W_x + b``
(precomputed by the layer) and the previous state; it never loops over time
and owns no weights. Gate layouts along the last axis of ``W_x``, ``W_h`` and
``b``: LSTM ``[i, f, g, o]`` (input, forget, cell candidate, output), GRU
``[r, z, n]`` (reset, update, candidate). Shapes: ``(N, ·)`` per step.
"""

import numpy as np

from .functional import sigmoid

__all__ = ["RNNCell", "ReLURNNCell", "LSTMCell", "GRUCell", "CELLS"]


def _sigmoid_inplace(z):
    return sigmoid(z, out=z)


class _Cell:
    """The step-function contract of the cells (no behaviour of its own).

    A cell is stateless: ``forward`` takes the previous state and returns the
    new one, ``backward`` takes the cache ``forward`` returned, and the
    :class:`Recurrent` layer owns the weights and the time loop.
    """

    def forward(self, xp, state, W_h):
        """Compute one time step.

        Parameters
        ----------
        xp : ndarray of shape (N, G·H)
            This step's input projection ``x_t W_x + b`` (``G`` gate blocks of
            ``H`` columns).
        state : tuple of ndarray of shape (N, H)
            The previous state: ``(h,)``, or ``(h, c)`` for the LSTM.
        W_h : ndarray of shape (H, G·H)
            Recurrent weights.

        Returns
        -------
        h : ndarray of shape (N, H)
            Output of the step.
        state : tuple of ndarray
            New state.
        cache : tuple of ndarray
            What :meth:`backward` needs.
        """
        raise NotImplementedError

    def backward(self, dh, dstate, cache, W_h):
        """Back-propagate one time step.

        Parameters
        ----------
        dh : ndarray of shape (N, H)
            Gradient reaching this step's output from above.
        dstate : tuple of ndarray
            Gradient of the state from the next step (``(dh_next,)``, or
            ``(dh_next, dc_next)`` for the LSTM).
        cache : tuple of ndarray
            From :meth:`forward`.
        W_h : ndarray of shape (H, G·H)
            Recurrent weights.

        Returns
        -------
        dz_x : ndarray of shape (N, G·H)
            Gradient of the input projection (also of ``b``).
        dz_h : ndarray of shape (N, G·H)
            Gradient of ``h_{t-1} W_h`` (``dW_h = Σ_t h_{t-1}ᵀ dz_h``).
        dstate_prev : tuple of ndarray
            Gradient of the previous state.
        """
        raise NotImplementedError


class RNNCell(_Cell):
    """Elman cell: ``h_t = tanh(x_t W_x + b + h_{t-1} W_h)``.

    The cell of the seed's language model (seed 004 part 5). A cell is a step
    function without weights of its own: :class:`Recurrent` passes it the input
    projection, the previous state and ``W_h``.

    Attributes
    ----------
    n_gates : int
        Blocks of ``hidden_size`` columns in ``W_x``/``W_h``/``b`` (1).
    state_size : int
        Arrays in the state (``h``).

    See Also
    --------
    LSTMCell : The gated cell with a memory.
    GRUCell : The gated cell without a separate memory.
    Recurrent : The layer that unrolls a cell over time.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import RNNCell
    >>> xp, state, W_h = np.zeros((2, 3)), (np.ones((2, 3)),), np.eye(3)
    >>> h, state, cache = RNNCell().forward(xp, state, W_h)
    >>> h.round(4).tolist()
    [[0.7616, 0.7616, 0.7616], [0.7616, 0.7616, 0.7616]]
    """

    n_gates = 1
    state_size = 1

    def forward(self, xp, state, W_h):
        (h_prev,) = state
        z = h_prev @ W_h
        z += xp
        h = np.tanh(z, out=z)
        return h, (h,), (h,)

    def backward(self, dh, dstate, cache, W_h):
        (h,) = cache
        g = dh + dstate[0]
        dz = g * (1 - h * h)
        return dz, dz, (dz @ W_h.T,)


class ReLURNNCell(RNNCell):
    """Elman cell with a ReLU: ``h_t = max(0, x_t W_x + b + h_{t-1} W_h)``.

    (PyTorch's ``nn.RNN(nonlinearity='relu')``; with the orthogonal ``W_h`` of
    :class:`Recurrent` it is the IRNN family of Le et al. 2015.)

    See Also
    --------
    RNNCell : The tanh Elman cell.
    Recurrent : The layer that unrolls a cell over time.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import ReLURNNCell
    >>> xp, state, W_h = np.array([[-1.0, 2.0]]), (np.zeros((1, 2)),), np.eye(2)
    >>> h, state, cache = ReLURNNCell().forward(xp, state, W_h)
    >>> h.tolist()
    [[0.0, 2.0]]
    """

    def forward(self, xp, state, W_h):
        (h_prev,) = state
        z = h_prev @ W_h
        z += xp
        h = np.maximum(z, 0, out=z)
        return h, (h,), (h,)

    def backward(self, dh, dstate, cache, W_h):
        (h,) = cache
        dz = (dh + dstate[0]) * (h > 0)
        return dz, dz, (dz @ W_h.T,)


class LSTMCell(_Cell):
    """LSTM cell (Hochreiter & Schmidhuber; gate order ``[i, f, g, o]``).

    Its cell state ``c`` carries information across many steps, and the gates
    decide what to write, keep and read (seed 004 part 6); the state is
    ``(h, c)``.

    See Also
    --------
    GRUCell : A gated cell with fewer gates.
    Recurrent : The layer that unrolls a cell over time.

    Notes
    -----
    ``z = x_t W_x + b + h_{t-1} W_h``; ``i, f, o = σ(z_i), σ(z_f), σ(z_o)``,
    ``g = tanh(z_g)``; ``c_t = f ⊙ c_{t-1} + i ⊙ g``; ``h_t = o ⊙ tanh(c_t)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import LSTMCell
    >>> H = 3
    >>> xp, W_h = np.zeros((2, 4 * H)), np.zeros((H, 4 * H))
    >>> state = (np.zeros((2, H)), np.zeros((2, H)))
    >>> h, (h, c), cache = LSTMCell().forward(xp, state, W_h)
    >>> h.shape, c.shape
    ((2, 3), (2, 3))
    """

    n_gates = 4
    state_size = 2

    def forward(self, xp, state, W_h):
        h_prev, c_prev = state
        H = h_prev.shape[1]
        a = h_prev @ W_h
        a += xp
        # g through tanh, then every gate through σ in place and g put back:
        # ufuncs on a column block (a strided view) run ~2x slower than on
        # the whole contiguous array, so σ over all four blocks is cheaper
        g = np.tanh(a[:, 2 * H:3 * H])
        _sigmoid_inplace(a)
        a[:, 2 * H:3 * H] = g
        i, f, o = a[:, :H], a[:, H:2 * H], a[:, 3 * H:]
        c = f * c_prev
        g *= i  # i ⊙ g, in g's scratch copy
        c += g
        tc = np.tanh(c)
        h = o * tc
        return h, (h, c), (a, c_prev, tc)

    def backward(self, dh, dstate, cache, W_h):
        a, c_prev, tc = cache
        H = tc.shape[1]
        i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        dh = dh + dstate[0]
        # dc = dc_next + dh ⊙ o ⊙ (1 - tanh²c), then each gate's block in place
        dc = np.multiply(tc, tc)
        np.subtract(1, dc, out=dc)
        dc *= o
        dc *= dh
        dc += dstate[1]
        # dz = (each gate's derivative) ⊙ (what multiplies it), as two
        # full-width products: ufuncs on column blocks (strided views) run
        # ~2x slower than on whole arrays, so only the per-block writes are
        dz = np.subtract(1, a)
        dz *= a  # σ' = σ(1 - σ) (wrong in g's block, set next)
        dg = dz[:, 2 * H:3 * H]
        np.multiply(g, g, out=dg)  # tanh' = 1 - tanh²
        np.subtract(1, dg, out=dg)
        factor = np.empty_like(a)
        np.multiply(g, dc, out=factor[:, :H])
        np.multiply(c_prev, dc, out=factor[:, H:2 * H])
        np.multiply(i, dc, out=factor[:, 2 * H:3 * H])
        np.multiply(tc, dh, out=factor[:, 3 * H:])
        dz *= factor
        return dz, dz, (dz @ W_h.T, dc * f)


class GRUCell(_Cell):
    """GRU cell (Cho et al. 2014; gate order ``[r, z, n]``).

    An update gate mixes the previous state with a candidate and a reset gate
    controls how much of the previous state the candidate sees; the state is
    ``(h,)`` (seed 004 part 6).

    Parameters
    ----------
    reset : {'after', 'before'}, default='after'
        Where the reset gate acts on the previous state.

    See Also
    --------
    LSTMCell : The gated cell with a separate memory.
    Recurrent : The layer that unrolls a cell over time.

    Notes
    -----
    ``reset='after'`` (PyTorch's formulation, without its separate hidden
    bias), with ``u = h_{t-1} W_h``: ``r = σ(x_r + u_r)``, ``z = σ(x_z + u_z)``,
    ``n = tanh(x_n + r ⊙ u_n)``, ``h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}``.

    ``reset='before'`` is the GRU of "deep learning from zero" part 6 (seed 004)
    and of Cho et al.'s paper: ``z = σ(W_z·[h_{t-1}, x_t])``,
    ``r = σ(W_r·[h_{t-1}, x_t])``, ``h̃ = tanh(W·[r ⊙ h_{t-1}, x_t])``,
    ``h_t = (1 − z) ⊙ h_{t-1} + z ⊙ h̃``: the reset gate scales the state before
    the recurrent product, and ``z`` is the share of the new candidate (the
    seed's convention; the ``'after'`` form gives ``z`` to the old state).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import GRUCell
    >>> H = 3
    >>> xp, state, W_h = np.zeros((2, 3 * H)), (np.ones((2, H)),), np.zeros((H, 3 * H))
    >>> h, state, cache = GRUCell().forward(xp, state, W_h)
    >>> h.tolist()  # z = 0.5 and a zero candidate: half the old state
    [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5]]
    """

    n_gates = 3
    state_size = 1

    def __init__(self, reset="after"):
        if reset not in ("after", "before"):
            raise ValueError(f"reset must be 'after' or 'before'; got {reset!r}.")
        self.reset = reset

    def forward(self, xp, state, W_h):
        if self.reset == "before":
            return self._forward_before(xp, state, W_h)
        (h_prev,) = state
        H = h_prev.shape[1]
        u = h_prev @ W_h
        rz = xp[:, :2 * H] + u[:, :2 * H]
        _sigmoid_inplace(rz)
        r, zg = rz[:, :H], rz[:, H:]
        n = np.tanh(xp[:, 2 * H:] + r * u[:, 2 * H:])
        h = n + zg * (h_prev - n)
        return h, (h,), (rz, n, u[:, 2 * H:], h_prev)

    def backward(self, dh, dstate, cache, W_h):
        if self.reset == "before":
            return self._backward_before(dh, dstate, cache, W_h)
        rz, n, u_n, h_prev = cache
        H = n.shape[1]
        r, zg = rz[:, :H], rz[:, H:]
        dh = dh + dstate[0]
        dn = dh * (1 - zg) * (1 - n * n)  # through tanh
        dz_x = np.empty((n.shape[0], 3 * H), dtype=n.dtype)
        np.multiply(dn * u_n, r * (1 - r), out=dz_x[:, :H])
        np.multiply(dh * (h_prev - n), zg * (1 - zg), out=dz_x[:, H:2 * H])
        dz_x[:, 2 * H:] = dn
        dz_h = dz_x.copy()
        dz_h[:, 2 * H:] *= r
        return dz_x, dz_h, (dh * zg + dz_h @ W_h.T,)

    # the seed's form: two recurrent products, the second on r ⊙ h_{t-1}
    def _forward_before(self, xp, state, W_h):
        (h_prev,) = state
        H = h_prev.shape[1]
        rz = h_prev @ W_h[:, :2 * H]
        rz += xp[:, :2 * H]
        _sigmoid_inplace(rz)
        r, zg = rz[:, :H], rz[:, H:]
        rh = r * h_prev
        n = rh @ W_h[:, 2 * H:]
        n += xp[:, 2 * H:]
        np.tanh(n, out=n)
        h = h_prev + zg * (n - h_prev)  # (1 − z) h_{t-1} + z h̃
        return h, (h,), (rz, n, rh, h_prev)

    def _backward_before(self, dh, dstate, cache, W_h):
        rz, n, rh, h_prev = cache
        H = n.shape[1]
        r, zg = rz[:, :H], rz[:, H:]
        dh = dh + dstate[0]
        dn = dh * zg * (1 - n * n)  # through tanh: the candidate's pre-activation
        drh = dn @ W_h[:, 2 * H:].T  # gradient of r ⊙ h_{t-1}
        dz_x = np.empty((n.shape[0], 3 * H), dtype=n.dtype)
        np.multiply(drh * h_prev, r * (1 - r), out=dz_x[:, :H])
        np.multiply(dh * (n - h_prev), zg * (1 - zg), out=dz_x[:, H:2 * H])
        dz_x[:, 2 * H:] = dn
        # dW_h = h_{t-1}ᵀ dz_h for the r, z blocks but (r ⊙ h_{t-1})ᵀ dn for the
        # candidate's: scaling dn by r/1 is not it, so the layer asks the cell
        dh_prev = dh * (1 - zg) + drh * r + dz_x[:, :2 * H] @ W_h[:, :2 * H].T
        return dz_x, dz_x, (dh_prev,)

    def recurrent_operands(self, caches, h_prevs):
        """Return the left operands of ``dW_h`` per column block, over time.

        ``None`` when every block multiplies ``h_{t-1}`` (one GEMM); the
        ``'before'`` form's candidate block multiplies ``r ⊙ h_{t-1}``.

        Parameters
        ----------
        caches : list of tuple of ndarray
            The caches of :meth:`forward`, one per time step.
        h_prevs : list of ndarray of shape (N, H)
            The previous state of each time step.

        Returns
        -------
        list of (ndarray, slice) or None
            ``(operand stacked over time, columns of W_h it multiplies)``
            pairs, or ``None``.
        """
        if self.reset == "after":
            return None
        H = h_prevs[0].shape[1]
        return [(np.stack(h_prevs), slice(0, 2 * H)),
                (np.stack([cache[2] for cache in caches]), slice(2 * H, 3 * H))]


def _gru_reset_before():
    return GRUCell(reset="before")


#: Cell names the estimators accept.
CELLS = {"rnn": RNNCell, "rnn_relu": ReLURNNCell, "lstm": LSTMCell, "gru": GRUCell,
         "gru_reset_before": _gru_reset_before}
