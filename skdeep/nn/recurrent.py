"""Recurrent cells (step functions) and the Recurrent layer that owns BPTT.

A cell computes one time step from the input projection ``x_t W_x + b``
(precomputed for all steps in one GEMM) and the previous state; it never loops
over time. :class:`Recurrent` owns the time loop, backpropagation through time,
the initial state (carried across truncated-BPTT windows by the estimator) and
its gradient.

Gate layouts along the last axis of ``W_x``, ``W_h`` and ``b``:
LSTM ``[i, f, g, o]`` (input, forget, cell candidate, output), GRU ``[r, z, n]``
(reset, update, candidate). Shapes: sequences batch-first ``(N, T, D)``.
"""

import numpy as np

from .base import Layer, check_parameter_memory
from .functional import scatter_add_rows, sigmoid
from .init import _orthogonal, glorot_uniform

__all__ = ["RNNCell", "ReLURNNCell", "LSTMCell", "GRUCell", "CELLS", "Recurrent"]


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
        # g through tanh, then every gate through σ in place and g put back
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
        dz = np.empty_like(a)
        for block, gate, other, upstream in ((dz[:, :H], i, g, dc),
                                             (dz[:, H:2 * H], f, c_prev, dc),
                                             (dz[:, 3 * H:], o, tc, dh)):
            np.subtract(1, gate, out=block)  # σ' = σ(1 - σ)
            block *= gate
            block *= other
            block *= upstream
        dg = dz[:, 2 * H:3 * H]
        np.multiply(g, g, out=dg)  # tanh' = 1 - tanh²
        np.subtract(1, dg, out=dg)
        dg *= i
        dg *= dc
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


