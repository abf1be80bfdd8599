"""Restricted Boltzmann machine engine: unit types, CD-k / PCD gradients, energies.

The RBM is not a :class:`~skdeep.nn.Layer` (it is not trained by backprop). Its
parameters live in ``params`` with the layout of scikit-learn's
:class:`~sklearn.neural_network.BernoulliRBM`:

* ``W`` of shape ``(n_hidden, n_visible)`` (``components_``),
* ``b_h`` of shape ``(n_hidden,)`` (``intercept_hidden_``),
* ``b_v`` of shape ``(n_visible,)`` (``intercept_visible_``),

and :meth:`RBM.cd_gradients` fills ``grads`` with the *minimisation* sign, so the
engine's optimizers drive it like any network.

Visible unit types (hidden units are always Bernoulli):

``'bernoulli'``
    ``p(v=1|h) = σ(a)`` with ``a = h W + b_v``.
``'gaussian'``
    unit variance: ``v|h ~ N(a, 1)`` (for standardised data).
``'continuous'``
    dnn.js's CRBM: ``v ∈ [0, 1]`` with density ``∝ exp(a v)``, a truncated
    exponential: mean ``1/(1 − e^(−a)) − 1/a`` and inverse-CDF sampling
    ``v = log(1 + u (e^a − 1)) / a``, both evaluated without dividing by zero
    as ``a → 0`` (where the unit is uniform, mean 1/2).
"""

import numpy as np

from .base import check_parameter_memory
from .functional import sigmoid as _sigmoid
from .functional import softplus as _softplus
from .init import random_array

__all__ = ["RBM", "VISIBLE_UNITS", "truncated_exponential_mean",
           "truncated_exponential_sample"]

VISIBLE_UNITS = ("bernoulli", "gaussian", "continuous")

# below this |a| the truncated exponential is replaced by its Taylor expansion
_SMALL = 1e-3


def _as_float(a):
    a = np.asarray(a)
    return a if np.issubdtype(a.dtype, np.floating) else a.astype(np.float64)


def truncated_exponential_mean(a):
    """Mean of the density ``∝ exp(a v)`` on ``[0, 1]``.

    Parameters
    ----------
    a : ndarray
        Activations.

    Returns
    -------
    ndarray
        ``1/(1 − e^(−a)) − 1/a``, and ``1/2 + a/12`` near ``a = 0``.
    """
    a = _as_float(a)
    small = np.abs(a) < _SMALL
    safe = np.where(small, 1.0, a)
    with np.errstate(over="ignore", divide="ignore"):
        # -expm1(-a) = 1 - e^(-a); for very negative a it overflows to -inf,
        # making the first term 0 as the limit says.
        mean = 1.0 / -np.expm1(-safe) - 1.0 / safe
    return np.where(small, 0.5 + a / 12.0, mean).astype(a.dtype, copy=False)


def truncated_exponential_sample(a, u):
    """Inverse-CDF sample of the density ``∝ exp(a v)`` on ``[0, 1]``.

    Parameters
    ----------
    a : ndarray
        Activations.
    u : ndarray
        Uniform draws in ``[0, 1)``, same shape.

    Returns
    -------
    ndarray
        Samples in ``[0, 1]``.
    """
    a = _as_float(a)
    small = np.abs(a) < _SMALL
    safe = np.where(small, 1.0, a)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        # a < 0: log1p(u·expm1(a)) / a, with expm1(a) in (-1, 0): no overflow.
        neg = np.log1p(u * np.expm1(np.minimum(safe, 0))) / np.where(
            safe < 0, safe, 1.0)
        # a > 0: rewrite to use e^(-a): v = 1 + log(u + (1 - u) e^(-a)) / a.
        pos = 1.0 + np.log(u + (1.0 - u) * np.exp(-np.maximum(safe, 0))) / np.where(
            safe > 0, safe, 1.0)
    out = np.where(safe < 0, neg, pos)
    out = np.where(small, u, out)
    return np.clip(out, 0.0, 1.0).astype(a.dtype, copy=False)


