"""Losses computed from the network's raw outputs (logits).

Each loss is a small picklable object with

* ``loss(z, y, sample_weight=None) -> (value, grad)``: the mean loss over the
  batch and its gradient with respect to ``z``, already divided by the batch
  size (with ``sample_weight``: the weighted mean, each row's gradient scaled by
  ``w_i / Σ w``, as scikit-learn's MLP);
* ``output(z)``: what the model reports from its logits (probabilities for the
  classification losses, the prediction for the regression ones).

Fusing the output non-linearity into the loss gives the stable
``softmax(z) - y`` gradient used by scikit-learn's MLP.
"""

import numpy as np

from .functional import log_softmax, sigmoid, softmax, softplus

__all__ = [
    "Loss",
    "SoftmaxCrossEntropy",
    "SigmoidBinaryCrossEntropy",
    "SquaredError",
    "MulticlassHinge",
    "PoissonLoss",
    "Huber",
    "LOSSES",
    "weight_penalty",
]


class Loss:
    """Base class of the losses: a mean loss and its gradient from the logits.

    A loss reads the network's raw outputs (logits) and returns its mean value
    and the gradient in one call, so the output non-linearity is fused into the
    loss (the stable ``softmax(z) - y`` gradient). Subclasses implement
    :meth:`loss` and, for a non-identity output, :meth:`output`.

    Attributes
    ----------
    out_activation : str
        Name of the output transform, reported as ``out_activation_`` by estimators.

    See Also
    --------
    SoftmaxCrossEntropy : The multiclass log loss.
    SquaredError : The regression loss.
    skdeep.nn.gradcheck.check_loss_gradients : Checks a loss's gradient.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Loss, SquaredError
    >>> isinstance(SquaredError(), Loss)
    True
    >>> Loss().output(np.array([[2.0]])).tolist()  # the identity: raw outputs
    [[2.0]]
    """

    out_activation = "identity"

    def loss(self, z, y, sample_weight=None):
        """Mean loss and its gradient with respect to the logits.

        Parameters
        ----------
        z : ndarray of shape (n_samples, n_outputs)
            Logits.
        y : ndarray of shape (n_samples, n_outputs)
            Targets (one-hot or indicator rows for classification).
        sample_weight : ndarray of shape (n_samples,) or None, default=None
            Weights of the rows: the loss is their weighted mean.

        Returns
        -------
        value : float
            Loss averaged over the samples.
        grad : ndarray of shape (n_samples, n_outputs)
            ``d value / d z``.
        """
        raise NotImplementedError

    @staticmethod
    def _average(terms, grad, sample_weight):
        """Mean of the per-row sums of ``terms``; scale ``grad`` to match, in place.

        Without weights every row counts ``1/n``; with them row ``i`` counts
        ``w_i / Σ w`` (a batch whose weights sum to zero contributes nothing).
        """
        n = terms.shape[0]
        if sample_weight is not None:
            w = np.asarray(sample_weight)
            if n and w[0] != 0 and w.min() == w.max():
                sample_weight = None  # equal weights: the plain mean, bit for bit
        if sample_weight is None:
            grad /= grad.dtype.type(n)
            return float(np.sum(terms)) / n
        total = float(np.sum(sample_weight))
        scale = (np.zeros(n) if total == 0 else np.asarray(sample_weight) / total)
        grad *= scale.astype(grad.dtype, copy=False).reshape(-1, *[1] * (grad.ndim - 1))
        return float(np.sum(terms.reshape(n, -1).sum(axis=1) * scale))

    def output(self, z):
        """Transform logits into the model's output.

        Parameters
        ----------
        z : ndarray of shape (n_samples, n_outputs)
            Logits.

        Returns
        -------
        ndarray of shape (n_samples, n_outputs)
            Probabilities or predictions.
        """
        return z

    def __repr__(self):
        return f"{type(self).__name__}()"


