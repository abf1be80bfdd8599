"""RNNLanguageModel: recurrent language models (RNN, LSTM, GRU) as an estimator."""

import numbers
import time
from collections import Counter

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._base import BaseNetwork, _Diverged
from ._validation import check_bool, check_choice, check_number
from .nn import Dense, Dropout, Embedding, Recurrent, Sequential
from .nn.functional import log_softmax, softmax
from .nn.losses import SparseSoftmaxCrossEntropy
from .nn.optimizers import clip_grad_norm
from .nn.recurrent import CELLS

__all__ = ["RNNLanguageModel"]

EOS = "<eos>"
UNK = "<unk>"
#: Documents scored / transformed together at inference.
_INFERENCE_DOCS = 64


class RNNLanguageModel(BaseNetwork):
    """Recurrent neural-network language model (RNN, LSTM or GRU).

    "Given the beginning of a sentence, predict the most likely next word."
    ``X`` is a list of documents (strings), like scikit-learn's text vectorizers;
    ``y`` is ignored. Documents are tokenised (characters or whitespace words),
    joined into one stream with an end-of-document token after each, cut into
    ``batch_size`` parallel streams and trained by truncated backpropagation
    through time over windows of ``bptt`` tokens, the hidden state carried from
    window to window. Softmax output and cross-entropy loss.

    Parameters
    ----------
    level : {'char', 'word'}, default='char'
        Tokens are characters or whitespace-separated words.
    cell : {'rnn', 'lstm', 'gru'}, default='lstm'
        Recurrent cell (``'rnn'`` is the tanh Elman cell of the seed).
    hidden_size : int, default=128
        State size of every recurrent layer.
    num_layers : int, default=1
        Stacked recurrent layers.
    embedding_dim : int or None, default=None
        Size of a learned token embedding; ``None`` feeds one-hot vectors (as in
        the seed), computed as a row lookup rather than a product.
    bptt : int, default=64
        Truncated-BPTT window length.
    batch_size : int, default=32
        Parallel streams per update.
    solver : {'sgd', 'adam', 'adagrad', 'adadelta'}, default='adam'
        Optimizer.
    learning_rate_init : float, default=0.002
        Step size.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Schedule for ``sgd``/``adagrad``; ``'adaptive'`` divides the rate by 5 when
        the (validation) loss stops improving.
    max_grad_norm : float or None, default=5.0
        Clip the global gradient norm of each update (``None``: no clipping).
    dropout : float, default=0.0
        Dropout between layers (and before the output).
    min_count : int, default=1
        Tokens seen fewer times in ``fit`` become ``<unk>``.
    max_vocab : int or None, default=None
        Keep at most this many tokens (the most frequent), specials included.
    lowercase : bool, default=False
        Lowercase text before tokenising.
    max_iter : int, default=10
        Epochs (passes over the token stream).
    tol : float or None, default=1e-4
        Improvement threshold of the stopping rule (``None``: run every epoch).
    n_iter_no_change : int, default=3
        Epochs without improvement before stopping.
    early_stopping : bool, default=False
        Hold out the last ``validation_fraction`` of the token stream, keep the
        weights with the best held-out perplexity, stop when it stops improving.
    validation_fraction : float, default=0.1
        Held-out share of the stream.
    shuffle : bool, default=True
        Start each epoch's windows at a random offset.
    alpha : float, default=0.0
        L2 penalty on the weight matrices.
    momentum, nesterovs_momentum, beta_1, beta_2, epsilon, power_t
        Optimizer constants, as :class:`MLPNet`.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, dropout and the window offsets (``generate`` takes
        its own ``random_state``).
    verbose : bool or int, default=False
        One line per epoch (loss, bits per token, validation perplexity, tokens
        per second) and a progress line every 30 seconds inside long epochs.
    warm_start : bool, default=False
        Continue exactly from the previous fit (vocabulary kept).
    dtype : {'float32', 'float64'} or None, default='float32'
        Computation dtype (``None``: float32).

    Attributes
    ----------
    vocabulary_ : dict of str -> int
        Token ids; ``'<eos>'`` is 0 and ``'<unk>'`` is 1.
    tokens_ : ndarray of object
        Token of each id: the columns of :meth:`predict_proba`.
    loss_, loss_curve_, n_iter_, t_, best_loss_, validation_scores_, \
validation_loss_curve_, best_validation_score_
        As :class:`MLPNet`; losses are nats per token, ``t_`` counts tokens and
        validation scores are mean log-likelihoods per token.

    See Also
    --------
    MLPNet : The training options shared by every skdeep network.

    Notes
    -----
    Seed 004 parts 5–6 (RNN, BPTT, the language-model example, LSTM and GRU) and
    seed 002. Documented behaviour: an empty document predicts from the
    start-of-document context alone; unknown tokens are read as ``<unk>``, so a
    document made only of unknown tokens is scored and predicted like any other.

    Examples
    --------
    >>> from skdeep import RNNLanguageModel
    >>> docs = ["abcabcabcabc", "abcabcabc"] * 20
    >>> lm = RNNLanguageModel(hidden_size=16, bptt=8, batch_size=4, max_iter=20,
    ...                       learning_rate_init=0.02, random_state=0).fit(docs)
    >>> lm.predict(["abcab"])[0]
    'c'
    >>> lm.perplexity(["abcabc"]) < 2
    True
    """

    def __init__(
        self,
        level="char",
        cell="lstm",
        hidden_size=128,
        num_layers=1,
        embedding_dim=None,
        *,
        bptt=64,
        batch_size=32,
        solver="adam",
        learning_rate_init=0.002,
        learning_rate="constant",
        max_grad_norm=5.0,
        dropout=0.0,
        min_count=1,
        max_vocab=None,
        lowercase=False,
        max_iter=10,
        tol=1e-4,
        n_iter_no_change=3,
        early_stopping=False,
        validation_fraction=0.1,
        shuffle=True,
        alpha=0.0,
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        power_t=0.5,
        random_state=None,
        verbose=False,
        warm_start=False,
        dtype="float32",
    ):
        self.level = level
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.embedding_dim = embedding_dim
        self.bptt = bptt
        self.batch_size = batch_size
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.max_grad_norm = max_grad_norm
        self.dropout = dropout
        self.min_count = min_count
        self.max_vocab = max_vocab
        self.lowercase = lowercase
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.alpha = alpha
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.power_t = power_t
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.dtype = dtype

    # ------------------------------------------------------------ parameters
    def _check_extra_params(self):
        check_choice("level", self.level, ("char", "word"))
        check_choice("cell", self.cell, tuple(CELLS))
        check_number("hidden_size", self.hidden_size, kind=numbers.Integral, low=1)
        check_number("num_layers", self.num_layers, kind=numbers.Integral, low=1)
        check_number("embedding_dim", self.embedding_dim, kind=numbers.Integral,
                     low=1, allow_none=True)
        check_number("bptt", self.bptt, kind=numbers.Integral, low=1)
        check_number("max_grad_norm", self.max_grad_norm, low=0,
                     low_inclusive=False, allow_none=True)
        check_number("dropout", self.dropout, low=0, high=1, high_inclusive=False)
        check_number("min_count", self.min_count, kind=numbers.Integral, low=1)
        check_number("max_vocab", self.max_vocab, kind=numbers.Integral, low=3,
                     allow_none=True)
        check_number("alpha", self.alpha, low=0)
        check_bool("lowercase", self.lowercase)
        if isinstance(self.batch_size, str) or self.batch_size is None:
            raise TypeError(
                "The 'batch_size' parameter of RNNLanguageModel must be an int "
                f"(parallel streams); got {self.batch_size!r}."
            )

    # ------------------------------------------------------------ text
    def _check_documents(self, X, name="X"):
        if isinstance(X, (str, bytes)):
            raise TypeError(
                f"{type(self).__name__} expects {name} as an iterable of documents "
                "(strings), like scikit-learn's text vectorizers; got a single "
                f"{type(X).__name__}. Wrap it in a list: [{name}]."
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
                    f"{name}[{i}] is a {type(doc).__name__}, not a str: every "
                    "document must be a string."
                )
        if not docs:
            raise ValueError(f"{name} is empty: it must contain at least one document.")
        return docs

    def _tokenize(self, doc):
        if self.lowercase:
            doc = doc.lower()
        return list(doc) if self.level == "char" else doc.split()

    def _build_vocabulary(self, docs):
        counts = Counter()
        for doc in docs:
            counts.update(self._tokenize(doc))
        counts.pop(EOS, None)
        counts.pop(UNK, None)
        kept = sorted((tok for tok, c in counts.items() if c >= self.min_count),
                      key=lambda tok: (-counts[tok], tok))
        if self.max_vocab is not None:
            kept = kept[: self.max_vocab - 2]
        if not kept:
            raise ValueError(
                "No token occurs min_count="
                f"{self.min_count} times in X: the vocabulary would be empty "
                "(are all documents empty?)."
            )
        self.tokens_ = np.array([EOS, UNK, *kept], dtype=object)
        self.vocabulary_ = {tok: i for i, tok in enumerate(self.tokens_)}

    def _encode(self, doc):
        vocab = self.vocabulary_
        unk = vocab[UNK]
        return np.fromiter((vocab.get(tok, unk) for tok in self._tokenize(doc)),
                           dtype=np.int64)

    def _stream(self, docs):
        """``<eos> doc₁ <eos> doc₂ <eos> …`` as token ids."""
        eos = np.array([self.vocabulary_[EOS]], dtype=np.int64)
        parts = [eos]
        for doc in docs:
            parts.extend((self._encode(doc), eos))
        return np.concatenate(parts)

    # ------------------------------------------------------------ fitting
    def fit(self, X, y=None):
        """Train on a list of documents.

        Parameters
        ----------
        X : iterable of str
            Training documents.
        y : None
            Ignored.

        Returns
        -------
        self : RNNLanguageModel
            The fitted model.
        """
        return self._fit(X, None, incremental=False)

    def partial_fit(self, X, y=None):
        """One epoch over the given documents (vocabulary from the first call).

        Parameters
        ----------
        X : iterable of str
            Documents.
        y : None
            Ignored.

        Returns
        -------
        self : RNNLanguageModel
            The updated model.
        """
        return self._fit(X, None, incremental=True)

    def _validate_X_y(self, X, y, reset):
        docs = self._check_documents(X)
        if reset:
            self._build_vocabulary(docs)
        stream = self._stream(docs)
        if len(stream) < 2:
            raise ValueError("X holds no tokens to learn from.")
        return stream, None

    def _resolve_dtype(self, X):
        dtype = np.dtype(self.dtype) if self.dtype is not None else np.float32
        return dtype

    def _encode_targets(self, y, first_call, classes):
        return np.zeros((0, len(self.tokens_)))  # shape[1] = vocabulary size

    def _build_network(self, input_shape, n_outputs, rng_init, rng_dropout, dtype):
        V, H = len(self.tokens_), self.hidden_size
        layers = []
        if self.embedding_dim is not None:
            layers.append(Embedding(V, self.embedding_dim, rng=rng_init, dtype=dtype))
        size = self.embedding_dim or V
        for _ in range(self.num_layers):
            if layers and self.dropout:
                layers.append(Dropout(self.dropout, rng=rng_dropout))
            layers.append(Recurrent(self.cell, size, H, rng=rng_init, dtype=dtype))
            size = H
        if self.dropout:
            layers.append(Dropout(self.dropout, rng=rng_dropout))
        layers.append(Dense(H, V, rng=rng_init, dtype=dtype))
        return Sequential(layers)

    def _build_loss(self):
        return SparseSoftmaxCrossEntropy()

    def _fit_guarded(self, X, y, *, incremental, resume, classes):
        # X is the token stream; the base loop works on (stream, stream) pairs.
        if not resume:
            self._dtype = self._resolve_dtype(X)
        super()._fit_guarded(X.reshape(-1, 1), None, incremental=incremental,
                             resume=resume, classes=classes)

    def _split_validation(self, X, Y, y_raw, state):
        stream = X.ravel()
        n_val = int(len(stream) * self.validation_fraction)
        if n_val < 2 or len(stream) - n_val < 2:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} of {len(stream)} "
                "tokens leaves too few tokens to train or to validate on."
            )
        return (stream[:-n_val], None), stream[-n_val - 1:]

    def _windows(self, stream, offset=0):
        """Cut a stream into ``(inputs, targets)`` of shape (rows, columns)."""
        stream = stream[offset:]
        rows = max(1, min(self.batch_size, (len(stream) - 1) // 2))
        cols = (len(stream) - 1) // rows
        inputs = stream[: rows * cols].reshape(rows, cols)  # rows of contiguous text
        targets = stream[1: rows * cols + 1].reshape(rows, cols)
        return inputs, targets

    def _recurrent_layers(self, network):
        return [layer for layer in network.layers if isinstance(layer, Recurrent)]

    def _run_epoch(self, network, loss, train, state, params, grads):
        stream = train[0].ravel()
        offset = 0
        if self.shuffle and len(stream) > 2 * self.bptt:
            offset = int(state["rngs"]["shuffle"].integers(self.bptt))
        inputs, targets = self._windows(stream, offset)
        recurrent = self._recurrent_layers(network)
        for layer in recurrent:
            layer.initial_state = None
        optimizer = state["optimizer"]
        total, n_tokens = 0.0, 0
        last_report = start = time.perf_counter()
        for begin in range(0, inputs.shape[1], self.bptt):
            xb = inputs[:, begin:begin + self.bptt]
            yb = targets[:, begin:begin + self.bptt].reshape(-1)
            value = self._train_step(network, loss, xb, yb, state, params, grads,
                                     optimizer, yb.size)
            for layer in recurrent:  # carry the state, cut the gradient
                layer.initial_state = layer.final_state
            total += value * yb.size
            n_tokens += yb.size
            if self.verbose and time.perf_counter() - last_report > 30:
                last_report = time.perf_counter()
                print(f"  ... {n_tokens}/{inputs.size} tokens, loss = "
                      f"{total / n_tokens:.4f}, "
                      f"{n_tokens / (last_report - start):.0f} tokens/s")
        return total / n_tokens, n_tokens

    def _train_step(self, network, loss, Xb, Yb, state, params, grads, optimizer,
                    n_rows):
        # logits (N, T, V) -> (N·T, V) for the loss, and back for backward
        z = network.forward(Xb, training=True)
        value, grad = loss.loss(z.reshape(-1, z.shape[-1]), Yb)
        if not np.isfinite(value):
            raise _Diverged
        if state["initial_loss"] is None:
            state["initial_loss"] = value
        network.backward(grad.reshape(z.shape))
        value += self._penalty(network, n_rows, add_to_grads=True)
        if self.max_grad_norm is not None:
            clip_grad_norm(grads, self.max_grad_norm)
        optimizer.step(params, grads)
        return value

    def _evaluate(self, network, loss, validation):
        inputs, targets = self._windows(validation)
        total = 0.0
        state = None
        for begin in range(0, inputs.shape[1], self.bptt):
            logp, state = self._log_probs(network, inputs[:, begin:begin + self.bptt],
                                          state)
            t = targets[:, begin:begin + self.bptt]
            total += float(np.take_along_axis(logp, t[..., None], axis=-1).sum())
        mean_loglik = total / targets.size
        return mean_loglik, -mean_loglik

    def _progress_suffix(self, n_seen, seconds):
        return f", {n_seen / max(seconds, 1e-9):.0f} tokens/s, {seconds:.1f}s"

    @staticmethod
    def _cast_input(X, dtype):
        return X  # token ids

    # ------------------------------------------------------------ inference
    def _log_probs(self, network, ids, state):
        """Log next-token probabilities (N, T, V) for ids (N, T) from ``state``."""
        hidden, state = self._hidden(network, ids, state)
        return log_softmax(network.layers[-1].forward(hidden, training=False)), state

    @staticmethod
    def _hidden(network, ids, state):
        """Top recurrent outputs (N, T, H) and the new states of every layer."""
        recurrent = [layer for layer in network.layers if isinstance(layer, Recurrent)]
        for layer, s in zip(recurrent, state or [None] * len(recurrent)):
            layer.initial_state = s
        x = ids
        for layer in network.layers[:-1]:
            x = layer.forward(x, training=False)
        new_state = [layer.final_state for layer in recurrent]
        for layer in recurrent:
            layer.initial_state = layer.final_state = None
        return x, new_state

    def _documents_as_batches(self, X):
        """Yield ``(indices, ids, lengths)``: documents padded to a common length.

        Each document is read after ``<eos>`` (the start-of-document context);
        ``lengths`` counts the context too, so position ``lengths − 1`` is the last.
        """
        docs = self._check_documents(X)
        encoded = [self._encode(doc) for doc in docs]
        eos = self.vocabulary_[EOS]
        order = np.argsort([len(e) for e in encoded], kind="stable")
        for start in range(0, len(order), _INFERENCE_DOCS):
            idx = order[start:start + _INFERENCE_DOCS]
            lengths = np.array([len(encoded[i]) + 1 for i in idx])
            ids = np.full((len(idx), lengths.max() + 1), eos, dtype=np.int64)
            for row, i in enumerate(idx):
                ids[row, 1:lengths[row]] = encoded[i]
            yield idx, ids, lengths

    def _scan(self, X, want):
        """Run every document; collect its last-step distribution or hidden state,
        and/or the log-likelihood of its tokens and closing ``<eos>``."""
        check_is_fitted(self)
        network = self._network
        n_docs = len(self._check_documents(X))
        last_logp = last_hidden = None
        loglik = np.zeros(n_docs)
        counts = np.zeros(n_docs, dtype=np.int64)
        for idx, ids, lengths in self._documents_as_batches(X):
            state = None
            for begin in range(0, ids.shape[1] - 1, self.bptt):
                chunk = ids[:, begin:begin + self.bptt]
                hidden, state = self._hidden(network, chunk, state)
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

    def predict_proba(self, X):
        """Distribution of the next token after each document.

        Parameters
        ----------
        X : iterable of str
            Documents (contexts).

        Returns
        -------
        ndarray of shape (n_documents, n_tokens)
            Probabilities; columns follow ``tokens_`` (the ids of ``vocabulary_``).
        """
        return np.exp(self._scan(X, "proba"))

    def predict(self, X):
        """The most likely next token after each document.

        Parameters
        ----------
        X : iterable of str
            Documents (contexts).

        Returns
        -------
        ndarray of object, shape (n_documents,)
            Predicted tokens.
        """
        log_proba = self._scan(X, "proba")  # checks fitted first
        return self.tokens_[np.argmax(log_proba, axis=1)]

    def score(self, X, y=None):
        """Mean log-likelihood per token (natural log; higher is better).

        Every token of every document and each closing ``<eos>`` is predicted
        from the tokens before it in its document.

        Parameters
        ----------
        X : iterable of str
            Documents.
        y : None
            Ignored.

        Returns
        -------
        float
            Mean log-probability per token.
        """
        loglik, counts = self._scan(X, "score")
        return float(loglik.sum() / counts.sum())

    def perplexity(self, X):
        """Perplexity ``exp(−score(X))`` (lower is better).

        Parameters
        ----------
        X : iterable of str
            Documents.

        Returns
        -------
        float
            Perplexity per token.
        """
        return float(np.exp(-self.score(X)))

    def transform(self, X):
        """Final hidden state of the top layer for each document (features).

        Parameters
        ----------
        X : iterable of str
            Documents.

        Returns
        -------
        ndarray of shape (n_documents, hidden_size)
            Document features.
        """
        return self._scan(X, "hidden")

    def fit_transform(self, X, y=None):
        """Fit, then :meth:`transform` the same documents.

        Parameters
        ----------
        X : iterable of str
            Documents.
        y : None
            Ignored.

        Returns
        -------
        ndarray of shape (n_documents, hidden_size)
            Document features.
        """
        return self.fit(X).transform(X)

    def generate(self, prompt="", n_tokens=100, *, temperature=1.0, top_k=None,
                 random_state=None):
        """Continue ``prompt`` by sampling ``n_tokens`` tokens.

        Parameters
        ----------
        prompt : str, default=''
            Beginning of the text.
        n_tokens : int, default=100
            Tokens to sample.
        temperature : float, default=1.0
            Divides the logits: lower is more conservative.
        top_k : int or None, default=None
            Sample only among the ``top_k`` most likely tokens.
        random_state : int, RandomState instance or None, default=None
            Seed of the sampling (the same seed gives the same text).

        Returns
        -------
        str
            ``prompt`` followed by the sampled text (``<eos>`` shown as a newline).
        """
        check_is_fitted(self)
        if not isinstance(prompt, str):
            raise TypeError(f"prompt must be a str; got {type(prompt).__name__}.")
        check_number("n_tokens", n_tokens, kind=numbers.Integral, low=0)
        check_number("temperature", temperature, low=0, low_inclusive=False)
        check_number("top_k", top_k, kind=numbers.Integral, low=1, allow_none=True)
        rng = np.random.default_rng(
            check_random_state(random_state).randint(np.iinfo(np.int32).max))
        ids = np.concatenate([[self.vocabulary_[EOS]], self._encode(prompt)])
        network = self._network
        hidden, state = self._hidden(network, ids[None, :], None)
        z = network.layers[-1].forward(hidden[:, -1], training=False)[0]
        out = []
        for _ in range(n_tokens):
            logits = z.astype(np.float64) / temperature
            if top_k is not None and top_k < logits.size:
                cut = np.partition(logits, -top_k)[-top_k]
                logits = np.where(logits >= cut, logits, -np.inf)
            token = int(rng.choice(logits.size, p=softmax(logits)))
            out.append(token)
            hidden, state = self._hidden(network, np.array([[token]]), state)
            z = network.layers[-1].forward(hidden[:, -1], training=False)[0]
        text = ["\n" if self.tokens_[t] == EOS else self.tokens_[t] for t in out]
        sep = "" if self.level == "char" else " "
        joined = sep.join(text)
        if prompt and joined and sep:
            joined = sep + joined
        return prompt + joined

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.required = False
        tags.non_deterministic = False
        return tags
