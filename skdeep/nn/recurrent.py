"""The Recurrent layer: a cell unrolled over time, with BPTT.

:class:`Recurrent` owns the time loop, backpropagation through time, the
weights, the initial state (carried across truncated-BPTT windows by the
estimator) and its gradient; the step functions are in :mod:`.cells`. Shapes:
sequences batch-first ``(N, T, D)``.
"""

import numpy as np

from .base import Layer, check_parameter_memory
from .cells import CELLS, GRUCell, LSTMCell, ReLURNNCell, RNNCell
from .functional import scatter_add_rows
from .init import _orthogonal, glorot_uniform

__all__ = ["RNNCell", "ReLURNNCell", "LSTMCell", "GRUCell", "CELLS", "Recurrent"]

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
    ``(N, T, G·H)`` (token ids: a row lookup of ``W_x + b`` per step, so no
    such array is built); each step adds ``h_{t-1} W_h`` (one GEMM for all
    gates). In backward, ``dW_x`` and ``dW_h`` are single GEMMs over all steps
    too; only ``dh_{t-1} = dz W_hᵀ`` runs inside the time loop. ``W_x`` is
    Glorot-uniform, ``W_h`` orthogonal per gate block, biases zero except the
    LSTM forget gate (1).

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
        if ids:  # one-hot input: each step's projection is a row lookup of W_x + b
            table = W_x + b
        else:  # the input projections of every step in one GEMM: (N, T, G·H)
            xp = x @ W_x
            xp += b
        if state is None:
            state = self.zero_state(N, W_h.dtype)
        out = np.empty((N, T, self.hidden_size), dtype=W_h.dtype)
        caches, h_prevs = [], []
        for t in range(T):
            if training:
                h_prevs.append(state[0])
            xp_t = table[x[:, t]] if ids else xp[:, t]
            h, new_state, cache = self.cell.forward(xp_t, state, W_h)
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
        # W_h in a transposed memory layout: the cells' dz W_hᵀ then reads a
        # C-contiguous operand (BLAS runs that GEMM ~30 % faster at N = 64)
        W_h = np.ascontiguousarray(self.params["W_h"].T).T
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
        if ids:  # one-hot inputs: the projection was a row lookup of W_x
            scatter_add_rows(self.grads["W_x"], x, dz2)
            # every step looked up exactly one row, so db = Σ_t dz is the sum
            # of W_x's row gradients: a pass over V rows instead of N·T
            self.grads["W_x"].sum(axis=0, out=self.grads["b"])
            return None
        dz2.sum(axis=0, out=self.grads["b"])
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

