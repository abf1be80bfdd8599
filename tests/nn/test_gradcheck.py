"""One gradient-check table for every engine layer and loss."""

import numpy as np
import pytest

from skdeep import nn
from skdeep.nn import (
    Activation,
    Augment2D,
    AvgPool2D,
    Conv2D,
    Dense,
    Dropout,
    Embedding,
    Flatten,
    InputNoise,
    Maxout,
    MaxPool2D,
    Recurrent,
    Sequential,
    SequenceEncoder,
    TiedDense,
    TreeComposition,
)
from skdeep.nn.gradcheck import (
    check_layer_gradients,
    check_loss_gradients,
    numerical_gradient,
)
from skdeep.nn.losses import (
    Huber,
    MulticlassHinge,
    PoissonLoss,
    SigmoidBinaryCrossEntropy,
    SoftmaxCrossEntropy,
    SparseSoftmaxCrossEntropy,
    SquaredError,
)


def _rng():
    return np.random.default_rng(0)


# word, left, right, height: leaves first, parents after their children
TREES = np.array([[0, -1, -1, 0], [1, -1, -1, 0], [2, -1, -1, 0], [-1, 0, 1, 1],
                  [-1, 3, 2, 2], [3, -1, -1, 0], [1, -1, -1, 0], [4, -1, -1, 0],
                  [-1, 6, 7, 1], [-1, 5, 8, 2]])


def _masked(layer):
    layer.mask = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], bool)
    return layer