class SoftmaxCrossEntropy(Loss):
    """Multinomial log loss on softmax probabilities.

    The loss of the classifiers with more than two classes; targets are one-hot
    rows.

    See Also
    --------
    SparseSoftmaxCrossEntropy : The same with integer targets.
    SigmoidBinaryCrossEntropy : Two classes, or several labels per row.

    Notes
    -----
    ``L = -(1/N) Σ_n Σ_k y_nk log softmax(z_n)_k``; ``dL/dz = (softmax(z) - y) / N``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import SoftmaxCrossEntropy
    >>> z = np.array([[2.0, 0.0], [0.0, 2.0]])
    >>> y = np.array([[1.0, 0.0], [0.0, 1.0]])
    >>> value, grad = SoftmaxCrossEntropy().loss(z, y)
    >>> round(value, 4), grad.round(4).tolist()
    (0.1269, [[-0.0596, 0.0596], [0.0596, -0.0596]])
    """

    out_activation = "softmax"

    def loss(self, z, y, sample_weight=None):
        terms = y * log_softmax(z)
        terms *= -1
        grad = softmax(z)
        grad -= y
        return self._average(terms, grad, sample_weight), grad

    def output(self, z):
        return softmax(z)


class SparseSoftmaxCrossEntropy(Loss):
    """Softmax cross-entropy with integer class targets (no one-hot matrix).

    For large vocabularies (language models) the one-hot target matrix would be
    as large as the logits; integer targets avoid it.

    See Also
    --------
    SoftmaxCrossEntropy : The same with one-hot targets.

    Notes
    -----
    ``L = -(1/N) Σ_n log softmax(z_n)[y_n]``; ``dL/dz = (softmax(z) - onehot(y))/N``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import SparseSoftmaxCrossEntropy
    >>> z = np.array([[2.0, 0.0], [0.0, 2.0]])
    >>> value, grad = SparseSoftmaxCrossEntropy().loss(z, np.array([0, 1]))
    >>> round(value, 4)
    0.1269
    """

    out_activation = "softmax"

    def loss(self, z, y, sample_weight=None):
        n = z.shape[0]
        y = np.asarray(y).astype(np.intp, copy=False).reshape(-1)
        rows = np.arange(n)
        # Language models' logits are large (tokens × vocabulary): one work array
        # and as few passes over it as the algebra allows. With e = exp(z - max),
        # the loss is log Σe - (z_y - max) and the gradient e / Σe - onehot(y).
        grad = np.subtract(z, z.max(axis=1, keepdims=True))
        picked = grad[rows, y]
        np.exp(grad, out=grad)
        sums = grad.sum(axis=1, keepdims=True)
        terms = np.log(sums[:, 0]) - picked  # (n,)
        grad *= np.reciprocal(sums)
        grad[rows, y] -= 1
        return self._average(terms, grad, sample_weight), grad

    def output(self, z):
        return softmax(z)


class SigmoidBinaryCrossEntropy(Loss):
    """Independent logistic log loss per output (binary and multilabel).

    Each output is a separate yes/no question: the binary classifiers' single
    logistic unit, and multilabel targets.

    See Also
    --------
    SoftmaxCrossEntropy : Mutually exclusive classes.

    Notes
    -----
    ``L = (1/N) Σ softplus(z) - y z``; ``dL/dz = (σ(z) - y) / N``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import SigmoidBinaryCrossEntropy
    >>> loss = SigmoidBinaryCrossEntropy()
    >>> value, grad = loss.loss(np.array([[0.0], [0.0]]), np.array([[1.0], [0.0]]))
    >>> round(value, 4), grad.tolist()
    (0.6931, [[-0.25], [0.25]])
    """

    out_activation = "logistic"

    def loss(self, z, y, sample_weight=None):
        terms = softplus(z)
        terms -= y * z
        grad = sigmoid(z)
        grad -= y
        return self._average(terms, grad, sample_weight), grad

    def output(self, z):
        return sigmoid(z)


