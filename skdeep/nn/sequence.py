"""SequenceEncoder: stacked, optionally bidirectional recurrent layers over padded
sequences, for the sequence estimators."""

import numpy as np

from .base import Layer
from .dropout import Dropout
from .recurrent import Recurrent

__all__ = ["SequenceEncoder"]

_KEYS = ("W_x", "W_h", "b")


class SequenceEncoder(Layer):
    """Recurrent layers over padded sequences whose last channel is a mask.

    The input is ``(N, T, F + 1)``: ``F`` features per step and a last channel
    that is 1 at valid steps and 0 at padding (right-padded sequences). Carrying
    the mask as a channel lets minibatches, shuffling and validation splits
    slice it with the rows. Padding changes nothing (see
    :attr:`Recurrent.mask`); the backward direction of a bidirectional layer
    reads each sequence from its own last valid step.

    Parameters
    ----------
    cell : str
        A key of :data:`skdeep.nn.CELLS`.
    input_size : int
        Features per step ``F`` (without the mask channel).
    hidden_size : int
        State size of each direction.
    num_layers : int, default=1
        Stacked recurrent layers.
    bidirectional : bool, default=False
        Whether each layer also reads the sequences backwards (outputs of the
        two directions are concatenated).
    dropout : float, default=0.0
        Inverted dropout between stacked layers.
    output : {'last', 'sequence'}, default='last'
        ``'last'``: ``(N, D·H)``, the forward direction's output at each
        sequence's last valid step (with the backward direction's at its first);
        ``'sequence'``: ``(N, T, D·H)``, every step (zeros at padding).
    rng, dropout_rng : numpy.random.Generator
        Initial weights; dropout masks.
    dtype : dtype, default=np.float32
        Parameter dtype.

    See Also
    --------
    Recurrent : One recurrent layer.
    skdeep.RNNClassifier : The estimators built on it.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import SequenceEncoder
    >>> rng = np.random.default_rng(0)
    >>> encoder = SequenceEncoder("gru", 2, 4, bidirectional=True, rng=rng,
    ...                           dropout_rng=rng)
    >>> x = np.ones((3, 5, 3), np.float32)  # 2 features and the mask channel
    >>> encoder.forward(x, training=False).shape
    (3, 8)
    """

    def __init__(self, cell, input_size, hidden_size, num_layers=1,
                 bidirectional=False, dropout=0.0, output="last", *, rng,
                 dropout_rng, dtype=np.float32):
        super().__init__()
        self.hidden_size, self.num_layers = int(hidden_size), int(num_layers)
        self.directions = 2 if bidirectional else 1
        self.output, self.input_grad = output, True
        self._recurrents = []
        n_in = int(input_size)
        for layer in range(self.num_layers):
            for direction in range(self.directions):
                recurrent = Recurrent(cell, n_in, hidden_size, rng=rng, dtype=dtype)
                suffix = f"{layer}{'fb'[direction]}"
                for key in _KEYS:  # the encoder's dicts own the arrays
                    self.params[f"{key}_{suffix}"] = recurrent.params[key]
                    self.grads[f"{key}_{suffix}"] = recurrent.grads[key]
                self._recurrents.append((recurrent, suffix))
            n_in = self.hidden_size * self.directions
        # between layers; named `layers` so that gradient checks rewind their rng
        self.layers = [Dropout(dropout, rng=dropout_rng)
                       for _ in range(self.num_layers - 1)] if dropout else []

    def _bind(self):
        # the arrays live in self.params / self.grads (copies, optimizers and
        # dtype conversions replace them there): point the layers at them
        for recurrent, suffix in self._recurrents:
            recurrent.params = {k: self.params[f"{k}_{suffix}"] for k in _KEYS}
            recurrent.grads = {k: self.grads[f"{k}_{suffix}"] for k in _KEYS}

    def forward(self, x, *, training):
        self._bind()
        mask = x[..., -1] > 0.5  # (N, T)
        h = x[..., :-1]
        reverse = _reverse_valid_steps(mask)
        for layer in range(self.num_layers):
            if layer and self.layers:
                h = self.layers[layer - 1].forward(h, training=training)
            outputs = []
            for direction in range(self.directions):
                recurrent, _ = self._recurrents[layer * self.directions + direction]
                # backwards: each sequence reversed within its own length
                steps = h if direction == 0 else h[reverse]
                recurrent.mask = mask
                out = recurrent.forward(steps, training=training)
                outputs.append(out if direction == 0 else out[reverse])
            h = outputs[0] if self.directions == 1 else np.concatenate(outputs, -1)
        lengths = mask.sum(axis=1)
        if training:
            self._cache = (mask, reverse, lengths, h.shape)
        if self.output == "sequence":
            return h
        rows = np.arange(len(h))
        H = self.hidden_size
        last = h[rows, np.maximum(lengths - 1, 0), :H]  # forward: last valid step
        if self.directions == 1:
            return last
        return np.concatenate([last, h[:, 0, H:]], axis=1)  # backward: step 0

    def backward(self, grad_output):
        mask, reverse, lengths, shape = self._cache
        if self.output == "sequence":
            grad = grad_output
        else:
            grad = np.zeros(shape, dtype=grad_output.dtype)
            H = self.hidden_size
            rows = np.arange(shape[0])
            grad[rows, np.maximum(lengths - 1, 0), :H] = grad_output[:, :H]
            if self.directions == 2:
                grad[:, 0, H:] = grad_output[:, H:]
        H = self.hidden_size
        for layer in reversed(range(self.num_layers)):
            grad_in = None
            for direction in range(self.directions):
                recurrent, _ = self._recurrents[layer * self.directions + direction]
                part = grad[..., direction * H:(direction + 1) * H]
                if direction == 1:
                    part = part[reverse]
                recurrent.input_grad = layer > 0 or self.input_grad
                g = recurrent.backward(np.ascontiguousarray(part))
                if g is None:  # the first layer, when nothing needs dX
                    continue
                if direction == 1:
                    g = g[reverse]
                grad_in = g if grad_in is None else grad_in + g
            if layer and self.layers:
                grad_in = self.layers[layer - 1].backward(grad_in)
            grad = grad_in
        if not self.input_grad:
            return None
        # no gradient for the mask channel
        return np.concatenate([grad, np.zeros_like(grad[..., :1])], axis=-1)

    def clear_cache(self):
        super().clear_cache()
        for recurrent, _ in self._recurrents:
            recurrent.clear_cache()
        for dropout in self.layers:
            dropout.clear_cache()

    def __repr__(self):
        first = self._recurrents[0][0]
        return (f"SequenceEncoder({first.cell_name!r}, {first.input_size}, "
                f"{self.hidden_size}, num_layers={self.num_layers}, "
                f"bidirectional={self.directions == 2})")


def _reverse_valid_steps(mask):
    """Index ``(rows, steps)`` that reverses each row within its valid steps.

    Applying it twice is the identity; padding (after the valid steps) stays
    in place.
    """
    N, T = mask.shape
    lengths = mask.sum(axis=1)[:, None]
    t = np.arange(T)[None, :]
    steps = np.where(t < lengths, lengths - 1 - t, t)
    return np.arange(N)[:, None], steps
