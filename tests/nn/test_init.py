"""Initialisers draw float32 weights without a float64 copy, bit for bit as before."""

import tracemalloc

import numpy as np
import pytest

from skdeep.nn import Conv2D, Dense, Embedding
from skdeep.nn.rbm import RBM
from skdeep.nn.init import glorot_uniform, he_normal, random_array


@pytest.mark.parametrize("shape", [(5,), (300, 700), (70001, 3)])
def test_random_array_equals_the_whole_float64_draw(shape):
    uniform = random_array(np.random.default_rng(0), "uniform", shape, low=-0.3,
                           high=0.2)
    expected = np.random.default_rng(0).uniform(-0.3, 0.2, shape).astype(np.float32)
    np.testing.assert_array_equal(uniform, expected)
    normal = random_array(np.random.default_rng(1), "normal", shape, np.float64,
                          scale=0.01)
    np.testing.assert_array_equal(
        normal, np.random.default_rng(1).standard_normal(shape) * 0.01)
    assert uniform.dtype == np.float32 and normal.dtype == np.float64


def test_glorot_and_he_keep_their_draws():
    bound = np.sqrt(6.0 / (40 + 30))
    np.testing.assert_array_equal(
        glorot_uniform((40, 30), rng=np.random.default_rng(2)),
        np.random.default_rng(2).uniform(-bound, bound, (40, 30)).astype(np.float32))
    np.testing.assert_array_equal(
        he_normal((40, 30), rng=np.random.default_rng(3)),
        (np.random.default_rng(3).standard_normal((40, 30))
         * np.sqrt(2.0 / 40)).astype(np.float32))


@pytest.mark.parametrize("build", [
    lambda rng: Dense(1500, 1000, rng=rng),
    lambda rng: Conv2D(300, 100, 7, rng=rng),
    lambda rng: Embedding(30000, 50, rng=rng),
    lambda rng: RBM(1500, 1000, rng=rng),
], ids=["dense", "conv", "embedding", "rbm"])
def test_float32_layers_allocate_no_float64_weights(build):
    # A float64 draw of the weights would take twice their float32 size on top
    tracemalloc.start()
    try:
        layer = build(np.random.default_rng(0))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    weights = sum(p.nbytes for p in vars(layer).get("params", {}).values()) or (
        1500 * 1000 * 4)
    assert peak < 2.2 * weights + (4 << 20)
