"""Token embeddings."""

import numpy as np

from .base import Layer, check_parameter_memory
from .functional import scatter_add_rows
from .init import random_array

__all__ = ["Embedding"]


class Embedding(Layer):
    """Lookup table mapping token ids to dense vectors.

    Token ids of shape ``(N, T)`` become vectors of shape ``(N, T, dim)``: the
    input layer of :class:`skdeep.RNNLanguageModel` when ``embedding_dim`` is
    set.

    Parameters
    ----------
    n_tokens : int
        Vocabulary size.
    dim : int
        Embedding size.
    rng : numpy.random.Generator
        Source of the initial vectors, ``U(-0.1, 0.1)``.
    dtype : dtype, default=np.float32
        Parameter dtype.

    See Also
    --------
    Recurrent : The recurrent layer that reads the vectors.
    skdeep.nn.functional.scatter_add_rows : The sum its backward uses.

    Notes
    -----
    Forward ``y[n, t] = E[x[n, t]]``; backward scatters the output gradient back
    to the rows that were looked up (repeated tokens add up).
    Integer inputs have no gradient; ``backward`` returns ``None``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Embedding
    >>> emb = Embedding(10, 4, rng=np.random.default_rng(0))
    >>> emb.forward(np.array([[1, 2, 3]]), training=False).shape
    (1, 3, 4)
    """

    def __init__(self, n_tokens, dim, *, rng, dtype=np.float32):
        super().__init__()
        self.n_tokens, self.dim = int(n_tokens), int(dim)
        check_parameter_memory(repr(self), [(self.n_tokens, self.dim)], dtype)
        self.params = {"E": random_array(rng, "uniform", (self.n_tokens, self.dim),
                                         dtype, low=-0.1, high=0.1)}
        self.grads = {"E": np.zeros_like(self.params["E"])}

    #: Set on the instance by a TiedDense reading ``E`` (a tied output layer):
    #: its backward runs first and writes its share of ``dE``, this layer's then
    #: adds the lookups' share.
    tied = False

    def forward(self, x, *, training):
        if training:
            self._cache = x
        return self.params["E"][x]  # (N, T) ids -> (N, T, dim)

    def backward(self, grad_output):
        ids = self._cache
        # (N, T, dim) -> (N·T, dim), summed into the looked-up rows
        scatter_add_rows(self.grads["E"], ids, grad_output.reshape(-1, self.dim),
                         accumulate=self.tied)
        return None

    def __repr__(self):
        return f"Embedding({self.n_tokens}, {self.dim})"
