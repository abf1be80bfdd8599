"""RBM engine against exact enumeration on a 3×3 model; continuous units."""

import itertools

import numpy as np
import pytest
from scipy.special import expit as sigmoid

from skdeep.nn.rbm import (
    RBM,
    truncated_exponential_mean,
    truncated_exponential_sample,
)

trapezoid = getattr(np, "trapezoid", None) or np.trapz  # numpy < 2 spelling
STATES = np.array(list(itertools.product([0.0, 1.0], repeat=3)))  # all 8 states


def _tiny_rbm(scale=1.0, seed=0):
    rng = np.random.default_rng(seed)
    rbm = RBM(3, 3, dtype=np.float64)
    rbm.params["W"][:] = rng.normal(size=(3, 3)) * scale
    rbm.params["b_h"][:] = rng.normal(size=3)
    rbm.params["b_v"][:] = rng.normal(size=3)
    return rbm


def _energy(rbm, v, h):
    W, b_h, b_v = rbm.params["W"], rbm.params["b_h"], rbm.params["b_v"]
    return -(v @ b_v) - (h @ b_h) - h @ W @ v


def test_free_energy_is_the_log_marginal_over_hidden_states():
    rbm = _tiny_rbm()
    exact = np.array([-np.log(sum(np.exp(-_energy(rbm, v, h)) for h in STATES))
                      for v in STATES])
    np.testing.assert_allclose(rbm.free_energy(STATES), exact, rtol=1e-12)


def _exact_gradient(rbm, data):
    F = rbm.free_energy(STATES)
    p = np.exp(-F - np.logaddexp.reduce(-F))  # p(v) by enumeration
    model = (rbm.hidden_mean(STATES) * p[:, None]).T @ STATES
    positive = rbm.hidden_mean(data).T @ data / len(data)
    return -(positive - model)  # minimisation sign, like cd_gradients


def test_cd_k_approaches_the_exact_gradient_as_k_grows():
    rbm = _tiny_rbm(scale=3.0)  # strong weights: slow mixing, CD-1 is biased
    data = np.repeat(STATES[[1, 6]], 20000, axis=0)
    exact = _exact_gradient(rbm, STATES[[1, 6]])
    rng = np.random.default_rng(0)
    rbm.cd_gradients(data, 1, rng)
    err_cd1 = np.abs(rbm.grads["W"] - exact).max()
    rbm.cd_gradients(data, 100, rng)
    err_cd100 = np.abs(rbm.grads["W"] - exact).max()
    assert err_cd100 < 0.02 < err_cd1


def test_persistent_chain_is_used_and_returned():
    rbm = _tiny_rbm()
    rng = np.random.default_rng(0)
    chain = np.ones((5, 3))
    new = rbm.cd_gradients(STATES, 1, rng, persistent_chain=chain)
    assert new.shape == (5, 3) and set(np.unique(new)) <= {0.0, 1.0}


def test_pseudo_likelihood_matches_its_definition():
    rbm = _tiny_rbm()
    v = STATES[[2, 5]]
    # with 3 units, flipping unit j; average over all j equals the expectation
    rng = np.random.default_rng(0)
    scores = np.mean([rbm.pseudo_likelihood(v, rng) for _ in range(4000)], axis=0)
    exact = []
    for row in v:
        terms = []
        for j in range(3):
            flipped = row.copy()
            flipped[j] = 1 - flipped[j]
            diff = rbm.free_energy(flipped[None])[0] - rbm.free_energy(row[None])[0]
            terms.append(3 * -np.logaddexp(0, -diff))
        exact.append(np.mean(terms))
    np.testing.assert_allclose(scores, exact, rtol=0.02)
    # without a generator: the expectation itself, exactly
    np.testing.assert_allclose(rbm.pseudo_likelihood(v), exact, rtol=1e-12)


@pytest.mark.parametrize("a", [-80.0, -5.0, -1e-6, 0.0, 1e-6, 0.7, 5.0, 80.0])
def test_truncated_exponential_mean_matches_integration(a):
    v = np.linspace(0, 1, 200001)
    w = np.exp(a * v - max(a, 0))
    numeric = trapezoid(v * w, v) / trapezoid(w, v)
    assert truncated_exponential_mean(np.array([a]))[0] == pytest.approx(numeric,
                                                                          abs=1e-6)