class RBM:
    """A restricted Boltzmann machine with Bernoulli hidden units.

    Parameters
    ----------
    n_visible, n_hidden : int
        Layer sizes.
    visible_units : {'bernoulli', 'gaussian', 'continuous'}, default='bernoulli'
        Visible unit type (see the module docstring).
    rng : numpy.random.Generator or None
        Source of the initial weights ``N(0, 0.01²)`` (scikit-learn's); ``None``
        leaves them at zero, to be set from ``params``.
    dtype : dtype, default=np.float32
        Parameter and compute dtype.

    Attributes
    ----------
    packed : ndarray of shape (n_hidden + 1, n_visible + 1)
        All parameters in one block: ``W`` in ``[:n_hidden, :n_visible]``,
        ``b_h`` in the last column and ``b_v`` in the last row (the corner is
        unused). ``params`` holds views of it, ``packed_grad`` and ``grads`` the
        same for the gradient, so an optimizer can update the whole model as one
        array.
    params, grads : dict of ndarray
        Views ``'W'`` (``(n_hidden, n_visible)``, ``components_``), ``'b_h'`` and
        ``'b_v'`` into ``packed`` and ``packed_grad``.

    Notes
    -----
    Energy ``E(v, h) = −v·b_v − h·b_h − h W v`` (plus ``‖v‖²/2`` for Gaussian
    units); free energy ``F(v) = −v·b_v − Σ_j softplus((W v)_j + b_h,j)`` (with
    ``+‖v − b_v‖²/2 − ‖b_v‖²/2`` instead of ``−v·b_v`` for Gaussian units).
    ``∂ log p(v)/∂W = E_data[h vᵀ] − E_model[h vᵀ]``; CD-k estimates the model
    term with ``k`` Gibbs steps from the data, PCD from a persistent chain.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep.nn.rbm import RBM
    >>> rng = np.random.default_rng(0)
    >>> rbm = RBM(6, 2, rng=rng)
    >>> v = (rng.random((4, 6)) < 0.5).astype(np.float32)
    >>> rbm.hidden_mean(v).shape
    (4, 2)
    """

    def __init__(self, n_visible, n_hidden, *, visible_units="bernoulli", rng=None,
                 dtype=np.float32):
        if visible_units not in VISIBLE_UNITS:
            raise ValueError(
                f"visible_units must be one of {VISIBLE_UNITS}; got {visible_units!r}."
            )
        self.visible_units = visible_units
        check_parameter_memory(f"RBM({n_visible}, {n_hidden})",
                               [(n_hidden + 1, n_visible + 1)], dtype)
        packed = np.zeros((n_hidden + 1, n_visible + 1), dtype=dtype)
        if rng is not None:
            # N(0, 0.01²) drawn block by block: no float64 copy of W
            packed[:n_hidden, :n_visible] = random_array(
                rng, "normal", (n_hidden, n_visible), dtype, scale=0.01)
        self._set_packed(packed)

    @classmethod
    def from_params(cls, W, b_h, b_v, *, visible_units="bernoulli", dtype=None):
        """An RBM holding copies of the given parameters.

        Parameters
        ----------
        W : ndarray of shape (n_hidden, n_visible)
            Weights (``components_``).
        b_h : ndarray of shape (n_hidden,)
            Hidden biases.
        b_v : ndarray of shape (n_visible,)
            Visible biases.
        visible_units : {'bernoulli', 'gaussian', 'continuous'}, default='bernoulli'
            Visible unit type.
        dtype : dtype or None, default=None
            Parameter dtype; ``None`` keeps ``W``'s.

        Returns
        -------
        RBM
            A new engine; changing it leaves the given arrays untouched.
        """
        n_hidden, n_visible = W.shape
        rbm = cls(n_visible, n_hidden, visible_units=visible_units,
                  dtype=W.dtype if dtype is None else dtype)
        rbm.params["W"][...] = W
        rbm.params["b_h"][...] = b_h
        rbm.params["b_v"][...] = b_v
        return rbm

    def _set_packed(self, packed):
        n_hidden, n_visible = packed.shape[0] - 1, packed.shape[1] - 1
        self.packed = packed
        self.packed_grad = np.zeros_like(packed)

        def views(block):
            return {"W": block[:n_hidden, :n_visible], "b_h": block[:n_hidden, n_visible],
                    "b_v": block[n_hidden, :n_visible]}

        self.params, self.grads = views(packed), views(self.packed_grad)
        self._workspaces = {}

    def __deepcopy__(self, memo):
        # the views in params/grads must stay views of the copied block
        new = type(self).__new__(type(self))
        new.visible_units = self.visible_units
        new._set_packed(self.packed.copy())
        new.packed_grad[...] = self.packed_grad
        memo[id(self)] = new
        return new

    # ------------------------------------------------------------ conditionals
    def hidden_mean(self, v):
        """``p(h = 1 | v)``, shape ``(n, n_hidden)``."""
        z = v @ self.params["W"].T
        z += self.params["b_h"]
        return _sigmoid(z, out=z)

    def sample_hidden(self, mean, rng):
        """Bernoulli draws with probabilities ``mean``."""
        draw = rng.random(mean.shape, dtype=mean.dtype)
        return np.less(draw, mean, out=draw)  # 1.0 where on, in place

    def visible_activation(self, h):
        """``a = h W + b_v``, shape ``(n, n_visible)``."""
        return h @ self.params["W"] + self.params["b_v"]

    def visible_mean(self, h):
        """``E[v | h]`` for the visible unit type."""
        a = self.visible_activation(h)
        self._visible_mean_from_activation(a)
        return a

    def _visible_mean_from_activation(self, a):
        """Replace the activations ``a`` by ``E[v | h]``, in place."""
        if self.visible_units == "bernoulli":
            _sigmoid(a, out=a)
        elif self.visible_units == "continuous":
            a[...] = truncated_exponential_mean(a)
        # gaussian: the mean is the activation itself

    def sample_visible(self, h, rng):
        """A draw of ``v | h`` for the visible unit type."""
        a = self.visible_activation(h)
        self._sample_visible_from_activation(a, rng)
        return a

    def _sample_visible_from_activation(self, a, rng):
        """Replace the activations ``a`` by a draw of ``v | h``, in place."""
        if self.visible_units == "bernoulli":
            _sigmoid(a, out=a)
            np.less(rng.random(a.shape, dtype=a.dtype), a, out=a)
        elif self.visible_units == "gaussian":
            a += rng.standard_normal(a.shape, dtype=a.dtype)
        else:
            a[...] = truncated_exponential_sample(a, rng.random(a.shape, dtype=a.dtype))

    # ------------------------------------------------------------ energies
    def free_energy(self, v):
        """Free energy ``F(v)`` per row (lower = more probable)."""
        hidden = _softplus(v @ self.params["W"].T + self.params["b_h"]).sum(1)
        b_v = self.params["b_v"]
        if self.visible_units == "gaussian":
            visible = 0.5 * ((v - b_v) ** 2).sum(1) - 0.5 * float(b_v @ b_v)
        else:
            visible = -(v @ b_v)
        return visible - hidden

    def pseudo_likelihood(self, v, rng=None):
        """Pseudo-log-likelihood per row, as scikit-learn's ``score_samples``.

        The score is ``n_visible · log σ(F(ṽ) − F(v))`` where ``ṽ`` is ``v``
        with one visible unit flipped. Bernoulli visible units only.

        Parameters
        ----------
        v : ndarray of shape (n, n_visible)
            Binary (or probability) visible rows.
        rng : numpy.random.Generator or None, default=None
            With a generator, one random unit per row is flipped (scikit-learn's
            stochastic estimate). ``None`` returns its exact expectation: the
            mean over flipping each unit in turn (``n_visible`` passes of
            ``O(n · n_hidden)``), a deterministic score for comparing models.

        Returns
        -------
        ndarray of shape (n,)
            Scores (higher = more probable).
        """
        if self.visible_units != "bernoulli":
            raise ValueError("The pseudo-likelihood is defined for Bernoulli units.")
        n, d = v.shape
        if rng is not None:
            flipped = v.copy()
            cols = rng.integers(0, d, n)
            rows = np.arange(n)
            flipped[rows, cols] = 1 - flipped[rows, cols]
            diff = self.free_energy(flipped) - self.free_energy(v)
            return -d * _softplus(-diff)
        W, b_h, b_v = self.params["W"], self.params["b_h"], self.params["b_v"]
        pre = v @ W.T + b_h                                  # (n, n_hidden)
        softplus_data = _softplus(pre).sum(1)
        total = np.zeros(n, dtype=np.result_type(pre, np.float32))
        for j in range(d):  # flipping unit j moves v_j by +1 or -1
            step = 1 - 2 * v[:, j]
            # F(ṽ) − F(v) = −step·b_v[j] − Σ softplus(pre + step W_j) + Σ softplus(pre)
            diff = (softplus_data - step * b_v[j]
                    - _softplus(pre + step[:, None] * W[:, j]).sum(1))
            total -= _softplus(-diff)
        return total

    # ------------------------------------------------------------ learning
    def _workspace(self, n_data, n_chain):
        """Buffers (and views of them) for a CD step on ``n_data`` rows, ``n_chain`` chains.

        ``visible`` stacks the chain's visible states over the data,
        ``hidden`` the chain's hidden probabilities over the data's (scaled by
        ``-n_chain / n_data``), each with a constant column (the bias "input"),
        so that ``hiddenᵀ @ visible / n_chain`` is the whole gradient block
        ``E_model[h vᵀ] − E_data[h vᵀ]`` (biases included) in one GEMM.
        Elementwise steps run on whole contiguous row blocks, constant column
        included, and then refill that column: numpy's SIMD loops need
        contiguous operands, and a strided ``(10, 100)`` view takes 2-3× as
        long per call. The views are made once here: at scikit-learn's
        minibatch of 10 a CD step is a few microseconds per numpy call, and
        slicing costs as much as some of them.
        """
        key = (n_data, n_chain)
        ws = self._workspaces.get(key)
        if ws is not None:
            return ws
        n_hidden, n_visible = self.packed.shape[0] - 1, self.packed.shape[1] - 1
        dtype = self.packed.dtype
        m = n_chain
        visible = np.ones((m + n_data, n_visible + 1), dtype=dtype)
        hidden = np.ones((m + n_data, n_hidden + 1), dtype=dtype)
        data_scale = dtype.type(-m / n_data)
        hidden[m:, n_hidden] = data_scale
        chain = np.ones((m, n_hidden + 1), dtype=dtype)
        ws = self._workspaces[key] = {
            # [x, 1] @ to_hidden = x Wᵀ + b_h ;  [h, 1] @ to_visible = h W + b_v
            "to_hidden": self.packed[:n_hidden].T,
            "to_visible": self.packed[:, :n_visible],
            "visible": visible, "hidden_T": hidden.T, "chain": chain,
            "chain_h": chain[:, :n_hidden], "chain_ones": chain[:, n_hidden],
            "model": visible[:m], "model_v": visible[:m, :n_visible],
            "model_v_ones": visible[:m, n_visible],
            "model_hidden": hidden[:m], "model_h": hidden[:m, :n_hidden],
            "model_h_ones": hidden[:m, n_hidden],
            "data": visible[m:], "data_v": visible[m:, :n_visible],
            "data_hidden": hidden[m:], "data_h": hidden[m:, :n_hidden],
            "data_h_ones": hidden[m:, n_hidden],
            # uniform draws, one per unit and one for the constant column
            "draw_visible": np.empty((m, n_visible + 1), dtype=dtype),
            "draw_hidden": np.empty((m, n_hidden + 1), dtype=dtype),
            "data_scale": data_scale, "chain_scale": dtype.type(1.0 / m),
        }
        return ws

    def cd_gradients(self, v, k, rng, persistent_chain=None, sample_visible=True,
                     sample_weight=None):
        """Contrastive-divergence gradients (minimisation sign) into ``grads``.

        Parameters
        ----------
        v : ndarray of shape (n, n_visible)
            Data batch.
        k : int
            Gibbs steps of the negative phase.
        rng : numpy.random.Generator
            Source of the samples.
        persistent_chain : ndarray of shape (m, n_hidden) or None
            Hidden states of a persistent chain (PCD); ``None`` starts the chain
            at the data (CD-k).
        sample_visible : bool, default=True
            Draw the negative phase's visible states (exact block Gibbs
            sampling, as scikit-learn's BernoulliRBM and dnn.js), or use their
            means ``E[v | h]`` (``False``: mean-field reconstructions, as
            Hinton's practical guide §3.2 and the 2006 DBN code; less sampling
            noise, but the chain no longer samples the model exactly).
        sample_weight : ndarray of shape (n,) or None, default=None
            Weights of the rows of ``v`` (weighted CD): row ``i``'s terms count
            ``w_i / Σ w`` instead of ``1/n``, in the data term and, for CD-k
            (whose chain ``i`` starts at row ``i``), in the model term; a PCD
            chain samples the model whatever the data, so its term stays a
            plain mean. Equal non-zero weights give the plain mean bit for bit;
            weights summing to zero give a zero gradient.

        Returns
        -------
        ndarray of shape (m, n_hidden)
            The hidden samples that end the negative phase (the next chain
            state). It is a view of a buffer that the next call overwrites:
            pass it straight back, or copy it to keep it.

        Notes
        -----
        A PCD-1 step is about twenty numpy calls, four of them GEMMs, all on
        preallocated buffers: per-call overhead, not arithmetic, is what a
        small minibatch (scikit-learn's default is 10) costs. Weights cost one
        product per row block, on the hidden side of the gradient GEMM.
        """
        n = v.shape[0]
        m = n if persistent_chain is None else persistent_chain.shape[0]
        scale = self._row_scale(sample_weight, m)
        ws = self._workspace(n, m)
        to_hidden, chain, draw_hidden = ws["to_hidden"], ws["chain"], ws["draw_hidden"]
        model_hidden, data_hidden = ws["model_hidden"], ws["data_hidden"]

        # positive phase: p(h | data)
        np.copyto(ws["data_v"], v)
        np.matmul(ws["data"], to_hidden, out=ws["data_h"])
        _sigmoid(data_hidden, out=data_hidden)
        if persistent_chain is None:  # CD: the chain starts at the data (m = n)
            rng.random(dtype=draw_hidden.dtype, out=draw_hidden)
            np.less(draw_hidden, data_hidden, out=chain)
            ws["chain_ones"].fill(1.0)
        elif persistent_chain is not ws["chain_h"]:  # not our own buffer: copy in
            np.copyto(ws["chain_h"], persistent_chain)
        if scale is None:
            data_hidden *= ws["data_scale"]  # the data's hidden side carries -m/n
            ws["data_h_ones"].fill(ws["data_scale"])
        else:  # row i carries -m·w_i/Σw instead (its bias column too)
            negative = np.negative(scale)
            np.multiply(data_hidden, negative, out=data_hidden)
            np.copyto(ws["data_h_ones"], negative[:, 0])

        # negative phase: k Gibbs steps h → v → h from the chain
        model, model_v = ws["model"], ws["model_v"]
        bernoulli = self.visible_units == "bernoulli"
        for _ in range(k):
            np.matmul(chain, ws["to_visible"], out=model_v)
            if bernoulli:  # whole rows at once (see _workspace)
                _sigmoid(model, out=model)
                if sample_visible:
                    draw = ws["draw_visible"]
                    rng.random(dtype=draw.dtype, out=draw)
                    np.less(draw, model, out=model)
                ws["model_v_ones"].fill(1.0)
            elif sample_visible:
                self._sample_visible_from_activation(model_v, rng)
            else:
                self._visible_mean_from_activation(model_v)
            np.matmul(model, to_hidden, out=ws["model_h"])
            _sigmoid(model_hidden, out=model_hidden)
            ws["model_h_ones"].fill(1.0)
            rng.random(dtype=draw_hidden.dtype, out=draw_hidden)
            np.less(draw_hidden, model_hidden, out=chain)
            ws["chain_ones"].fill(1.0)

        if scale is not None and persistent_chain is None:
            # CD: chain i started at row i, so its term carries row i's weight
            np.multiply(model_hidden, scale, out=model_hidden)

        # E_model[h vᵀ] − E_data[h vᵀ] with the biases' rows/columns, one GEMM
        grad = self.packed_grad
        np.matmul(ws["hidden_T"], ws["visible"], out=grad)
        grad *= ws["chain_scale"]
        grad[-1, -1] = 0.0  # the unused corner: keep optimizers off it
        return ws["chain_h"]

    def _row_scale(self, sample_weight, m):
        """``None`` (the plain mean), or the column ``m·w/Σw`` in the model's dtype.

        The gradient GEMM divides by the ``m`` chains, so row ``i`` ends up
        counting ``w_i/Σw``. Equal non-zero weights are the plain mean and give
        ``None``, so that the result is the unweighted one bit for bit (as the
        losses do).
        """
        if sample_weight is None:
            return None
        w = np.asarray(sample_weight, dtype=np.float64)
        if w.size and w[0] != 0 and w.min() == w.max():
            return None
        total = w.sum()
        scale = np.zeros_like(w) if total == 0 else w * (m / total)
        return scale.astype(self.packed.dtype)[:, None]  # (n,) -> (n, 1)

    def reconstruct(self, v):
        """``v → p(h|v) → E[v|h]`` with mean-field hidden units (dnn.js)."""
        return self.visible_mean(self.hidden_mean(v))

    def __repr__(self):
        n_hidden, n_visible = self.params["W"].shape
        return f"RBM({n_visible}, {n_hidden}, visible_units={self.visible_units!r})"
