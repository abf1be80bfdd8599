"""Optimizers: the same updates as scikit-learn's MLP, state kept between calls."""

import copy

import numpy as np
import pytest

from skdeep.nn.optimizers import SGD, Adadelta, Adagrad, Adam, clip_grad_norm

# scikit-learn's own MLP optimizers, used here only as a test oracle.
sk_opt = pytest.importorskip("sklearn.neural_network._stochastic_optimizers")


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    params = [rng.normal(size=(4, 3)), rng.normal(size=3)]
    grads_seq = [[rng.normal(size=(4, 3)), rng.normal(size=3)] for _ in range(6)]
    return params, grads_seq


@pytest.mark.parametrize("momentum,nesterov", [(0.0, False), (0.9, False),
                                               (0.9, True)])
def test_sgd_matches_sklearn(momentum, nesterov):
    params, grads_seq = _problem()
    ours = [p.copy() for p in params]
    theirs = [p.copy() for p in params]
    opt = SGD(0.1, momentum, nesterov)
    ref = sk_opt.SGDOptimizer(theirs, 0.1, momentum=momentum, nesterov=nesterov)
    for grads in grads_seq:
        opt.step(ours, grads)
        ref.update_params(theirs, grads)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_adam_matches_sklearn():
    params, grads_seq = _problem()
    ours = [p.copy() for p in params]
    theirs = [p.copy() for p in params]
    opt = Adam(0.01)
    ref = sk_opt.AdamOptimizer(theirs, 0.01)
    for grads in grads_seq:
        opt.step(ours, grads)
        ref.update_params(theirs, grads)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)


@pytest.mark.parametrize("make,steps", [
    (lambda: SGD(0.05), 2000), (lambda: Adam(0.05), 2000), (lambda: Adagrad(0.5), 2000),
    # Adadelta's steps start at sqrt(eps) and grow: it needs more of them.
    (lambda: Adadelta(epsilon=1e-6), 20000),
])
def test_minimises_a_quadratic(make, steps):
    opt = make()
    x = [np.array([3.0, -2.0])]
    for _ in range(steps):
        opt.step(x, [2 * x[0]])
    assert np.abs(x[0]).max() < 0.05


@pytest.mark.parametrize("make", [lambda: SGD(0.05), lambda: Adam(0.05),
                                  lambda: Adagrad(0.5), lambda: Adadelta()])
def test_state_resumes_exactly(make):
    params, grads_seq = _problem(1)
    straight, opt = [p.copy() for p in params], make()
    for grads in grads_seq:
        opt.step(straight, grads)
    split, first = [p.copy() for p in params], make()
    for grads in grads_seq[:3]:
        first.step(split, grads)
    second = copy.deepcopy(first)  # what a pickled estimator carries
    for grads in grads_seq[3:]:
        second.step(split, grads)
    for a, b in zip(straight, split):
        np.testing.assert_array_equal(a, b)


def test_schedules_follow_sklearn():
    opt = SGD(0.1, learning_rate="invscaling", power_t=0.5)
    opt.iteration_ends(99)
    assert opt.learning_rate_ == pytest.approx(0.1 / 100**0.5)
    adaptive = SGD(0.1, learning_rate="adaptive")
    assert adaptive.trigger_stopping("no improvement", verbose=False) is False
    assert adaptive.learning_rate_ == pytest.approx(0.02)
    assert SGD(0.1).trigger_stopping("no improvement", verbose=False) is True


def test_clip_grad_norm():
    grads = [np.array([3.0, 0.0]), np.array([[4.0]])]
    norm = clip_grad_norm(grads, 1.0)
    assert norm == pytest.approx(5.0)
    total = np.sqrt(sum(float(np.sum(g * g)) for g in grads))
    assert total == pytest.approx(1.0, rel=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: SGD(0.1, 0.9),
                                  lambda: SGD(0.1, 0.9, nesterov=True),
                                  lambda: Adam(0.01)])
def test_blockwise_updates_equal_whole_array_updates_bit_for_bit(make, dtype):
    # large arrays are updated in cache-sized blocks; the result must be the
    # one of the same expressions on whole arrays (a block boundary that
    # skips or repeats elements, or a reordered operation, shows here)
    rng = np.random.default_rng(0)
    shapes = [(301, 499), (7,), (1 << 16) + 3]
    params = [rng.normal(size=s).astype(dtype) for s in shapes]
    strided = rng.normal(size=(400, 400)).astype(dtype)
    blocked, whole = make(), make()
    whole._BLOCK = 1 << 40  # every array in one piece
    ours, theirs = ([p.copy() for p in params] + [strided.copy()[:, ::2]]
                    for _ in range(2))
    params.append(strided[:, ::2])
    for _ in range(4):
        grads = [rng.normal(size=p.shape).astype(dtype) for p in params]
        blocked.step(ours, grads)
        whole.step(theirs, grads)
    assert blocked._BLOCK < params[0].size
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(a, b)
