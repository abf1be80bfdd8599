"""Documents, tokens and the vocabulary of :class:`~skdeep.RNNLanguageModel`.

Stateless helpers: the estimator keeps the vocabulary, these functions read it.
"""

from collections import Counter

import numpy as np

__all__ = ["EOS", "UNK", "build_vocabulary", "check_documents", "check_vocabulary",
           "document_batches", "encode", "fixed_vocabulary", "token_stream",
           "tokenize"]

EOS = "<eos>"
UNK = "<unk>"


def check_documents(X, whom, name="X"):
    """Read an iterable of strings once into a list (generators included).

    Parameters
    ----------
    X : iterable of str
        Documents.
    whom : str
        Estimator name for the error messages.
    name : str, default='X'
        Argument name for the error messages.

    Returns
    -------
    list of str
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(
            f"{whom} expects {name} as an iterable of documents (strings), like "
            f"scikit-learn's text vectorizers; got a single {type(X).__name__}. "
            f"Wrap it in a list: [{name}]."
        )
    try:
        docs = list(X)
    except TypeError:
        raise TypeError(
            f"{name} must be an iterable of strings; got {type(X).__name__}."
        ) from None
    for i, doc in enumerate(docs):
        if not isinstance(doc, str):
            raise TypeError(
                f"{name}[{i}] is a {type(doc).__name__}, not a str: every document "
                "must be a string."
            )
    if not docs:
        raise ValueError(f"{name} is empty: it must contain at least one document.")
    return docs


def tokenize(doc, level, lowercase):
    """Characters (``level='char'``) or whitespace-separated words of ``doc``."""
    if lowercase:
        doc = doc.lower()
    return list(doc) if level == "char" else doc.split()


def build_vocabulary(docs, *, level, lowercase, min_count, max_vocab):
    """Tokens by decreasing count (ties by token), after ``<eos>`` and ``<unk>``.

    Returns
    -------
    tokens : ndarray of object
        Token of each id.
    vocabulary : dict of str -> int
        Id of each token.
    """
    counts = Counter()
    for doc in docs:
        counts.update(tokenize(doc, level, lowercase))
    counts.pop(EOS, None)
    counts.pop(UNK, None)
    kept = sorted((tok for tok, c in counts.items() if c >= min_count),
                  key=lambda tok: (-counts[tok], tok))
    if max_vocab is not None:
        kept = kept[: max_vocab - 2]
    if not kept:
        raise ValueError(
            f"No token occurs min_count={min_count} times in X: the vocabulary "
            "would be empty (are all documents empty?)."
        )
    tokens = np.array([EOS, UNK, *kept], dtype=object)
    return tokens, {tok: i for i, tok in enumerate(tokens)}


def check_vocabulary(value, whom):
    """Validate a ``vocabulary`` parameter: ``None`` or a tuple of tokens.

    A list, tuple or array of distinct strings; ``<eos>`` and ``<unk>`` may be
    among them (they keep ids 0 and 1 anyway). Not a generator: the parameter
    is read at every check, and a clone must see the same tokens.
    """
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple,
                                                                 np.ndarray)):
        raise TypeError(
            f"The 'vocabulary' parameter of {whom} must be None or a list of "
            f"tokens (str); got {type(value).__name__}."
        )
    tokens = tuple(value)
    for tok in tokens:
        if not isinstance(tok, str):
            raise TypeError(
                f"The 'vocabulary' parameter of {whom} must hold str tokens; got "
                f"{tok!r} ({type(tok).__name__})."
            )
    seen = set()
    for tok in tokens:
        if tok in seen:
            raise ValueError(f"The 'vocabulary' parameter of {whom} repeats the "
                             f"token {tok!r}: every token must appear once.")
        seen.add(tok)
    if not seen - {EOS, UNK}:
        raise ValueError(f"The 'vocabulary' parameter of {whom} holds no token "
                         "besides <eos> and <unk>.")
    return tokens


def fixed_vocabulary(tokens):
    """``(tokens, vocabulary)`` as :func:`build_vocabulary` returns them, for
    the given tokens in their order after ``<eos>`` and ``<unk>``."""
    tokens = np.array([EOS, UNK, *(t for t in tokens if t not in (EOS, UNK))],
                      dtype=object)
    return tokens, {tok: i for i, tok in enumerate(tokens)}


def encode(doc, vocabulary, level, lowercase):
    """Token ids of ``doc``; unknown tokens read as ``<unk>``."""
    unk = vocabulary[UNK]
    if level == "char":  # look up each distinct character once, not every one
        if lowercase:
            doc = doc.lower()
        codes = np.frombuffer(doc.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        distinct, where = np.unique(codes, return_inverse=True)
        ids = np.array([vocabulary.get(chr(c), unk) for c in distinct.tolist()],
                       dtype=np.int64)
        return ids[where.reshape(-1)]
    return np.fromiter((vocabulary.get(tok, unk)
                        for tok in tokenize(doc, level, lowercase)), dtype=np.int64)


def token_stream(docs, vocabulary, level, lowercase, return_documents=False):
    """``<eos> doc₁ <eos> doc₂ <eos> …`` as one array of token ids.

    With ``return_documents``, also the index of the document each position
    belongs to: a document owns its tokens and its closing ``<eos>`` (the
    targets that predict it); the opening ``<eos>``, never a target, gets 0.
    """
    eos = np.array([vocabulary[EOS]], dtype=np.int64)
    parts = [eos]
    for doc in docs:
        parts.extend((encode(doc, vocabulary, level, lowercase), eos))
    stream = np.concatenate(parts)
    if not return_documents:
        return stream
    lengths = [len(part) for part in parts[1::2]]  # tokens of each document
    owner = np.repeat(np.arange(len(lengths)), np.add(lengths, 1))
    return stream, np.concatenate([[0], owner])


def document_batches(docs, vocabulary, level, lowercase, batch_size):
    """Yield ``(indices, ids, lengths)``: documents padded to a common length.

    Each document is read after ``<eos>`` (the start-of-document context);
    ``lengths`` counts the context too, so position ``lengths − 1`` is the last.
    Documents of similar length are batched together (sorted by length).
    """
    encoded = [encode(doc, vocabulary, level, lowercase) for doc in docs]
    eos = vocabulary[EOS]
    order = np.argsort([len(e) for e in encoded], kind="stable")
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]
        lengths = np.array([len(encoded[i]) + 1 for i in idx])
        ids = np.full((len(idx), lengths.max() + 1), eos, dtype=np.int64)
        for row, i in enumerate(idx):
            ids[row, 1:lengths[row]] = encoded[i]
        yield idx, ids, lengths
