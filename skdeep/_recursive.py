"""RecursiveNetClassifier: sentiment over parse trees (seed 004 part 7)."""

import copy
import numbers
from collections import Counter

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ._base import BaseNetwork, NetworkClassifierMixin
from ._mlp import parameter_docs
from ._trees import as_tree, node_table, tree_labels, tree_words
from ._validation import check_bool, check_choice, check_number
from .nn import Dense, Sequential, TreeComposition

__all__ = ["RecursiveNetClassifier"]


class RecursiveNetClassifier(NetworkClassifierMixin, ClassifierMixin, BaseNetwork):
    __doc__ = """Recursive neural network over binary parse trees (Socher et al.).

    Every leaf is a word vector; every internal node composes its two children
    with one shared function, ``p = tanh(W [c1; c2] + b)`` (``'rnn'``) or with
    the tensor term of the RNTN (``'rntn'``); a softmax reads every node. It
    trains by backpropagation through structure, every node of a height of a
    whole minibatch of trees in one vectorised step. Seed 004 part 7.

    Parameters
    ----------
    composition : {'rnn', 'rntn'}, default='rnn'
        The composition function.
    dim : int, default=30
        Size of the word and node vectors.
    train_on : {'nodes', 'roots'}, default='nodes'
        Which labelled nodes the loss reads (with ``y`` given to ``fit`` only
        the roots are labelled, so ``'roots'`` is implied).
    min_count : int, default=1
        Words seen fewer times in ``fit`` map to the unknown word.
    lowercase : bool, default=False
        Lower-case the words.
    solver : {'adagrad', 'adam', 'sgd', 'adadelta'}, default='adagrad'
        The optimizer (Socher et al. used AdaGrad).
    learning_rate_init : float, default=0.01
        Step size.
    alpha : float, default=1e-4
        L2 penalty on the weight matrices (``E``, ``W``, ``V``, the softmax).
    batch_size : int, default=27
        Trees per minibatch.
    max_iter : int, default=30
        Epochs.
    max_grad_norm : float or None, default=None
        Global gradient-norm clipping per step.
    average : bool or int, default=False
        Predict with the mean of the weights at the ends of epochs
        ``average, average + 1, …`` (``True``: every epoch): Polyak-Ruppert
        averaging, per epoch rather than per update as in
        :class:`~sklearn.linear_model.SGDClassifier`. Training itself goes on
        from the latest weights (exact resume included); the mean only
        replaces them for prediction, once at least one epoch has entered it.
        It smooths the epoch-to-epoch swings of the accuracies (on SST about
        ±0.6 points of binary accuracy). Not with ``early_stopping``.
""" + parameter_docs(
        # the training parameters of MLPNet, with the same defaults
        "learning_rate", "power_t", "momentum", "nesterovs_momentum",
        "beta_1, beta_2", "epsilon", "tol", "n_iter_no_change", "early_stopping",
        "validation_fraction", "shuffle", "random_state", "verbose", "warm_start",
        early_stopping="""    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the trees, stop when their root
        accuracy stops improving and restore the best weights.
""") + """    dtype : {'float32', 'float64'} or None, default='float32'
        Precision of the computation.

    Attributes
    ----------
    classes_ : ndarray
        Node labels.
    vocabulary_ : dict of str -> int
        Word ids (0 is the unknown word).
    n_averaged_ : int
        Epochs in the averaged weights that predict (0: the latest weights).
    n_iter_, loss_, loss_curve_, t_, validation_scores_
        As in :class:`MLPNet`.

    See Also
    --------
    RNNClassifier : Recurrent networks over sequences (chains, not trees).
    RNNLanguageModel : Recurrent language models over text.

    Notes
    -----
    ``X`` is a list of binarised trees: PTB strings
    ``'(3 (2 The) (4 (3 good) (2 film)))'`` or tuples ``(label, left, right)``
    and ``(label, 'word')`` (labels may be left out: ``(left, right)`` and
    ``'word'``). With ``y=None`` the trees' labels train every node; with ``y``
    (one label per tree) only the roots.

    Examples
    --------
    >>> from skdeep import RecursiveNetClassifier
    >>> trees = ["(1 (1 good) (1 film))", "(0 (0 bad) (1 film))",
    ...          "(1 (1 (1 very) (1 good)) (1 film))",
    ...          "(0 (0 (1 very) (0 bad)) (1 film))"]
    >>> clf = RecursiveNetClassifier(dim=8, max_iter=40, learning_rate_init=0.1,
    ...                              random_state=0).fit(trees)
    >>> clf.predict(["(1 (1 good) (1 film))", "(0 (0 bad) (1 film))"]).tolist()
    [1, 0]
    """

    def __init__(self, composition="rnn", dim=30, *, train_on="nodes", min_count=1,
                 lowercase=False, solver="adagrad", learning_rate_init=0.01,
                 alpha=1e-4, batch_size=27, max_iter=30, max_grad_norm=None,
                 average=False, learning_rate="constant", power_t=0.5, momentum=0.9,
                 nesterovs_momentum=True, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 tol=1e-4, n_iter_no_change=10, early_stopping=False,
                 validation_fraction=0.1, shuffle=True, random_state=None,
                 verbose=False, warm_start=False, dtype="float32"):
        self.composition = composition
        self.dim = dim
        self.train_on = train_on
        self.min_count = min_count
        self.lowercase = lowercase
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.alpha = alpha
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.max_grad_norm = max_grad_norm
        self.average = average
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.shuffle = shuffle
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.dtype = dtype

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False  # trees: own conformance tests
        tags.input_tags.string = True
        tags.target_tags.required = False
        return tags

    # ------------------------------------------------------------ parameters
    def _check_extra_params(self):
        check_choice("composition", self.composition, ("rnn", "rntn"))
        check_number("dim", self.dim, kind=numbers.Integral, low=1)
        check_choice("train_on", self.train_on, ("nodes", "roots"))
        check_number("min_count", self.min_count, kind=numbers.Integral, low=1)
        check_bool("lowercase", self.lowercase)
        check_number("alpha", self.alpha, low=0)
        check_number("max_grad_norm", self.max_grad_norm, low=0, low_inclusive=False,
                     allow_none=True)
        if not isinstance(self.average, bool):
            check_number("average", self.average, kind=numbers.Integral, low=1)
        if self.average is not False and self.early_stopping:
            raise ValueError("average and early_stopping=True cannot be combined: "
                             "early stopping keeps the best latest weights, "
                             "averaging predicts with a mean of them.")

    def _architecture(self):
        return {**super()._architecture(), **{name: getattr(self, name) for name in (
            "composition", "dim", "min_count", "lowercase")}}

    # ------------------------------------------------------------ input
    def _trees(self, X):
        if isinstance(X, (str, tuple)) or not hasattr(X, "__iter__"):
            raise ValueError("X must be a list of trees (PTB strings or tuples).")
        trees = [as_tree(t) for t in X]
        if not trees:
            raise ValueError("X holds no trees.")
        if self.lowercase:
            trees = [_lowercased(t) for t in trees]
        return trees

    def _validate_X_y(self, X, y, reset):
        trees = self._trees(X)
        if y is None:
            labels = tree_labels(trees)
            if any(label is None for label in labels):
                raise ValueError("Some nodes have no label: give labelled trees, "
                                 "or y (one label per tree).")
            self._roots_only = self.train_on == "roots"
        else:
            y = np.asarray(y)
            if y.ndim != 1 or len(y) != len(trees):
                raise ValueError(f"y must have one label per tree ({len(trees)}); "
                                 f"got shape {y.shape}.")
            sizes = [2 * len(tree_words([t])) - 1 for t in trees]
            labels = np.repeat(y, sizes)  # non-root copies carry weight 0
            self._roots_only = True
        return trees, self._check_targets(np.asarray(labels), reset)

    def _validate_X(self, X):
        check_is_fitted(self)
        return self._prepare_input(self._trees(X), reset=False)

    def _prepare_input(self, trees, reset):
        if reset:
            counts = Counter(tree_words(trees))
            words = sorted(w for w, n in counts.items() if n >= self.min_count)
            self.vocabulary_ = {w: i + 1 for i, w in enumerate(words)}  # 0: unknown
        return node_table(trees, self.vocabulary_, 0)

    # ------------------------------------------------------------ network
    def _build_network(self, input_shape, n_outputs, rng_init, rng_dropout, dtype):
        return Sequential([
            TreeComposition(len(self.vocabulary_) + 1, self.dim, self.composition,
                            rng=rng_init, dtype=dtype),
            Dense(self.dim, n_outputs, rng=rng_init, dtype=dtype)])

    def _build_loss(self):
        return self._classification_loss()

    def _penalty_pairs(self, network):
        # the word vectors are weights too (Socher et al. regularise them)
        return [(p[k], g[k]) for p, g in network.parameters() for k in sorted(p)
                if k.startswith(("W", "E"))]

    # ------------------------------------------------------------ training
    def _training_data(self, network, loss, X, Y, y_raw, sample_weight, state,
                       early_stopping):
        tree = X[:, 4]
        is_root = np.r_[tree[1:] != tree[:-1], True]
        weights = is_root.astype(float) if self._roots_only else np.ones(len(X))
        if sample_weight is not None:
            weights = weights * sample_weight[tree]
        trees = np.arange(tree[-1] + 1)
        evaluate = None
        if early_stopping:
            n_val = max(1, int(round(len(trees) * self.validation_fraction)))
            if len(trees) - n_val < 1:
                raise ValueError("Too few trees to hold out a validation set.")
            held = state.shuffle_rng.permutation(len(trees))[:n_val]
            val_rows = np.flatnonzero(np.isin(tree, held))
            weights = np.where(np.isin(tree, held), 0.0, weights)
            trees = np.setdiff1d(trees, held)
            val_table = _sub_table(X, val_rows)
            val_roots = val_rows[is_root[val_rows]]

            def evaluate():
                out = network.forward(val_table, training=False)
                roots = np.r_[val_table[1:, 4] != val_table[:-1, 4], True]
                predicted = self._decode(loss.output(out[roots]))
                score = float(np.mean(predicted == np.asarray(y_raw)[val_roots]))
                return score, 1 - score

        return (X, Y, weights, trees), evaluate

    def _epoch(self, network, loss, train, state, params):
        """Minibatches of whole trees: ``(mean node loss, trees)``."""
        X, Y, weights, trees = train
        order = state.shuffle_rng.permutation(trees) if self.shuffle else trees
        starts = np.searchsorted(X[:, 4], np.arange(X[-1, 4] + 2))
        grads = network.grad_arrays()
        total = seen = 0.0
        for begin in range(0, len(order), self.batch_size):
            chosen = order[begin:begin + self.batch_size]
            rows = np.concatenate([np.arange(starts[t], starts[t + 1])
                                   for t in chosen])
            wb = weights[rows]
            if not wb.any():
                continue  # nothing labelled here (held out, or zero weights)
            value = self._step(network, loss, _sub_table(X, rows), Y[rows], state,
                               params, grads, wb)
            total += value * wb.sum()
            seen += wb.sum()
        first = 1 if self.average is True else self.average
        if first and state.n_iter + 1 >= first:  # this epoch enters the mean
            state.average_params(params)
        return total / (seen or 1), len(order)

    def _fitted_attributes(self, network, loss, state, n_iter):
        attributes = super()._fitted_attributes(network, loss, state, n_iter)
        averaged = None
        if state.averaged_params is not None:
            # a copy that predicts: training resumes from ``network`` itself
            averaged = copy.deepcopy(network)
            for p, a in zip(averaged.param_arrays(), state.averaged_params):
                p[...] = a
        attributes.update(n_averaged_=state.n_averaged, _averaged_network=averaged)
        return attributes

    # ------------------------------------------------------------ inference
    def _node_outputs(self, X):
        table = self._validate_X(X)
        network = getattr(self, "_averaged_network", None) or self._network
        hidden = network.layers[0].forward(table, training=False)
        proba = self._loss_function.output(network.layers[1].forward(
            hidden, training=False))
        roots = np.r_[table[1:, 4] != table[:-1, 4], True]
        return table, hidden, proba, roots

    def _output(self, X):
        _, _, proba, roots = self._node_outputs(X)
        return proba[roots]

    def predict_nodes(self, X):
        """Label every node of every tree.

        Parameters
        ----------
        X : list of trees
            PTB strings or tuples.

        Returns
        -------
        list of ndarray
            One array per tree, nodes in post-order: children before their
            parent, the left subtree first, the root last.
        """
        table, _, proba, _ = self._node_outputs(X)
        labels = self._decode(proba)
        return np.split(labels, np.flatnonzero(np.diff(table[:, 4])) + 1)

    def transform(self, X):
        """The root vector of each tree.

        Parameters
        ----------
        X : list of trees
            PTB strings or tuples.

        Returns
        -------
        ndarray of shape (n_trees, dim)
            Root vectors.
        """
        _, hidden, _, roots = self._node_outputs(X)
        return hidden[roots]

    def fit(self, X, y=None, sample_weight=None):
        """Train on labelled trees (every node) or on root labels ``y``.

        Parameters
        ----------
        X : list of trees
            PTB strings or tuples.
        y : array-like of shape (n_trees,), default=None
            Root labels; ``None`` reads every node's label from the trees.
        sample_weight : array-like of shape (n_trees,), default=None
            Weights of the trees (each weighs all its nodes).

        Returns
        -------
        self : RecursiveNetClassifier
            The fitted model.
        """
        return self._fit(X, y, incremental=False, sample_weight=sample_weight)


def _sub_table(X, rows):
    """The node table of ``rows`` (whole trees), children re-pointed."""
    position = np.full(len(X), -1)
    position[rows] = np.arange(len(rows))
    sub = X[rows].copy()
    internal = sub[:, 0] < 0
    sub[internal, 1] = position[sub[internal, 1]]
    sub[internal, 2] = position[sub[internal, 2]]
    return sub


def _lowercased(tree):
    if len(tree) == 2:
        return (tree[0], tree[1].lower())
    return (tree[0], _lowercased(tree[1]), _lowercased(tree[2]))