class SquaredError(Loss):
    """Half squared error, optionally on the output of a softmax/logistic unit.

    The regressors' loss (identity output) and, on softmax outputs, the Keras
    seed net's "mse" (seed 002).

    Parameters
    ----------
    out_activation : {'identity', 'softmax', 'logistic'}, default='identity'
        ``'softmax'`` with one-hot targets is the Keras seed's "mse on softmax".

    See Also
    --------
    PoissonLoss : For counts.
    SoftmaxCrossEntropy : The usual classification loss.

    Notes
    -----
    ``L = (1/2N) Σ (p - y)²`` with ``p = out_activation(z)``. The gradient goes
    through the Jacobian of the output unit: for softmax
    ``dL/dz = p ⊙ (g - Σ_k p_k g_k)`` with ``g = (p - y) / N``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import SquaredError
    >>> z, y = np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]])
    >>> value, grad = SquaredError().loss(z, y)
    >>> value, grad.tolist()
    (1.25, [[0.5], [1.0]])
    """

    def __init__(self, out_activation="identity"):
        if out_activation not in ("identity", "softmax", "logistic"):
            raise ValueError(f"Unknown out_activation {out_activation!r}.")
        self.out_activation = out_activation

    def output(self, z):
        if self.out_activation == "softmax":
            return softmax(z)
        if self.out_activation == "logistic":
            return sigmoid(z)
        return z

    def loss(self, z, y, sample_weight=None):
        p = self.output(z)
        diff = p - y
        g = diff.copy()
        value = 0.5 * self._average(diff * diff, g, sample_weight)
        if self.out_activation == "softmax":
            g = p * (g - np.sum(p * g, axis=1, keepdims=True))
        elif self.out_activation == "logistic":
            g = g * p * (1 - p)
        return value, g

    def __repr__(self):
        return f"SquaredError({self.out_activation!r})"


class MulticlassHinge(Loss):
    """Multiclass hinge loss (Weston-Watkins; ConvNetJS's ``svm`` layer).

    Every wrong class whose score comes within a margin of 1 of the true class's
    costs the difference; scores already separated cost nothing.

    See Also
    --------
    SoftmaxCrossEntropy : The log loss on the same scores.

    Notes
    -----
    With ``c`` the true class, ``L = (1/N) Σ_n Σ_{j≠c} max(0, z_j - z_c + 1)``.
    Scores are reported through a softmax so that ``predict_proba`` exists; the
    decision (the arg max) is the same.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import MulticlassHinge
    >>> z = np.array([[3.0, 2.5, 0.0]])
    >>> value, grad = MulticlassHinge().loss(z, np.array([[1.0, 0.0, 0.0]]))
    >>> value, grad.tolist()
    (0.5, [[-1.0, 1.0, 0.0]])
    """

    out_activation = "softmax"

    def loss(self, z, y, sample_weight=None):
        true_score = np.sum(z * y, axis=1, keepdims=True)
        margins = z - true_score + 1
        margins[y.astype(bool)] = 0
        active = (margins > 0).astype(z.dtype)
        grad = active - y * active.sum(axis=1, keepdims=True)
        return self._average(margins * active, grad, sample_weight), grad

    def output(self, z):
        return softmax(z)


class PoissonLoss(Loss):
    """Half Poisson deviance with a log link (scikit-learn's ``loss='poisson'``).

    For counts and other non-negative targets: the network's output is the log
    of the predicted mean.

    See Also
    --------
    SquaredError : For real-valued targets.

    Notes
    -----
    Prediction ``μ = exp(z)``; ``L = (1/N) Σ μ - y z`` (up to a constant in ``y``);
    ``dL/dz = (μ - y) / N``.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import PoissonLoss
    >>> loss = PoissonLoss()
    >>> value, grad = loss.loss(np.array([[0.0]]), np.array([[2.0]]))
    >>> value, grad.tolist(), loss.output(np.array([[np.log(3.0)]])).round(6).tolist()
    (1.0, [[-1.0]], [[3.0]])
    """

    out_activation = "exp"

    def loss(self, z, y, sample_weight=None):
        mu = np.exp(z)
        grad = mu - y
        return self._average(mu - y * z, grad, sample_weight), grad

    def output(self, z):
        return np.exp(z)


