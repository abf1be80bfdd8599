"""TreeComposition: recursive composition over binary trees (BPTS), level by level."""

import numpy as np

from .base import Layer, check_parameter_memory
from .functional import scatter_add_rows

__all__ = ["NODE_COLUMNS", "TreeComposition"]

#: Columns of the integer node table a TreeComposition reads, one row per node.
NODE_COLUMNS = ("word", "left", "right", "height")


class TreeComposition(Layer):
    """Node vectors of binary trees, composed bottom-up (Socher et al. 2011, 2013).

    Word vectors sit at the leaves, and one shared composition makes every
    internal node's vector from its two children's.

    The input is an integer node table of shape ``(n_nodes, 4)`` with the
    columns :data:`NODE_COLUMNS`: a leaf has its word id and ``left = right =
    -1``; an internal node has ``word = -1`` and the rows of its two children;
    ``height`` is 0 at the leaves and one more than the higher child above. Many
    trees are one table: every node of a height is composed in one vectorised
    step, so a batch of trees costs as many steps as its tallest tree is high.

    Parameters
    ----------
    n_words : int
        Vocabulary size.
    dim : int
        Size ``d`` of every node vector.
    composition : {'rnn', 'rntn'}, default='rnn'
        ``'rnn'``: ``p = tanh(W [c1; c2] + b)``; ``'rntn'`` (the recursive
        neural tensor network of Socher et al. 2013) adds the bilinear term
        ``[c1; c2]ᵀ V[k] [c1; c2]`` for each output unit ``k``.
    rng : numpy.random.Generator
        Source of the initial weights.
    dtype : dtype, default=np.float32
        Parameter dtype.

    See Also
    --------
    skdeep.RecursiveNetClassifier : The estimator built on it.

    Notes
    -----
    Backpropagation through structure: the gradient reaching a node (from its
    own output and from its parent) goes through its ``tanh`` to ``W``, ``b``
    (``V``) and to its two children, level by level from the top; the leaves'
    gradients accumulate into the rows of ``E`` of their words.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import TreeComposition
    >>> # "(good film)": leaves 0 and 1, their parent 2
    >>> nodes = np.array([[0, -1, -1, 0], [1, -1, -1, 0], [-1, 0, 1, 1]])
    >>> layer = TreeComposition(2, 3, rng=np.random.default_rng(0))
    >>> layer.forward(nodes, training=False).shape
    (3, 3)
    """

    def __init__(self, n_words, dim, composition="rnn", *, rng, dtype=np.float32):
        super().__init__()
        if composition not in ("rnn", "rntn"):
            raise ValueError(f"composition must be 'rnn' or 'rntn'; got "
                             f"{composition!r}.")
        self.n_words, self.dim, self.composition = int(n_words), int(dim), composition
        d = self.dim
        shapes = [(self.n_words, d), (2 * d + 1, d)]
        if composition == "rntn":
            shapes.append((2 * d, 2 * d * d))
        check_parameter_memory(repr(self), shapes, dtype)
        r = np.sqrt(6.0 / (3 * d))
        self.params = {
            "E": rng.uniform(-r, r, (self.n_words, d)).astype(dtype),
            # W = ½[I I] + noise: a new node starts near the mean of its children
            "W": (0.5 * np.vstack([np.eye(d), np.eye(d)])
                  + rng.uniform(-0.01, 0.01, (2 * d, d))).astype(dtype),
            "b": np.zeros(d, dtype=dtype),
        }
        if composition == "rntn":
            self.params["W_tensor"] = rng.uniform(
                -0.01, 0.01, (2 * d, 2 * d * d)).astype(dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def forward(self, x, *, training):
        nodes = np.asarray(x)
        word, left, right, height = nodes[:, :4].T  # further columns: the caller's
        E, W, b = self.params["E"], self.params["W"], self.params["b"]
        d = self.dim
        h = np.empty((len(nodes), d), dtype=E.dtype)
        leaves = word >= 0
        h[leaves] = E[word[leaves]]
        levels = []
        for level in range(1, int(height.max(initial=0)) + 1):
            rows = np.flatnonzero(height == level)
            c = np.concatenate([h[left[rows]], h[right[rows]]], axis=1)  # (k, 2d)
            z = c @ W
            z += b
            cv = None
            if self.composition == "rntn":
                # [c]ᵀ V[k] [c] for every unit k: (k, 2d) x (2d, 2d·d), kept
                # for backward, which needs the same product
                cv = (c @ self.params["W_tensor"]).reshape(len(rows), 2 * d, d)
                z += np.einsum("ni,nid->nd", c, cv)
            h[rows] = np.tanh(z)
            levels.append((rows, c, cv))
        if training:
            self._cache = (word, left, right, leaves, h, levels)
        return h

    def backward(self, grad_output):
        word, left, right, leaves, h, levels = self._cache
        W = self.params["W"]
        d = self.dim
        delta = np.array(grad_output, dtype=h.dtype)  # gradients of node vectors
        for name in ("W", "b") + (("W_tensor",) if self.composition == "rntn"
                                  else ()):
            self.grads[name][...] = 0
        for rows, c, cv in reversed(levels):
            dz = delta[rows] * (1 - h[rows] ** 2)  # through tanh
            self.grads["W"] += c.T @ dz
            self.grads["b"] += dz.sum(axis=0)
            dc = dz @ W.T
            if self.composition == "rntn":
                V = self.params["W_tensor"]  # (2d, 2d·d): V[i, j·d + k]
                n = len(rows)
                outer = (c[:, :, None] * dz[:, None, :]).reshape(n, -1)  # c_j dz_k
                self.grads["W_tensor"] += c.T @ outer  # Σ_n c_i c_j dz_k
                # ∂(cᵀ V[·,·,k] c)/∂c_m = Σ_j V[m, j, k] c_j + Σ_i c_i V[i, m, k]
                dc += outer @ V.T
                dc += np.einsum("nmk,nk->nm", cv, dz)  # cv = (c @ V), forward's
            # each child has one parent: no repeated rows within a level
            delta[left[rows]] += dc[:, :d]
            delta[right[rows]] += dc[:, d:]
        self.grads["E"][...] = 0
        scatter_add_rows(self.grads["E"], word[leaves], delta[leaves])
        return None  # word ids and tree structure: nothing to differentiate

    def __repr__(self):
        return (f"TreeComposition({self.n_words}, {self.dim}, "
                f"composition={self.composition!r})")
