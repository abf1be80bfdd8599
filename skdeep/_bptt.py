"""A token stream through :class:`~skdeep.RNNLanguageModel`'s network.

Truncated BPTT reads the stream as parallel rows cut into windows; inference
runs the network with the recurrent state passed and returned, never stored on
the fitted layers, so concurrent calls from threads give the sequential
results.
"""

import numpy as np

from .nn import Recurrent
from .nn.functional import log_softmax, softmax

__all__ = ["bptt_windows", "recurrent_forward", "sample_tokens",
           "stream_log_likelihood"]


def bptt_windows(stream, n_rows, offset=0, weights=None):
    """Cut a token stream into parallel rows of inputs and next-token targets.

    Parameters
    ----------
    stream : ndarray of shape (n_tokens,)
        Token ids.
    n_rows : int
        Rows wanted (parallel streams); fewer when the stream is short.
    offset : int, default=0
        Tokens skipped at the start (moves the window boundaries).
    weights : ndarray of shape (n_tokens,) or None, default=None
        A weight per position of ``stream``.

    Returns
    -------
    inputs, targets : ndarray of shape (rows, columns)
        Rows of contiguous text and, one position later, what each predicts.
    target_weights : ndarray of shape (rows, columns) or None
        The weights of the targets (``None`` without ``weights``).
    """
    stream = stream[offset:]
    rows = max(1, min(n_rows, (len(stream) - 1) // 2))
    cols = (len(stream) - 1) // rows
    inputs = stream[: rows * cols].reshape(rows, cols)  # rows of contiguous text
    targets = stream[1: rows * cols + 1].reshape(rows, cols)
    if weights is None:
        return inputs, targets, None
    return inputs, targets, weights[offset + 1: offset + rows * cols + 1].reshape(
        rows, cols)


def recurrent_forward(network, ids, state):
    """Top recurrent outputs (N, T, H) for ids (N, T), and every layer's new state.

    Parameters
    ----------
    network : Sequential
        Embedding or recurrent layers (dropout between them), then the output.
    ids : ndarray of shape (N, T)
        Token ids.
    state : list or None
        The states :func:`recurrent_forward` returned for the previous window
        (``None``: zeros).

    Returns
    -------
    hidden : ndarray of shape (N, T, H)
    state : list
        The final state of each recurrent layer.
    """
    recurrent = [layer for layer in network.layers if isinstance(layer, Recurrent)]
    states = iter(state or [None] * len(recurrent))
    new_state = []
    x = ids
    for layer in network.layers[:-1]:
        if isinstance(layer, Recurrent):
            x, final = layer.unroll(x, next(states))
            new_state.append(final)
        else:
            x = layer.forward(x, training=False)
    return x, new_state


def stream_log_likelihood(network, stream, n_rows, bptt, weights=None):
    """Mean log-likelihood per token of a stream read as training reads it.

    ``n_rows`` parallel rows, windows of ``bptt`` tokens, the state carried
    from window to window. With ``weights`` (one per position of ``stream``,
    whose sum over the targets must be positive) the mean is weighted.
    """
    inputs, targets, w = bptt_windows(stream, n_rows, weights=weights)
    total, carried = 0.0, None
    for begin in range(0, inputs.shape[1], bptt):
        hidden, carried = recurrent_forward(network, inputs[:, begin:begin + bptt],
                                            carried)
        logp = log_softmax(network.layers[-1].forward(hidden, training=False))
        t = targets[:, begin:begin + bptt]
        picked = np.take_along_axis(logp, t[..., None], axis=-1)[..., 0]  # (N, T)
        if w is not None:
            picked = picked * w[:, begin:begin + bptt]
        total += float(picked.sum())
    return total / (targets.size if w is None else float(w.sum()))


def sample_tokens(network, ids, n_tokens, temperature, top_k, rng):
    """Token ids sampled one at a time after the context ``ids`` (nanoGPT's loop).

    Parameters
    ----------
    network : Sequential
        The language model's network.
    ids : ndarray of shape (T,)
        The context, read first.
    n_tokens : int
        Tokens to sample.
    temperature : float
        Divides the logits.
    top_k : int or None
        Sample among the ``top_k`` most likely tokens only (ties with the k-th
        are kept).
    rng : numpy.random.Generator
        Source of the samples.

    Returns
    -------
    list of int
    """
    hidden, state = recurrent_forward(network, ids[None, :], None)  # (1, T, H)
    z = network.layers[-1].forward(hidden[:, -1], training=False)[0]
    out = []
    for _ in range(n_tokens):
        logits = z.astype(np.float64) / temperature
        if top_k is not None and top_k < logits.size:
            cut = np.partition(logits, -top_k)[-top_k]
            logits = np.where(logits >= cut, logits, -np.inf)
        token = int(rng.choice(logits.size, p=softmax(logits)))
        out.append(token)
        hidden, state = recurrent_forward(network, np.array([[token]]), state)
        z = network.layers[-1].forward(hidden[:, -1], training=False)[0]
    return out