class Huber(Loss):
    """Huber loss: squared error near the target, absolute error beyond ``delta``.

    The loss of deep Q-learning (:class:`skdeep.rl.DeepQLearner`): a large
    temporal-difference error moves the weights by a bounded gradient instead
    of one proportional to the error.

    Parameters
    ----------
    delta : float, default=1.0
        Where the quadratic part ends.

    See Also
    --------
    SquaredError : The loss it equals near the target.
    skdeep.rl.DeepQLearner : The learner that uses it.

    Notes
    -----
    With ``d = z - y``: ``h(d) = d²/2`` for ``|d| <= δ`` and ``δ(|d| - δ/2)``
    beyond; ``L = (1/N) Σ_n Σ_k h(d_nk)`` and ``dL/dz = clip(d, -δ, δ) / N``.
    An output whose target equals it (``y = z``) adds nothing to either, so a
    target matrix copied from the outputs, with one entry per row replaced,
    trains that entry alone (deep Q-learning's chosen action).

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn import Huber
    >>> value, grad = Huber().loss(np.array([[0.5, 3.0]]), np.array([[0.0, 0.0]]))
    >>> value, grad
    (2.625, array([[0.5, 1. ]]))
    """

    def __init__(self, delta=1.0):
        if not delta > 0:
            raise ValueError(f"Huber's delta must be > 0; got {delta!r}.")
        self.delta = float(delta)

    def loss(self, z, y, sample_weight=None):
        diff = z - y
        delta = diff.dtype.type(self.delta)
        grad = np.clip(diff, -delta, delta)
        # h(d) = c (|d| - c/2) with c = clip(|d|, 0, δ): d²/2 inside, linear beyond
        abs_diff = np.abs(diff)
        inside = np.minimum(abs_diff, delta)
        terms = inside * (abs_diff - inside / 2)
        return self._average(terms, grad, sample_weight), grad

    def __repr__(self):
        return f"Huber(delta={self.delta:g})"


#: The losses an estimator can name.
LOSSES = {
    "softmax_cross_entropy": SoftmaxCrossEntropy,
    "sparse_softmax_cross_entropy": SparseSoftmaxCrossEntropy,
    "sigmoid_cross_entropy": SigmoidBinaryCrossEntropy,
    "squared_error": SquaredError,
    "multiclass_hinge": MulticlassHinge,
    "poisson": PoissonLoss,
    "huber": Huber,
}


#: Weights per block of the penalty's gradient (256 KiB of float32).
_PENALTY_BLOCK = 1 << 16


def weight_penalty(pairs, l2, l1, n_samples, add_to_grads):
    """``(l2/2 Σ W² + l1 Σ |W|) / n_samples`` over weight arrays.

    Parameters
    ----------
    pairs : list of (ndarray, ndarray)
        Each weight array with its gradient (biases are not penalised).
    l2, l1 : float
        Strengths of the squared and absolute penalties.
    n_samples : float
        Batch size (or total sample weight) the penalty is divided by.
    add_to_grads : bool
        Whether to add the penalty's gradient to the gradients, in place.

    Returns
    -------
    float
        The penalty.
    """
    if (l2 == 0 and l1 == 0) or n_samples == 0:  # zero weight: no contribution
        return 0.0
    total = 0.0
    for W, gW in pairs:
        if l2:
            total += 0.5 * l2 * float(np.vdot(W, W))
        if l1:
            total += l1 * float(np.abs(W).sum())
        if add_to_grads:
            # in blocks: a whole-array temporary costs a model-sized allocation
            # per step (a strided array goes whole)
            blocked = (W.size > _PENALTY_BLOCK and W.flags.c_contiguous
                       and gW.flags.c_contiguous)
            flat_W, flat_g = (W.reshape(-1), gW.reshape(-1)) if blocked \
                else (W, gW)
            block = _PENALTY_BLOCK if blocked else len(W)
            for begin in range(0, len(flat_W), block):
                w = flat_W[begin:begin + block]
                g = flat_g[begin:begin + block]
                if l2:
                    g += W.dtype.type(l2 / n_samples) * w
                if l1:
                    g += W.dtype.type(l1 / n_samples) * np.sign(w)
    return total / n_samples
