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

from .functional import sigmoid as _sigmoid

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
        W = (np.zeros((n_hidden, n_visible)) if rng is None
             else rng.normal(0.0, 0.01, size=(n_hidden, n_visible)))
        self.params = {
            "W": W.astype(dtype),
            "b_h": np.zeros(n_hidden, dtype=dtype),
            "b_v": np.zeros(n_visible, dtype=dtype),
        }
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

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
        if self.visible_units == "bernoulli":
            return _sigmoid(a, out=a)
        if self.visible_units == "gaussian":
            return a
        return truncated_exponential_mean(a)

    def sample_visible(self, h, rng):
        """A draw of ``v | h`` for the visible unit type."""
        a = self.visible_activation(h)
        if self.visible_units == "bernoulli":
            return self.sample_hidden(_sigmoid(a, out=a), rng)
        if self.visible_units == "gaussian":
            return a + rng.standard_normal(a.shape, dtype=a.dtype)
        return truncated_exponential_sample(a, rng.random(a.shape, dtype=a.dtype))

    # ------------------------------------------------------------ energies
    def free_energy(self, v):
        """Free energy ``F(v)`` per row (lower = more probable)."""
        hidden = np.logaddexp(0, v @ self.params["W"].T + self.params["b_h"]).sum(1)
        b_v = self.params["b_v"]
        if self.visible_units == "gaussian":
            visible = 0.5 * ((v - b_v) ** 2).sum(1) - 0.5 * float(b_v @ b_v)
        else:
            visible = -(v @ b_v)
        return visible - hidden

    def pseudo_likelihood(self, v, rng):
        """Stochastic pseudo-log-likelihood, as scikit-learn's ``score_samples``.

        One random visible unit per row is flipped; the score is
        ``n_visible · log σ(F(ṽ) − F(v))``. Bernoulli visible units only.
        """
        if self.visible_units != "bernoulli":
            raise ValueError("The pseudo-likelihood is defined for Bernoulli units.")
        n, d = v.shape
        flipped = v.copy()
        cols = rng.integers(0, d, n)
        rows = np.arange(n)
        flipped[rows, cols] = 1 - flipped[rows, cols]
        diff = self.free_energy(flipped) - self.free_energy(v)
        return -d * np.logaddexp(0, -diff)

    # ------------------------------------------------------------ learning
    def cd_gradients(self, v, k, rng, persistent_chain=None):
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

        Returns
        -------
        ndarray
            The hidden samples that end the negative phase (the next chain state).
        """
        p_h_data = self.hidden_mean(v)
        h = (self.sample_hidden(p_h_data, rng) if persistent_chain is None
             else persistent_chain)
        for _ in range(k):
            v_model = self.sample_visible(h, rng)
            p_h_model = self.hidden_mean(v_model)
            h = self.sample_hidden(p_h_model, rng)
        g = self.grads
        scale_data = g["W"].dtype.type(1.0 / v.shape[0])
        scale_model = g["W"].dtype.type(1.0 / v_model.shape[0])
        # −(E_data[h vᵀ] − E_model[h vᵀ]), each expectation a batch mean
        np.matmul(p_h_model.T, v_model, out=g["W"])
        g["W"] *= scale_model
        g["W"] -= (p_h_data.T @ v) * scale_data
        # np.add.reduce: the ufunc itself, without ndarray.sum's Python wrapper
        total = np.add.reduce
        np.subtract(total(p_h_model, 0) * scale_model,
                    total(p_h_data, 0) * scale_data, out=g["b_h"])
        np.subtract(total(v_model, 0) * scale_model, total(v, 0) * scale_data,
                    out=g["b_v"])
        return h

    def reconstruct(self, v):
        """``v → p(h|v) → E[v|h]`` with mean-field hidden units (dnn.js)."""
        return self.visible_mean(self.hidden_mean(v))

    def __repr__(self):
        n_hidden, n_visible = self.params["W"].shape
        return f"RBM({n_visible}, {n_hidden}, visible_units={self.visible_units!r})"
