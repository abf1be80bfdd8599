"""RNNLanguageModel: recurrent language models (RNN, LSTM, GRU) as an estimator."""

import numbers
import time

import numpy as np
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._base import BaseNetwork
from ._bptt import (
    bptt_windows,
    sample_tokens,
    scan_documents,
    stream_log_likelihood,
)
from ._text import (
    EOS,
    build_vocabulary,
    check_documents,
    check_vocabulary,
    encode,
    fixed_vocabulary,
    token_stream,
)
from ._validation import check_bool, check_choice, check_number
from .nn import Dense, Dropout, Embedding, Recurrent, Sequential, TiedDense
from .nn.losses import SparseSoftmaxCrossEntropy
from .nn.cells import CELLS

__all__ = ["RNNLanguageModel"]


class RNNLanguageModel(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseNetwork):
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
    tie_weights : bool, default=False
        Share the embedding table with the output layer: the logits are
        ``h Eᵀ + b`` (Press & Wolf 2017; Inan et al. 2017). It halves the
        parameters of a word model and lowers its perplexity. Needs
        ``embedding_dim == hidden_size``.
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
    vocabulary : list of str or None, default=None
        Fix the vocabulary instead of counting it in the first ``fit`` or
        ``partial_fit`` call: these tokens, in this order, after ``<eos>`` and
        ``<unk>`` (``min_count`` and ``max_vocab`` then do not apply). For
        streaming, where a first chunk would freeze a partial vocabulary.
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
    momentum : float, default=0.9
        Momentum for ``sgd``.
    nesterovs_momentum : bool, default=True
        Use Nesterov's momentum.
    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's decay rates.
    epsilon : float, default=1e-8
        Adam's, Adagrad's and Adadelta's conditioning constant.
    power_t : float, default=0.5
        Exponent of the ``'invscaling'`` schedule.
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
        self, level="char", cell="lstm", hidden_size=128, num_layers=1,
        embedding_dim=None, *, tie_weights=False, bptt=64, batch_size=32, solver="adam",
        learning_rate_init=0.002, learning_rate="constant", max_grad_norm=5.0,
        dropout=0.0, min_count=1, max_vocab=None, vocabulary=None, lowercase=False,
        max_iter=10, tol=1e-4, n_iter_no_change=3, early_stopping=False,
        validation_fraction=0.1, shuffle=True, alpha=0.0, momentum=0.9,
        nesterovs_momentum=True, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
        power_t=0.5, random_state=None, verbose=False, warm_start=False,
        dtype="float32",
    ):
        self.level = level
        self.cell = cell
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.embedding_dim = embedding_dim
        self.tie_weights = tie_weights
        self.bptt = bptt
        self.batch_size = batch_size
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.max_grad_norm = max_grad_norm
        self.dropout = dropout
        self.min_count = min_count
        self.max_vocab = max_vocab
        self.vocabulary = vocabulary
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
    def _architecture(self):  # the network, and the vocabulary frozen at the build
        return {**super()._architecture(), **{name: getattr(self, name) for name in (
            "level", "cell", "hidden_size", "num_layers", "embedding_dim",
            "tie_weights", "dropout",
            "min_count", "max_vocab", "lowercase")},
            "vocabulary": check_vocabulary(self.vocabulary, type(self).__name__)}

    def _check_extra_params(self):
        check_choice("level", self.level, ("char", "word"))
        check_choice("cell", self.cell, tuple(CELLS))
        check_number("hidden_size", self.hidden_size, kind=numbers.Integral, low=1)
        check_number("num_layers", self.num_layers, kind=numbers.Integral, low=1)
        check_number("embedding_dim", self.embedding_dim, kind=numbers.Integral,
                     low=1, allow_none=True)
        check_bool("tie_weights", self.tie_weights)
        if self.tie_weights and self.embedding_dim != self.hidden_size:
            raise ValueError(
                "tie_weights=True shares the embedding table with the output layer "
                "and needs embedding_dim == hidden_size; got embedding_dim="
                f"{self.embedding_dim!r}, hidden_size={self.hidden_size!r}.")
        check_number("bptt", self.bptt, kind=numbers.Integral, low=1)
        check_number("max_grad_norm", self.max_grad_norm, low=0,
                     low_inclusive=False, allow_none=True)
        check_number("dropout", self.dropout, low=0, high=1, high_inclusive=False)
        check_number("min_count", self.min_count, kind=numbers.Integral, low=1)
        check_number("max_vocab", self.max_vocab, kind=numbers.Integral, low=3,
                     allow_none=True)
        check_number("alpha", self.alpha, low=0)
        check_bool("lowercase", self.lowercase)
        check_vocabulary(self.vocabulary, type(self).__name__)
        if isinstance(self.batch_size, str) or self.batch_size is None:
            raise TypeError(
                "The 'batch_size' parameter of RNNLanguageModel must be an int "
                f"(parallel streams); got {self.batch_size!r}."
            )

    # ------------------------------------------------------------ fitting
    def fit(self, X, y=None, sample_weight=None):
        """Train on a list of documents.

        Parameters
        ----------
        X : iterable of str
            Training documents (read once: a generator works).
        y : None
            Ignored.
        sample_weight : array-like of shape (n_documents,), default=None
            One weight per document: every next-token loss term counts with the
            weight of the document its target belongs to (its tokens and its
            closing ``<eos>``), also in a window that spans two documents; each
            update minimises the weighted mean over its window, the reported
            losses and the early-stopping score are weighted means.
            ``None`` weighs every document equally.

        Returns
        -------
        self : RNNLanguageModel
            The fitted model.
        """
        return self._fit(X, None, incremental=False, sample_weight=sample_weight)

    def partial_fit(self, X, y=None, sample_weight=None):
        """One epoch over the given documents.

        The vocabulary is counted in the first call's documents, unless the
        ``vocabulary`` parameter fixes it; later calls read tokens outside it
        as ``<unk>``.

        Parameters
        ----------
        X : iterable of str
            Documents.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_documents,), default=None
            One weight per document (see :meth:`fit`).

        Returns
        -------
        self : RNNLanguageModel
            The updated model.
        """
        return self._partial_fit(X, None, sample_weight=sample_weight)

    # The base class runs the loop; a language model only says what its input
    # is (documents -> one token stream), how it holds out validation text and
    # what an epoch is (BPTT windows over parallel streams, state carried).
    def _validate_X_y(self, X, y, reset):
        return check_documents(X, type(self).__name__), None

    def _prepare_input(self, docs, reset):
        fixed = check_vocabulary(self.vocabulary, type(self).__name__)
        if reset and fixed is not None:
            self.tokens_, self.vocabulary_ = fixed_vocabulary(fixed)
        elif reset:
            self.tokens_, self.vocabulary_ = build_vocabulary(
                docs, level=self.level, lowercase=self.lowercase,
                min_count=self.min_count, max_vocab=self.max_vocab)
        stream, owner = token_stream(docs, self.vocabulary_, self.level,
                                     self.lowercase, return_documents=True)
        if len(stream) < 2:
            raise ValueError("X holds no tokens to learn from.")
        # one row per token: its id and its document (whose weight it takes)
        return np.stack([stream, owner], axis=1)  # (n_tokens, 2)

    def _build_network(self, input_shape, n_outputs, init_rng, dropout_rng, dtype):
        V, H = len(self.tokens_), self.hidden_size
        layers = []
        if self.embedding_dim is not None:
            embedding = Embedding(V, self.embedding_dim, rng=init_rng, dtype=dtype)
            layers.append(embedding)
        size = self.embedding_dim or V
        for _ in range(self.num_layers):
            if layers and self.dropout:
                layers.append(Dropout(self.dropout, rng=dropout_rng))
            layers.append(Recurrent(self.cell, size, H, rng=init_rng, dtype=dtype))
            size = H
        if self.dropout:
            layers.append(Dropout(self.dropout, rng=dropout_rng))
        if self.tie_weights:
            layers.append(TiedDense(embedding, dtype=dtype))
        else:
            layers.append(Dense(H, V, rng=init_rng, dtype=dtype))
        return Sequential(layers)

    def _build_loss(self):
        return SparseSoftmaxCrossEntropy()

    def _training_data(self, network, loss, X, Y, y_raw, sample_weight, state,
                       early_stopping):
        """``((stream, weights), evaluate)``: the training tokens with a weight
        per position (``None`` unweighted), and the held-out scorer."""
        stream = X[:, 0]
        # each position takes its document's weight (the document it predicts)
        weights = None if sample_weight is None else sample_weight[X[:, 1]]
        if not early_stopping:
            return (stream, weights), None
        n_val = int(len(stream) * self.validation_fraction)
        if n_val < 2 or len(stream) - n_val < 2:
            raise ValueError(
                f"validation_fraction={self.validation_fraction} of {len(stream)} "
                "tokens leaves too few tokens to train or to validate on."
            )
        train = (stream[:-n_val], None if weights is None else weights[:-n_val])
        held_out = stream[-n_val - 1:]
        held_weights = None if weights is None else weights[-n_val - 1:]
        for part, w in (("training", train[1]), ("held-out", held_weights)):
            if w is not None and not w[1:].any():  # w[0] is never a target
                raise ValueError(
                    f"Every {part} token (validation_fraction="
                    f"{self.validation_fraction}) belongs to a document of zero "
                    "weight: there is nothing to learn from or to score.")
        if held_weights is not None and np.ptp(held_weights[1:]) == 0:
            held_weights = None  # equal weights: the plain mean, bit for bit

        def evaluate():
            mean_loglik = stream_log_likelihood(network, held_out, self.batch_size,
                                                self.bptt, held_weights)
            return mean_loglik, -mean_loglik

        return train, evaluate

    def _epoch(self, network, loss, train, state, params):
        """Truncated BPTT over ``batch_size`` parallel streams, state carried.

        Returns the epoch's mean loss per token (weighted by the targets'
        document weights) and the number of tokens.
        """
        stream, weights = train
        offset = 0
        if self.shuffle and len(stream) > 2 * self.bptt:
            offset = int(state.shuffle_rng.integers(self.bptt))
        inputs, targets, target_weights = bptt_windows(stream, self.batch_size,
                                                       offset, weights)
        recurrent = [layer for layer in network.layers if isinstance(layer, Recurrent)]
        for layer in recurrent:  # the training copy: its layers carry the state
            layer.initial_state = None
        grads = network.grad_arrays()
        total, n_tokens, weight, wb = 0.0, 0, 0.0, None
        last_report = start = time.perf_counter()
        for begin in range(0, inputs.shape[1], self.bptt):
            yb = targets[:, begin:begin + self.bptt].reshape(-1)  # (N·T,)
            if target_weights is not None:
                wb = target_weights[:, begin:begin + self.bptt].reshape(-1)  # (N·T,)
            value = self._step(network, loss, inputs[:, begin:begin + self.bptt],
                               yb, state, params, grads, wb)
            for layer in recurrent:  # carry the state, cut the gradient
                layer.initial_state = layer.final_state
            # the window's (weighted) mean, back to a sum over its tokens
            window_weight = yb.size if wb is None else float(wb.sum())
            total += value * window_weight
            weight += window_weight
            n_tokens += yb.size
            if self.verbose and time.perf_counter() - last_report > 30:
                last_report = time.perf_counter()
                print(f"  ... {n_tokens}/{inputs.size} tokens, loss = "
                      f"{total / (weight or 1):.4f}, "
                      f"{n_tokens / (last_report - start):.0f} tokens/s")
        for layer in recurrent:
            layer.initial_state = layer.final_state = None
        return total / (weight or 1), n_tokens

    # ------------------------------------------------------------ inference
    def _scan(self, X, want):
        """:func:`~skdeep._bptt.scan_documents` over validated documents."""
        check_is_fitted(self)
        docs = check_documents(X, type(self).__name__)  # read once
        return scan_documents(self._network, docs, self.vocabulary_, self.level,
                              self.lowercase, self.bptt, want)

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

    def fit_transform(self, X, y=None, sample_weight=None):
        """Fit, then :meth:`transform` the same documents.

        Parameters
        ----------
        X : iterable of str
            Documents.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_documents,), default=None
            One weight per document (see :meth:`fit`).

        Returns
        -------
        ndarray of shape (n_documents, hidden_size)
            Document features.
        """
        docs = check_documents(X, type(self).__name__)  # a generator is read once
        return self.fit(docs, sample_weight=sample_weight).transform(docs)

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
        ids = np.concatenate([[self.vocabulary_[EOS]],
                              encode(prompt, self.vocabulary_, self.level,
                                     self.lowercase)])
        out = sample_tokens(self._network, ids, n_tokens, temperature, top_k, rng)
        text = ["\n" if self.tokens_[t] == EOS else self.tokens_[t] for t in out]
        sep = "" if self.level == "char" else " "
        joined = sep.join(text)
        if prompt and joined and sep:
            joined = sep + joined
        return prompt + joined

    @property
    def _n_features_out(self):
        """``transform`` gives the top layer's hidden state: ``hidden_size``."""
        return self._network.layers[-1].n_in

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.required = False
        tags.non_deterministic = False
        return tags