class Recurrent(Layer):
    """A recurrent layer: a cell unrolled over time with BPTT.

    Input ``(N, T, F)`` (or token ids ``(N, T)``) becomes the outputs of every
    step, ``(N, T, H)``; :meth:`unroll` also returns the final state, and
    ``backward`` runs backpropagation through time over the steps of the last
    training forward pass.

    Parameters
    ----------
    cell : {'rnn', 'lstm', 'gru'}
        The step function.
    input_size : int
        Features per step, or the vocabulary size when the input is token ids
        (then read as one-hot vectors: the projection is a row lookup of ``W_x``).
    hidden_size : int
        State size ``H``.
    rng : numpy.random.Generator
        Source of the initial weights.
    dtype : dtype, default=np.float32
        Parameter dtype.

    Attributes
    ----------
    initial_state : tuple of ndarray or None
        State the next forward pass starts from (zeros when ``None``); the
        estimator sets it to carry state across truncated-BPTT windows.
    mask : ndarray of shape (N, T) of bool or None
        Valid steps of the next forward pass (``None``: all). At a masked step
        the state is carried over unchanged and the output is zero, so padding
        a sequence changes nothing: its final state is the one of its last
        valid step, and no gradient flows through the padding.
    final_state : tuple of ndarray
        State after the last forward pass.
    grad_initial_state : tuple of ndarray
        Gradient of the loss with respect to ``initial_state`` after backward.

    See Also
    --------
    SequenceEncoder : Stacked, bidirectional, masked recurrent layers.
    RNNCell : The step functions it unrolls.
    skdeep.RNNLanguageModel : A language model built on it.

    Notes
    -----
    The input projections of all steps are one GEMM, ``X W_x + b`` of shape
    ``(N, T, G·H)``; each step adds ``h_{t-1} W_h`` (one GEMM for all gates). In
    backward, ``dW_x`` and ``dW_h`` are single GEMMs over all steps too; only
    ``dh_{t-1} = dz W_hᵀ`` runs inside the time loop. ``W_x`` is Glorot-uniform,
    ``W_h`` orthogonal per gate block, biases zero except the LSTM forget gate (1).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Recurrent
    >>> lstm = Recurrent("lstm", 3, 5, rng=np.random.default_rng(0))
    >>> lstm.forward(np.zeros((2, 4, 3), np.float32), training=False).shape
    (2, 4, 5)
    """

    def __init__(self, cell, input_size, hidden_size, *, rng, dtype=np.float32):
        super().__init__()
        if cell not in CELLS:
            raise ValueError(f"Unknown cell {cell!r}; expected one of {sorted(CELLS)}.")
        self.cell_name = cell
        self.cell = CELLS[cell]()
        self.input_size, self.hidden_size = int(input_size), int(hidden_size)
        G, H = self.cell.n_gates, self.hidden_size
        check_parameter_memory(repr(self), [(self.input_size + H + 1, G * H)], dtype)
        W_h = np.concatenate([_orthogonal(H, rng) for _ in range(G)], axis=1)
        b = np.zeros(G * H)
        if cell == "lstm":
            b[H:2 * H] = 1.0  # remember by default (Jozefowicz et al. 2015)
        self.params = {
            "W_x": glorot_uniform((self.input_size, G * H), rng=rng, dtype=dtype),
            "W_h": W_h.astype(dtype),
            "b": b.astype(dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.initial_state = None
        self.final_state = None
        self.grad_initial_state = None
        self.mask = None

    def zero_state(self, n, dtype):
        """Return a zero state for ``n`` sequences.

        Parameters
        ----------
        n : int
            Number of sequences.
        dtype : dtype
            Dtype of the state.

        Returns
        -------
        tuple of ndarray of shape (n, hidden_size)
            ``(h,)``, or ``(h, c)`` for the LSTM.
        """
        return tuple(np.zeros((n, self.hidden_size), dtype=dtype)
                     for _ in range(self.cell.state_size))

    def forward(self, x, *, training):
        out, self.final_state, cache = self._unroll(x, self.initial_state, training,
                                                    self.mask)
        if training:
            self._cache = cache
        return out

    def unroll(self, x, state=None, mask=None):
        """Inference from ``state`` without touching the layer (thread-safe).

        Parameters
        ----------
        x : ndarray of shape (N, T, input_size) or (N, T) token ids
            Input sequences.
        state : tuple of ndarray or None, default=None
            State to start from (zeros when ``None``).
        mask : ndarray of shape (N, T) of bool or None, default=None
            Valid steps (see the ``mask`` attribute).

        Returns
        -------
        out : ndarray of shape (N, T, hidden_size)
            Hidden outputs of every step.
        final_state : tuple of ndarray
            State after the last step, to pass to the next call.
        """
        out, final_state, _ = self._unroll(x, state, training=False, mask=mask)
        return out, final_state

    def _unroll(self, x, state, training, mask=None):
        W_x, W_h, b = self.params["W_x"], self.params["W_h"], self.params["b"]
        ids = np.issubdtype(x.dtype, np.integer)
        N, T = x.shape[0], x.shape[1]
        # input projections of every step at once: (N, T, G·H)
        xp = W_x[x] + b if ids else x @ W_x + b
        if state is None:
            state = self.zero_state(N, W_h.dtype)
        out = np.empty((N, T, self.hidden_size), dtype=W_h.dtype)
        caches, h_prevs = [], []
        for t in range(T):
            if training:
                h_prevs.append(state[0])
            h, new_state, cache = self.cell.forward(xp[:, t], state, W_h)
            if mask is not None:  # padding: carry the state, output zeros
                valid = mask[:, t, None]
                new_state = tuple(np.where(valid, s, s_old)
                                  for s, s_old in zip(new_state, state))
                h = np.where(valid, h, 0)
            state = new_state
            out[:, t] = h
            if training:
                caches.append(cache)
        return out, state, ((x, ids, caches, h_prevs, mask) if training else None)

    def backward(self, grad_output):
        x, ids, caches, h_prevs, mask = self._cache
        W_h = self.params["W_h"]
        N, T = x.shape[0], x.shape[1]
        GH = W_h.shape[1]
        dz_x = np.empty((N, T, GH), dtype=grad_output.dtype)
        dz_h = None  # only for cells whose dz_h differs from dz_x (the seed's GRU)
        dstate = tuple(np.zeros((N, self.hidden_size), dtype=grad_output.dtype)
                       for _ in range(self.cell.state_size))
        for t in reversed(range(T)):
            if mask is None:
                dzx, dzh, dstate = self.cell.backward(grad_output[:, t], dstate,
                                                      caches[t], W_h)
            else:  # a padded step passes the state's gradient through untouched
                valid = mask[:, t, None]
                dzx, dzh, dprev = self.cell.backward(grad_output[:, t] * valid,
                                                     dstate, caches[t], W_h)
                dzx = dzx * valid
                dzh = dzx if dzh is dzx else dzh * valid
                dstate = tuple(np.where(valid, d, d_next)
                               for d, d_next in zip(dprev, dstate))
            dz_x[:, t] = dzx
            if dzh is not dzx:
                dz_h = np.empty((T, N, GH), dzh.dtype) if dz_h is None else dz_h
                dz_h[t] = dzh
        self.grad_initial_state = dstate
        blocks = getattr(self.cell, "recurrent_operands", lambda *a: None)(
            caches, h_prevs)
        if blocks is None and dz_h is None:  # dW_h = Σ_t h_{t-1}ᵀ dz_x[:, t]
            np.matmul(np.stack(h_prevs, axis=1).reshape(N * T, -1).T,
                      dz_x.reshape(N * T, GH), out=self.grads["W_h"])
        elif blocks is None:  # dW_h = Σ_t h_{t-1}ᵀ dz_h[t]
            np.matmul(np.stack(h_prevs).reshape(T * N, -1).T,
                      dz_h.reshape(T * N, GH), out=self.grads["W_h"])
        else:  # blocks with their own left operand (the seed's GRU)
            if dz_h is None:
                dz_h = dz_x.transpose(1, 0, 2)  # (T, N, G·H), the operands' order
            for left, cols in blocks:
                self.grads["W_h"][:, cols] = (left.reshape(T * N, -1).T
                                              @ dz_h[:, :, cols].reshape(T * N, -1))
        dz2 = dz_x.reshape(N * T, GH)  # (N, T, G·H) -> (N·T, G·H)
        dz2.sum(axis=0, out=self.grads["b"])
        if ids:  # one-hot inputs: the projection was a row lookup of W_x
            scatter_add_rows(self.grads["W_x"], x, dz2)
            return None
        np.matmul(x.reshape(N * T, -1).T, dz2, out=self.grads["W_x"])
        if not getattr(self, "input_grad", True):  # nothing upstream needs it
            return None
        return dz_x @ self.params["W_x"].T

    def clear_cache(self):
        super().clear_cache()
        self.initial_state = self.final_state = self.grad_initial_state = None
        self.mask = None

    def __repr__(self):
        return f"Recurrent({self.cell_name!r}, {self.input_size}, {self.hidden_size})"