# (id, layer factory, input factory); every class in nn.LAYERS must appear.
LAYER_CASES = [
    ("dense", lambda: Dense(4, 3, rng=_rng()), lambda r: r.normal(size=(5, 4))),
    ("dense_no_bias", lambda: Dense(4, 3, rng=_rng(), bias=False),
     lambda r: r.normal(size=(5, 4))),
    *[
        (f"activation_{name}", lambda name=name: Activation(name),
         # keep inputs away from the kinks of relu / leaky_relu
         lambda r: np.sign(r.normal(size=(4, 6))) * r.uniform(0.1, 2, size=(4, 6)))
        for name in nn.ACTIVATIONS
    ],
    ("dropout", lambda: Dropout(0.4, rng=_rng()), lambda r: r.normal(size=(6, 5))),
    *[
        (f"conv_{name}", lambda kw=kw: Conv2D(2, 3, rng=_rng(), **kw),
         lambda r: r.normal(size=(2, 2, 6, 5)))
        for name, kw in [
            ("3x3", dict(kernel_size=3)),
            ("pad1", dict(kernel_size=3, padding=1)),
            ("stride2", dict(kernel_size=3, stride=2, padding=1)),
            ("1x3_per_axis", dict(kernel_size=(1, 3), stride=(1, 2), padding=(0, 1))),
            ("5x2_stride_2_1", dict(kernel_size=(5, 2), stride=(2, 1), padding=(2, 0))),
        ]
    ],
    # six input channels: C·kx >= 16 takes the row-by-row path (one GEMM per
    # kernel row); stride 1 with pad < k computes dx by the flipped kernels, a
    # pad of k or more (or stride 2) by col2im
    *[
        (f"conv_rows_{name}", lambda kw=kw: Conv2D(6, 3, rng=_rng(), **kw),
         lambda r: r.normal(size=(2, 6, 6, 5)))
        for name, kw in [
            ("3x3", dict(kernel_size=3)),
            ("pad1", dict(kernel_size=3, padding=1)),
            ("3x4_pad_1_3", dict(kernel_size=(3, 4), padding=(1, 3))),
            ("x_stride2", dict(kernel_size=3, stride=(1, 2), padding=1)),
            ("1x3_pad_1_1", dict(kernel_size=(1, 3), padding=1)),
        ]
    ],
    *[
        (f"{cls.__name__}_{name}", lambda cls=cls, kw=kw: cls(**kw),
         lambda r: r.normal(size=(2, 3, 7, 6)))
        for cls in (MaxPool2D, AvgPool2D)
        for name, kw in [
            ("2x2", dict(pool_size=2)),
            ("3x3_stride2", dict(pool_size=3, stride=2)),
            ("3x3_stride3_crop", dict(pool_size=3)),
            ("2x2_pad1", dict(pool_size=2, padding=1)),
            ("1x3_per_axis", dict(pool_size=(1, 3), stride=(1, 2))),
        ]
    ],
    # the max pool that also computes the ReLU before it (the convnets' fusion)
    *[
        (f"MaxPool2D_relu_input_{name}", lambda kw=kw: MaxPool2D(**kw, relu_input=True),
         lambda r: r.normal(size=(2, 3, 7, 6)))
        for name, kw in [("2x2", dict(pool_size=2)),
                         ("3x3_stride2_pad1", dict(pool_size=3, stride=2, padding=1))]
    ],
    # shifts, flips and zooms: a gather, its adjoint a scatter-add
    ("augment2d", lambda: Augment2D(1, True, 0.3, rng=_rng()),
     lambda r: r.normal(size=(3, 2, 6, 5))),
    ("flatten", lambda: Flatten(), lambda r: r.normal(size=(2, 3, 4, 5))),
    ("maxout_dense", lambda: Maxout(2), lambda r: r.normal(size=(3, 8))),
    ("maxout_conv", lambda: Maxout(3), lambda r: r.normal(size=(2, 6, 3, 3))),
    ("sequential_cnn", lambda: Sequential([
        Conv2D(1, 4, 3, padding=1, rng=_rng()), Activation("relu"), MaxPool2D(2),
        Flatten(), Dense(16, 3, rng=_rng())]), lambda r: r.normal(size=(2, 1, 4, 4))),
    *[
        (f"recurrent_{cell}", lambda cell=cell: Recurrent(cell, 3, 4, rng=_rng()),
         lambda r: r.normal(size=(2, 5, 3)))
        for cell in sorted(nn.CELLS)
    ],
    *[
        (f"recurrent_{cell}_token_ids", lambda cell=cell: Recurrent(cell, 6, 4,
                                                                     rng=_rng()),
         lambda r: r.integers(0, 6, size=(2, 5)))
        for cell in sorted(nn.CELLS)
    ],
    *[
        # the second sequence is 3 steps long, padded to 5: no gradient may
        # flow through its padding, and its final state stays that of step 3
        (f"recurrent_{cell}_masked", lambda cell=cell: _masked(
            Recurrent(cell, 3, 4, rng=_rng())), lambda r: r.normal(size=(3, 5, 3)))
        for cell in sorted(nn.CELLS)
    ],
    *[
        # 3 features and the mask channel: lengths 5, 3 and 1
        (f"sequence_encoder_{name}", lambda kw=kw: SequenceEncoder(
            "gru", 3, 4, rng=_rng(), dropout_rng=_rng(), **kw),
         lambda r: np.concatenate([r.normal(size=(3, 5, 3)), np.array(
             [[1] * 5, [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], float)[..., None]], -1))
        for name, kw in [
            ("last", {}),
            ("bidirectional_2_layers_dropout", dict(bidirectional=True, num_layers=2,
                                                    dropout=0.3)),
            ("sequence_bidirectional", dict(bidirectional=True, output="sequence")),
        ]
    ],
    *[
        # two trees in one table: ((w0 w1) w2) and (w3 (w1 w4)); the gradient
        # reaches the word vectors (E), W, b and the tensor V
        (f"tree_composition_{kind}", lambda kind=kind: TreeComposition(
            5, 3, kind, rng=_rng()), lambda r: TREES)
        for kind in ("rnn", "rntn")
    ],
    ("embedding", lambda: Embedding(7, 3, rng=_rng()),
     lambda r: r.integers(0, 7, size=(2, 5))),
    ("sequential_lm", lambda: Sequential([
        Embedding(7, 3, rng=_rng()), Recurrent("lstm", 3, 4, rng=_rng()),
        Dropout(0.2, rng=_rng()), Recurrent("gru", 4, 4, rng=_rng()),
        Dense(4, 7, rng=_rng())]), lambda r: r.integers(0, 7, size=(2, 4))),
    # a language model's output tied to its embeddings: the output's share of dE
    # (dense) and the lookups' share (scattered rows) add up in one table
    ("tied_embedding_lm", lambda: _tied_language_model(), lambda r: r.integers(
        0, 7, size=(2, 4))),
    ("sequential", lambda: Sequential([
        Dense(5, 7, rng=_rng()), Activation("tanh"), Dropout(0.3, rng=_rng()),
        Dense(7, 3, rng=_rng())]), lambda r: r.normal(size=(4, 5))),
    # the tied decoder's share of dW and the encoder's add up in one array
    ("tied_dense_autoencoder", lambda: _tied_autoencoder(), lambda r: r.normal(
        size=(4, 5))),
    *[
        (f"input_noise_{kind}", lambda kind=kind, level=level: Sequential([
            InputNoise(level, kind, rng=_rng()), Dense(5, 3, rng=_rng())]),
         lambda r: r.normal(size=(6, 5)))
        for kind, level in (("mask", 0.4), ("gaussian", 0.5))
    ],
]


def _tied_language_model():
    embedding = Embedding(7, 3, rng=_rng())
    return Sequential([embedding, Recurrent("lstm", 3, 3, rng=_rng()),
                       TiedDense(embedding)])


def _tied_autoencoder():
    encoder = Dense(5, 3, rng=_rng())
    return Sequential([encoder, Activation("tanh"), TiedDense(encoder),
                       Activation("logistic")])


@pytest.mark.parametrize("name,make_layer,make_input", LAYER_CASES,
                         ids=[c[0] for c in LAYER_CASES])
def test_layer_gradients(name, make_layer, make_input):
    rng = np.random.default_rng(1)
    x = make_input(rng)
    errors = check_layer_gradients(make_layer(), x, rng)
    # token ids are not differentiable; every float input is checked
    assert ("x" in errors) == np.issubdtype(x.dtype, np.floating)
    assert all(np.isfinite(list(errors.values())))


def _targets_one_hot(r, n=6, k=4):
    return np.eye(k)[r.integers(0, k, size=n)]


LOSS_CASES = [
    ("softmax_cross_entropy", SoftmaxCrossEntropy(), _targets_one_hot),
    ("sigmoid_cross_entropy", SigmoidBinaryCrossEntropy(),
     lambda r: r.integers(0, 2, size=(6, 4)).astype(float)),
    ("squared_error", SquaredError(), lambda r: r.normal(size=(6, 4))),
    ("squared_error_softmax", SquaredError("softmax"), _targets_one_hot),
    ("squared_error_logistic", SquaredError("logistic"),
     lambda r: r.integers(0, 2, size=(6, 4)).astype(float)),
    ("multiclass_hinge", MulticlassHinge(), _targets_one_hot),
    ("sparse_softmax_cross_entropy", SparseSoftmaxCrossEntropy(),
     lambda r: r.integers(0, 4, size=6).astype(float)),
    ("poisson", PoissonLoss(), lambda r: r.poisson(2.0, size=(6, 4)).astype(float)),
    # differences of both signs on both sides of delta (normal z, wider y)
    ("huber", Huber(delta=0.8), lambda r: r.normal(scale=2.0, size=(6, 4))),
]


@pytest.mark.parametrize("name,loss,make_y", LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_loss_gradients(name, loss, make_y, weighted):
    rng = np.random.default_rng(2)
    z = rng.normal(size=(6, 4))
    weights = rng.uniform(0, 3, size=6) if weighted else None
    check_loss_gradients(loss, z, make_y(rng), sample_weight=weights)


@pytest.mark.parametrize("name,loss,make_y", LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
def test_integer_weights_equal_repeated_rows(name, loss, make_y):
    rng = np.random.default_rng(3)
    z, y = rng.normal(size=(6, 4)), make_y(rng)
    weights = np.array([0, 1, 2, 1, 3, 1])
    rows = np.repeat(np.arange(6), weights)
    value, grad = loss.loss(z, y, weights)
    value_rep, grad_rep = loss.loss(z[rows], y[rows])
    assert value == pytest.approx(value_rep, rel=1e-12)
    summed = np.zeros_like(grad)
    np.add.at(summed, rows, grad_rep)  # a row's gradient, repeated, adds up
    np.testing.assert_allclose(grad, summed, rtol=1e-12, atol=1e-15)


def _layer_types(layer):
    """The types of ``layer`` and of every layer inside it."""
    inner = getattr(layer, "layers", [])
    return {type(layer)}.union(*(_layer_types(sub) for sub in inner))


def test_every_exported_layer_has_a_gradient_case():
    # a layer checked inside a Sequential (a tied decoder needs its encoder,
    # input noise the layer after it) counts as covered
    covered = set().union(*(_layer_types(make()) for _, make, _ in LAYER_CASES))
    missing = [cls.__name__ for cls in nn.LAYERS if cls not in covered]
    assert not missing, f"layers without a gradient check: {missing}"


def test_every_activation_and_loss_has_a_case():
    names = {c[0] for c in LAYER_CASES}
    assert {f"activation_{a}" for a in nn.ACTIVATIONS} <= names
    covered = {type(loss) for _, loss, _ in LOSS_CASES}
    assert set(nn.LOSSES.values()) <= covered


def test_gradcheck_catches_a_wrong_gradient():
    class WrongDense(Dense):
        def backward(self, grad_output):
            dx = super().backward(grad_output)
            self.grads["W"] = self.grads["W"] * 1.01  # 1 % off
            return dx

    rng = np.random.default_rng(0)
    with pytest.raises(AssertionError, match="gradient of 'W'"):
        check_layer_gradients(WrongDense(3, 2, rng=rng), rng.normal(size=(4, 3)), rng)


def test_numerical_gradient_of_a_quadratic():
    x = np.array([1.0, -2.0, 3.0])
    grad = numerical_gradient(lambda: float(np.sum(x**2)), x)
    np.testing.assert_allclose(grad, 2 * x, rtol=1e-6)
    np.testing.assert_array_equal(x, [1.0, -2.0, 3.0])  # restored
