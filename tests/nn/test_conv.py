"""Conv2D and the pooling layers against naive loop references (tests only)."""

import numpy as np
import pytest

import skdeep.nn.conv as conv_module
import skdeep.nn.functional as functional
from skdeep.nn import Activation, AvgPool2D, Conv2D, MaxPool2D
from skdeep.nn.functional import matmul_long_inner


def naive_conv(x, W, b, stride, pad):
    (sy, sx), (py, px) = stride, pad
    N, C, H, W_ = x.shape
    F, _, ky, kx = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (py, py), (px, px)))
    Ho = (H + 2 * py - ky) // sy + 1
    Wo = (W_ + 2 * px - kx) // sx + 1
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            for i in range(Ho):
                for j in range(Wo):
                    patch = xp[n, :, i * sy:i * sy + ky, j * sx:j * sx + kx]
                    out[n, f, i, j] = np.sum(patch * W[f]) + b[f]
    return out


def naive_pool(x, size, stride, pad, reduce):
    (ky, kx), (sy, sx), (py, px) = size, stride, pad
    fill = -np.inf if reduce is np.max else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (py, py), (px, px)), constant_values=fill)
    N, C, H, W = x.shape
    Ho = (H + 2 * py - ky) // sy + 1
    Wo = (W + 2 * px - kx) // sx + 1
    out = np.zeros((N, C, Ho, Wo))
    for i in range(Ho):
        for j in range(Wo):
            out[:, :, i, j] = reduce(
                xp[:, :, i * sy:i * sy + ky, j * sx:j * sx + kx], axis=(2, 3))
    return out


