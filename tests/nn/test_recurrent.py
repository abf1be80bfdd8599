"""Recurrent layers: equal to a manual loop over the cell; initial-state gradients."""

import numpy as np
import pytest

from skdeep.nn import CELLS, Recurrent
from skdeep.nn.gradcheck import numerical_gradient


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_recurrent_equals_a_manual_loop_over_its_cell(cell):
    rng = np.random.default_rng(0)
    layer = Recurrent(cell, 3, 4, rng=rng, dtype=np.float64)
    x = rng.normal(size=(2, 6, 3))
    out = layer.forward(x, training=False)
    W_x, W_h, b = (layer.params[k] for k in ("W_x", "W_h", "b"))
    state = layer.zero_state(2, np.float64)
    for t in range(6):
        h, state, _ = layer.cell.forward(x[:, t] @ W_x + b, state, W_h)
        np.testing.assert_allclose(out[:, t], h, rtol=1e-12)
    for a, b_ in zip(layer.final_state, state):
        np.testing.assert_allclose(a, b_, rtol=1e-12)


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_gradient_with_respect_to_the_initial_state(cell):
    rng = np.random.default_rng(1)
    layer = Recurrent(cell, 3, 4, rng=rng, dtype=np.float64)
    x = rng.normal(size=(2, 5, 3))
    init = tuple(rng.normal(size=(2, 4)) for _ in range(layer.cell.state_size))
    G = rng.normal(size=(2, 5, 4))

    def loss():
        layer.initial_state = init
        return float(np.sum(layer.forward(x, training=True) * G))

    loss()
    layer.backward(G.copy())
    analytic = [g.copy() for g in layer.grad_initial_state]
    for k, s in enumerate(init):
        num = numerical_gradient(loss, s)
        np.testing.assert_allclose(analytic[k], num, rtol=1e-5, atol=1e-8)


def test_state_carries_across_windows():
    rng = np.random.default_rng(2)
    layer = Recurrent("lstm", 3, 4, rng=rng, dtype=np.float64)
    x = rng.normal(size=(2, 8, 3))
    whole = layer.forward(x, training=False)
    layer.initial_state = None
    first = layer.forward(x[:, :5], training=False)
    layer.initial_state = layer.final_state
    second = layer.forward(x[:, 5:], training=False)
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole,
                               rtol=1e-12)


@pytest.mark.parametrize("n_rows", [7, 3000])  # one-hot GEMM and sort paths
def test_scatter_add_rows_equals_add_at(n_rows):
    from skdeep.nn.functional import scatter_add_rows

    rng = np.random.default_rng(0)
    ids = rng.integers(0, n_rows, size=500)
    values = rng.normal(size=(500, 4))
    expected = np.zeros((n_rows, 4))
    np.add.at(expected, ids, values)
    out = np.full((n_rows, 4), 9.0)  # overwritten, not accumulated
    np.testing.assert_allclose(scatter_add_rows(out, ids, values), expected,
                               atol=1e-12)
    # accumulate=True adds the sums to what is there (a tied table's other share)
    out = np.full((n_rows, 4), 9.0)
    np.testing.assert_allclose(scatter_add_rows(out, ids, values, accumulate=True),
                               expected + 9.0, atol=1e-12)


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_padding_changes_nothing(cell):
    # a 3-step sequence alone, and padded to 6 steps in a batch with a longer one
    rng = np.random.default_rng(3)
    layer = Recurrent(cell, 3, 4, rng=rng, dtype=np.float64)
    short, long_ = rng.normal(size=(1, 3, 3)), rng.normal(size=(1, 6, 3))
    alone, alone_state = layer.unroll(short)
    padded = np.concatenate([np.pad(short, ((0, 0), (0, 3), (0, 0)),
                                    constant_values=7.0), long_])
    mask = np.array([[1, 1, 1, 0, 0, 0], [1] * 6], bool)
    out, state = layer.unroll(padded, mask=mask)
    np.testing.assert_allclose(out[0, :3], alone[0], rtol=1e-12)
    assert not out[0, 3:].any()
    for s, s_alone in zip(state, alone_state):
        np.testing.assert_allclose(s[0], s_alone[0], rtol=1e-12)
    np.testing.assert_allclose(out[1], layer.unroll(long_)[0][0], rtol=1e-12)


def test_gru_reset_before_follows_the_seeds_equations():
    # "deep learning from zero" part 6: z = σ(W_z·[h, x]), r = σ(W_r·[h, x]),
    # h̃ = tanh(W·[r ⊙ h, x]), h_t = (1 − z) ⊙ h_{t-1} + z ⊙ h̃
    rng = np.random.default_rng(4)
    layer = Recurrent("gru_reset_before", 3, 4, rng=rng, dtype=np.float64)
    layer.params["b"][:] = rng.normal(size=12)
    W_x, W_h, b = (layer.params[k] for k in ("W_x", "W_h", "b"))
    x = rng.normal(size=(2, 5, 3))

    def sigma(v):
        return 1 / (1 + np.exp(-v))

    h = np.zeros((2, 4))
    for t in range(5):
        r = sigma(x[:, t] @ W_x[:, :4] + h @ W_h[:, :4] + b[:4])
        z = sigma(x[:, t] @ W_x[:, 4:8] + h @ W_h[:, 4:8] + b[4:8])
        candidate = np.tanh(x[:, t] @ W_x[:, 8:] + (r * h) @ W_h[:, 8:] + b[8:])
        h = (1 - z) * h + z * candidate
    np.testing.assert_allclose(layer.unroll(x)[0][:, -1], h, rtol=1e-12)


def test_gaussian_activation_is_exp_of_minus_z_squared():
    from skdeep.nn import Activation

    z = np.linspace(-2, 2, 9)
    np.testing.assert_allclose(Activation("gaussian").forward(z, training=False),
                               np.exp(-z ** 2))
