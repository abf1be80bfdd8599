"""A token stream through :class:`~skdeep.RNNLanguageModel`'s network.

Truncated BPTT reads the stream as parallel rows cut into windows; inference
runs the network with the recurrent state passed and returned, never stored on
the fitted layers, so concurrent calls from threads give the sequential
results.
"""

import numpy as np

from ._text import document_batches
from .nn import Recurrent
from .nn.functional import log_softmax, softmax

__all__ = ["INFERENCE_DOCS", "bptt_windows", "recurrent_forward", "sample_tokens",
           "scan_documents", "stream_log_likelihood"]


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

#: Documents scored / transformed together at inference.
INFERENCE_DOCS = 64


def scan_documents(network, docs, vocabulary, level, lowercase, bptt, want):
    """Run every document from a zero state through ``network``.

    Each document is read after ``<eos>``, in batches of documents of similar
    length, ``bptt`` steps at a time with the state passed on (pure: nothing is
    stored on the fitted layers).

    Parameters
    ----------
    network : Sequential
        The fitted language model's network.
    docs : list of str
        Documents.
    vocabulary : dict of str -> int
        Token ids.
    level, lowercase
        The tokenisation (see :func:`skdeep._text.tokenize`).
    bptt : int
        Steps per forward call.
    want : {'proba', 'hidden', 'score'}
        What to collect.

    Returns
    -------
    ndarray or tuple of ndarray
        ``'proba'``: the log-distribution of the next token after each document,
        ``(n_docs, n_tokens)``; ``'hidden'``: the top layer's last hidden state,
        ``(n_docs, hidden_size)``; ``'score'``: ``(loglik, counts)``, the summed
        log-likelihood of each document's tokens and closing ``<eos>``, and
        their number.
    """
    n_docs = len(docs)
    last_logp = last_hidden = None
    loglik = np.zeros(n_docs)
    counts = np.zeros(n_docs, dtype=np.int64)
    for idx, ids, lengths in document_batches(docs, vocabulary, level, lowercase,
                                              INFERENCE_DOCS):
        state = None
        for begin in range(0, ids.shape[1] - 1, bptt):
            chunk = ids[:, begin:begin + bptt]
            hidden, state = recurrent_forward(network, chunk, state)
            steps = np.arange(begin, begin + chunk.shape[1])
            last = lengths - 1  # position of each document's last token
            hit = (last >= begin) & (last < begin + chunk.shape[1])
            if want in ("proba", "hidden") and hit.any():
                rows = np.flatnonzero(hit)
                h_last = hidden[rows, last[rows] - begin]  # (rows, H)
                if want == "hidden":
                    if last_hidden is None:
                        last_hidden = np.zeros((n_docs, h_last.shape[1]))
                    last_hidden[idx[rows]] = h_last
                else:
                    z = network.layers[-1].forward(h_last, training=False)
                    if last_logp is None:
                        last_logp = np.zeros((n_docs, z.shape[1]))
                    last_logp[idx[rows]] = log_softmax(z)
            if want == "score":
                logp = log_softmax(network.layers[-1].forward(hidden,
                                                              training=False))
                nxt = ids[:, begin + 1:begin + 1 + chunk.shape[1]]
                valid = steps[None, : nxt.shape[1]] < lengths[:, None]
                picked = np.take_along_axis(logp[:, : nxt.shape[1]],
                                            nxt[..., None], axis=-1)[..., 0]
                loglik[idx] += np.where(valid, picked, 0.0).sum(axis=1)
                counts[idx] += valid.sum(axis=1)
    if want == "score":
        return loglik, counts
    return last_logp if want == "proba" else last_hidden
