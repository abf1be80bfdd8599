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
