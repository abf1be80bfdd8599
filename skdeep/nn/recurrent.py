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
from .init import glorot_uniform

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "CELLS", "Recurrent"]


def _sigmoid_inplace(z):
    return sigmoid(z, out=z)


class RNNCell:
    """Elman cell: ``h_t = tanh(x_t W_x + b + h_{t-1} W_h)``.

    Attributes
    ----------
    n_gates : int
        Blocks of ``hidden_size`` columns in ``W_x``/``W_h``/``b`` (1).
    state_size : int
        Arrays in the state (``h``).
    """

    n_gates = 1
    state_size = 1

    def forward(self, xp, state, W_h):
        """One step. ``xp`` (N, H) input projection; ``state`` = ``(h,)``.

        Returns
        -------
        h : ndarray (N, H)
            Output of the step.
        state : tuple
            New state.
        cache : tuple
            What :meth:`backward` needs.
        """
        (h_prev,) = state
        z = h_prev @ W_h
        z += xp
        h = np.tanh(z, out=z)
        return h, (h,), (h,)

    def backward(self, dh, dstate, cache, W_h):
        """One step back.

        Parameters
        ----------
        dh : ndarray (N, H)
            Gradient reaching this step's output from above.
        dstate : tuple
            Gradient of the state from the next step (``(dh_next,)``).
        cache : tuple
            From :meth:`forward`.
        W_h : ndarray
            Recurrent weights.

        Returns
        -------
        dz_x : ndarray (N, G·H)
            Gradient of the input projection (also of ``b``).
        dz_h : ndarray (N, G·H)
            Gradient of ``h_{t-1} W_h`` (``dW_h = Σ_t h_{t-1}ᵀ dz_h``).
        dstate_prev : tuple
            Gradient of the previous state.
        """
        (h,) = cache
        g = dh + dstate[0]
        dz = g * (1 - h * h)
        return dz, dz, (dz @ W_h.T,)


class LSTMCell:
    """LSTM cell (Hochreiter & Schmidhuber; gate order ``[i, f, g, o]``).

    Notes
    -----
    ``z = x_t W_x + b + h_{t-1} W_h``; ``i, f, o = σ(z_i), σ(z_f), σ(z_o)``,
    ``g = tanh(z_g)``; ``c_t = f ⊙ c_{t-1} + i ⊙ g``; ``h_t = o ⊙ tanh(c_t)``.
    """

    n_gates = 4
    state_size = 2

    def forward(self, xp, state, W_h):
        h_prev, c_prev = state
        H = h_prev.shape[1]
        z = h_prev @ W_h
        z += xp
        a = _sigmoid_inplace(z.copy())  # all gates through σ, then g through tanh
        np.tanh(z[:, 2 * H:3 * H], out=a[:, 2 * H:3 * H])
        i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        c = f * c_prev
        c += i * g
        tc = np.tanh(c)
        h = o * tc
        return h, (h, c), (a, c_prev, tc)

    def backward(self, dh, dstate, cache, W_h):
        a, c_prev, tc = cache
        H = tc.shape[1]
        i, f, g, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        dh = dh + dstate[0]
        dc = dstate[1] + dh * o * (1 - tc * tc)
        dz = np.empty_like(a)
        np.multiply(dc * g, i * (1 - i), out=dz[:, :H])
        np.multiply(dc * c_prev, f * (1 - f), out=dz[:, H:2 * H])
        np.multiply(dc * i, 1 - g * g, out=dz[:, 2 * H:3 * H])
        np.multiply(dh * tc, o * (1 - o), out=dz[:, 3 * H:])
        return dz, dz, (dz @ W_h.T, dc * f)


class GRUCell:
    """GRU cell (Cho et al. 2014; gate order ``[r, z, n]``, reset after ``W_h``).

    Notes
    -----
    With ``u = h_{t-1} W_h``: ``r = σ(x_r + u_r)``, ``z = σ(x_z + u_z)``,
    ``n = tanh(x_n + r ⊙ u_n)``, ``h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}``
    (PyTorch's formulation, without its separate hidden bias).
    """

    n_gates = 3
    state_size = 1

    def forward(self, xp, state, W_h):
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


#: Cell names the estimators accept.
CELLS = {"rnn": RNNCell, "lstm": LSTMCell, "gru": GRUCell}


class Recurrent(Layer):
    """A recurrent layer: a cell unrolled over time with BPTT.

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
    final_state : tuple of ndarray
        State after the last forward pass.
    grad_initial_state : tuple of ndarray
        Gradient of the loss with respect to ``initial_state`` after backward.

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

    def zero_state(self, n, dtype):
        """A zero state for ``n`` sequences."""
        return tuple(np.zeros((n, self.hidden_size), dtype=dtype)
                     for _ in range(self.cell.state_size))

    def forward(self, x, *, training):
        out, self.final_state, cache = self._unroll(x, self.initial_state, training)
        if training:
            self._cache = cache
        return out

    def unroll(self, x, state=None):
        """Inference from ``state`` without touching the layer (thread-safe).

        Parameters
        ----------
        x : ndarray of shape (N, T, input_size) or (N, T) token ids
            Input sequences.
        state : tuple of ndarray or None, default=None
            State to start from (zeros when ``None``).

        Returns
        -------
        out : ndarray of shape (N, T, hidden_size)
            Hidden outputs of every step.
        final_state : tuple of ndarray
            State after the last step, to pass to the next call.
        """
        out, final_state, _ = self._unroll(x, state, training=False)
        return out, final_state

    def _unroll(self, x, state, training):
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
            h, state, cache = self.cell.forward(xp[:, t], state, W_h)
            out[:, t] = h
            if training:
                caches.append(cache)
        return out, state, ((x, ids, caches, h_prevs) if training else None)

    def backward(self, grad_output):
        x, ids, caches, h_prevs = self._cache
        W_h = self.params["W_h"]
        N, T = x.shape[0], x.shape[1]
        GH = W_h.shape[1]
        dz_x = np.empty((N, T, GH), dtype=grad_output.dtype)
        dz_h = np.empty((T, N, GH), dtype=grad_output.dtype)
        dstate = tuple(np.zeros((N, self.hidden_size), dtype=grad_output.dtype)
                       for _ in range(self.cell.state_size))
        for t in reversed(range(T)):
            dzx, dzh, dstate = self.cell.backward(grad_output[:, t], dstate,
                                                  caches[t], W_h)
            dz_x[:, t] = dzx
            dz_h[t] = dzh
        self.grad_initial_state = dstate
        # dW_h = Σ_t h_{t-1}ᵀ dz_h[t]: one GEMM over (T·N) rows
        np.matmul(np.stack(h_prevs).reshape(T * N, -1).T, dz_h.reshape(T * N, GH),
                  out=self.grads["W_h"])
        dz2 = dz_x.reshape(N * T, GH)  # (N, T, G·H) -> (N·T, G·H)
        dz2.sum(axis=0, out=self.grads["b"])
        if ids:  # one-hot inputs: the projection was a row lookup of W_x
            scatter_add_rows(self.grads["W_x"], x, dz2)
            return None
        np.matmul(x.reshape(N * T, -1).T, dz2, out=self.grads["W_x"])
        return dz_x @ self.params["W_x"].T

    def clear_cache(self):
        super().clear_cache()
        self.initial_state = self.final_state = self.grad_initial_state = None

    def __repr__(self):
        return f"Recurrent({self.cell_name!r}, {self.input_size}, {self.hidden_size})"


def _orthogonal(n, rng):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))