@pytest.mark.parametrize("a", [-30.0, -2.0, 0.0, 1e-5, 3.0, 300.0])
def test_truncated_exponential_samples_have_the_right_mean(a):
    rng = np.random.default_rng(0)
    u = rng.random(200000)
    samples = truncated_exponential_sample(np.full(u.shape, a), u)
    assert np.all((samples >= 0) & (samples <= 1)) and np.isfinite(samples).all()
    expected = truncated_exponential_mean(np.array([a]))[0]
    assert samples.mean() == pytest.approx(expected, abs=3e-3)


@pytest.mark.parametrize("units", ["bernoulli", "gaussian", "continuous"])
def test_every_unit_type_samples_and_reconstructs(units):
    rng = np.random.default_rng(0)
    rbm = RBM(4, 3, visible_units=units, rng=rng)
    h = (rng.random((6, 3)) < 0.5).astype(np.float32)
    assert rbm.sample_visible(h, rng).shape == (6, 4)
    assert rbm.reconstruct(rng.random((6, 4), dtype=np.float32)).dtype == np.float32
    assert np.isfinite(rbm.free_energy(rng.random((6, 4), dtype=np.float32))).all()


def test_parameters_are_views_of_one_packed_block():
    rbm = _tiny_rbm()
    for name, grad in rbm.grads.items():
        assert np.shares_memory(rbm.params[name], rbm.packed)
        assert np.shares_memory(grad, rbm.packed_grad)
    import copy

    twin = copy.deepcopy(rbm)  # the copy's views point into the copy's block
    twin.packed[...] = 0.0
    assert not twin.params["W"].any() and rbm.params["W"].any()
    clone = RBM.from_params(rbm.params["W"], rbm.params["b_h"], rbm.params["b_v"])
    assert clone.packed.dtype == np.float64
    np.testing.assert_array_equal(clone.packed[:-1, :-1], rbm.params["W"])
    clone.params["b_v"][:] = 7.0
    assert not np.any(rbm.params["b_v"] == 7.0)


@pytest.mark.parametrize("n_data", [5, 3])  # equal to the chain, and a short batch
def test_mean_field_cd_gradient_equals_its_formula(n_data):
    # With persistent chains and mean-field visible states the gradient is a
    # deterministic function of the data and the chain: check the packed GEMM.
    rbm = _tiny_rbm()
    rng = np.random.default_rng(1)
    data = STATES[rng.integers(0, 8, n_data)]
    chain = (rng.random((5, 3)) < 0.5).astype(float)
    rbm.cd_gradients(data, 1, rng, persistent_chain=chain, sample_visible=False)
    W, b_h, b_v = rbm.params["W"], rbm.params["b_h"], rbm.params["b_v"]
    model_v = sigmoid(chain @ W + b_v)
    model_h = sigmoid(model_v @ W.T + b_h)
    data_h = sigmoid(data @ W.T + b_h)
    np.testing.assert_allclose(rbm.grads["W"],
                               model_h.T @ model_v / 5 - data_h.T @ data / n_data)
    np.testing.assert_allclose(rbm.grads["b_h"], model_h.mean(0) - data_h.mean(0))
    np.testing.assert_allclose(rbm.grads["b_v"], model_v.mean(0) - data.mean(0))
    assert rbm.packed_grad[-1, -1] == 0.0


def test_sampled_cd_gradient_equals_its_formula_for_the_same_draws():
    rbm = _tiny_rbm()
    data = STATES[[1, 2, 6, 7]]
    chain = np.array([[1.0, 0, 1], [0, 1, 0]])
    new = rbm.cd_gradients(data, 1, np.random.default_rng(3), persistent_chain=chain)
    # replay the draws: the visible units, then the hidden units of the chain
    # (the engine draws one extra uniform per row for its constant column)
    rng = np.random.default_rng(3)
    W, b_h, b_v = rbm.params["W"], rbm.params["b_h"], rbm.params["b_v"]
    model_v = (rng.random((2, 4))[:, :3] < sigmoid(chain @ W + b_v)).astype(float)
    model_h = sigmoid(model_v @ W.T + b_h)
    np.testing.assert_array_equal(new, rng.random((2, 4))[:, :3] < model_h)
    data_h = sigmoid(data @ W.T + b_h)
    np.testing.assert_allclose(rbm.grads["W"],
                               model_h.T @ model_v / 2 - data_h.T @ data / 4)
    np.testing.assert_allclose(rbm.grads["b_v"], model_v.mean(0) - data.mean(0))