def _random_geometry(seed):
    rng = np.random.default_rng(seed)
    ky, kx = rng.integers(1, 4, size=2)
    sy, sx = rng.integers(1, 3, size=2)
    py, px = rng.integers(0, 2, size=2)
    H, W = rng.integers(max(ky, 3), 9), rng.integers(max(kx, 3), 9)
    return rng, (int(ky), int(kx)), (int(sy), int(sx)), (int(py), int(px)), H, W


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("channels", [3, 8])  # 8: C·kx >= 16, the row-by-row GEMMs
@pytest.mark.parametrize("stack_limit", [0, 128])  # one GEMM per row / rows stacked
def test_conv2d_equals_naive_loops(seed, channels, stack_limit, monkeypatch):
    monkeypatch.setattr(conv_module, "ROW_STACK_LIMIT", stack_limit)
    rng, k, s, p, H, W = _random_geometry(seed)
    conv = Conv2D(channels, 4, k, stride=s, padding=p, rng=rng, dtype=np.float64)
    conv.params["b"][:] = rng.normal(size=4)
    x = rng.normal(size=(2, channels, H, W))
    got = conv.forward(x, training=False)
    np.testing.assert_allclose(got, naive_conv(x, conv.params["W"], conv.params["b"],
                                               s, p), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("layer,reduce", [(MaxPool2D, np.max), (AvgPool2D, np.mean)])
def test_pooling_equals_naive_loops(seed, layer, reduce):
    rng, k, s, p, H, W = _random_geometry(seed)
    p = (min(p[0], k[0] // 2), min(p[1], k[1] // 2))  # a window never all padding
    x = rng.normal(size=(2, 3, H, W))
    got = layer(k, stride=s, padding=p).forward(x, training=False)
    np.testing.assert_allclose(got, naive_pool(x, k, s, p, reduce), rtol=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_stacked_row_gemms_equal_one_gemm_per_row(seed, monkeypatch):
    # the gradient table checks the stacked path (small layers); a layer with
    # ky·F or ky·C above the limit runs one GEMM per kernel row: both give the
    # same outputs and gradients
    rng, k, s, p, H, W = _random_geometry(seed)
    # the row path: stride 1 along y, C·kx >= 16; two kernel rows or more to stack
    k, s = (max(k[0], 2), max(k[1], 2)), (1, s[1])
    H, W = max(H, k[0]), max(W, k[1])
    x = rng.normal(size=(3, 8, H, W))
    results = []
    for limit in (0, 128):
        monkeypatch.setattr(conv_module, "ROW_STACK_LIMIT", limit)
        conv = Conv2D(8, 5, k, stride=s, padding=p, rng=np.random.default_rng(seed),
                      dtype=np.float64)
        assert conv._by_rows(8)
        out = conv.forward(x, training=True)
        dx = conv.backward(np.cos(np.arange(out.size)).reshape(out.shape))
        results.append((out, dx, conv.grads["W"].copy(), conv.grads["b"].copy()))
    for stacked, per_row in zip(*results):
        np.testing.assert_allclose(stacked, per_row, rtol=1e-12, atol=1e-12)


def naive_maxpool_backward(x, g, size, stride, pad):
    """Each window's gradient to its first maximal cell in raster order."""
    (ky, kx), (sy, sx), (py, px) = size, stride, pad
    xp = np.pad(x, ((0, 0), (0, 0), (py, py), (px, px)), constant_values=-np.inf)
    dx = np.zeros_like(xp)
    for n, c, i, j in np.ndindex(*g.shape):
        window = xp[n, c, i * sy:i * sy + ky, j * sx:j * sx + kx]
        a, b = np.unravel_index(np.argmax(window), window.shape)  # the first max
        dx[n, c, i * sy + a, j * sx + b] += g[n, c, i, j]
    return dx[:, :, py:py + x.shape[2], px:px + x.shape[3]]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("samples_last", [False, True])
def test_maxpool_backward_equals_naive_loops_with_ties(seed, samples_last):
    # values drawn from a few levels: most windows hold ties; overlapping windows
    # (stride < size) add several windows' gradients into one cell
    rng, k, s, p, H, W = _random_geometry(seed)
    p = (min(p[0], k[0] // 2), min(p[1], k[1] // 2))
    x = rng.choice([-1.0, 0.0, 0.5, 2.0], size=(2, 3, H, W))
    if samples_last:  # a convolution's output: (C, H, W, N) memory
        x = np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    pool = MaxPool2D(k, stride=s, padding=p)
    out = pool.forward(x, training=True)
    g = rng.normal(size=out.shape)  # samples first, as a Flatten above hands it
    np.testing.assert_allclose(pool.backward(g), naive_maxpool_backward(
        x, g, k, s, p), rtol=1e-12, atol=1e-15)


def test_maxpool_ties_send_the_gradient_once():
    pool = MaxPool2D(2)
    pool.forward(np.zeros((1, 1, 4, 4)), training=True)
    dx = pool.backward(np.ones((1, 1, 2, 2)))
    assert dx.sum() == 4 and dx.max() == 1


def test_float32_stays_float32():
    rng = np.random.default_rng(0)
    conv = Conv2D(1, 2, 3, padding=1, rng=rng)
    x = rng.random((2, 1, 5, 5), dtype=np.float32)
    y = conv.forward(x, training=True)
    assert y.dtype == np.float32
    assert conv.backward(np.ones_like(y)).dtype == np.float32
    assert MaxPool2D(2).forward(y, training=False).dtype == np.float32


@pytest.mark.parametrize("channels", [1, 8])  # the full-im2col and row paths
def test_reused_work_arrays_never_leak_between_passes(channels):
    # Training passes reuse the previous batch's padded input and columns; an
    # inference pass in between, or a batch of another size, must not disturb
    # the backward of the last training pass.
    rng = np.random.default_rng(0)
    x1, x2 = rng.normal(size=(2, 4, channels, 7, 6))
    g = rng.normal(size=(4, 5, 7, 6))
    fresh = Conv2D(channels, 5, 3, padding=1, rng=np.random.default_rng(1),
                   dtype=np.float64)
    fresh.forward(x2, training=True)
    expected_dx = fresh.backward(g)
    expected_dW = fresh.grads["W"].copy()
    conv = Conv2D(channels, 5, 3, padding=1, rng=np.random.default_rng(1),
                  dtype=np.float64)
    conv.forward(x1, training=True)
    conv.backward(g)
    conv.forward(rng.normal(size=(3, channels, 7, 6)), training=True)  # other size
    out = conv.forward(x2, training=True)
    conv.forward(x1, training=False)  # inference leaves the cache alone
    np.testing.assert_allclose(conv.backward(g), expected_dx, rtol=1e-12)
    np.testing.assert_allclose(conv.grads["W"], expected_dW, rtol=1e-12)
    np.testing.assert_allclose(out, fresh.forward(x2, training=False), rtol=1e-12)


@pytest.mark.parametrize("pool,kwargs", [
    (2, {}), (3, {}), (3, {"stride": 2}), (2, {"padding": 1}), ((1, 3), {"stride": (1, 2)}),
])
def test_relu_input_pool_equals_relu_then_pool(pool, kwargs):
    # many ties: zeros and repeated positive values, as ReLU maps of flat regions
    rng = np.random.default_rng(0)
    x = rng.choice([-1.0, 0.0, 0.5, 0.5, 2.0], size=(3, 4, 7, 6)) + np.where(
        rng.random((3, 4, 7, 6)) < 0.3, rng.normal(size=(3, 4, 7, 6)), 0)
    relu = Activation("relu")
    plain = MaxPool2D(pool, **kwargs)
    fused = MaxPool2D(pool, **kwargs, relu_input=True)
    expected = plain.forward(relu.forward(x, training=True), training=True)
    np.testing.assert_array_equal(fused.forward(x, training=True), expected)
    g = rng.normal(size=expected.shape)
    np.testing.assert_array_equal(fused.backward(g), relu.backward(plain.backward(g)))


@pytest.mark.parametrize("m,k,n,views", [
    (25, 25088, 8, "b"),      # a convnet's weight gradient: chunks, no remainder
    (40, 4096 + 100, 16, ""),  # chunks and a remainder
    (3, 5000, 2, "ab"),        # transposed views on both sides
    (64, 5000, 64, ""),        # a result too large to split: one product
    (25, 1000, 8, ""),         # an inner dimension too short to split
])
def test_matmul_long_inner_equals_matmul(m, k, n, views):
    rng = np.random.default_rng(k)
    a = rng.normal(size=(k, m)).T if "a" in views else rng.normal(size=(m, k))
    b = rng.normal(size=(n, k)).T if "b" in views else rng.normal(size=(k, n))
    np.testing.assert_allclose(matmul_long_inner(a, b), a @ b, rtol=1e-10, atol=1e-9)
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    got = matmul_long_inner(a32, b32)
    assert got.dtype == np.float32 and got.shape == (m, n)
    np.testing.assert_allclose(got, a @ b, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize("channels,filters,size", [(1, 8, 28), (8, 16, 14)])
def test_conv_weight_gradient_of_a_long_batch(channels, filters, size):
    # the convnetjs net's two layers: K = Ho·Wo·N long enough for the chunked
    # product, in the full-im2col (1 channel) and the row-by-row path
    N, k, pad = 32, 5, 2
    cols = channels * k * (k if channels == 1 else 1)  # rows of one product
    assert N * size * size >= functional.LONG_INNER_MIN_K
    assert cols * filters <= functional.LONG_INNER_MAX_RESULT
    rng = np.random.default_rng(channels)
    conv = Conv2D(channels, filters, k, padding=pad, rng=rng, dtype=np.float64)
    assert conv._by_rows(channels) == (channels > 1)
    conv.input_grad = False
    x = rng.normal(size=(N, channels, size, size))
    out = conv.forward(x, training=True)
    g = rng.normal(size=out.shape)
    conv.backward(g)
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = np.lib.stride_tricks.sliding_window_view(xp, (k, k), axis=(2, 3))
    np.testing.assert_allclose(conv.grads["W"],
                               np.einsum("nfyx,ncyxij->fcij", g, windows), rtol=1e-10)
    np.testing.assert_allclose(conv.grads["b"], g.sum(axis=(0, 2, 3)), rtol=1e-10)
