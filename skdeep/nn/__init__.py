"""The skdeep engine: layers, losses, optimizers and gradient checks.

A documented secondary API: the estimators are built from these pieces, and
users may build their own networks from them too.
"""

from . import functional, gradcheck, init
from .activations import ACTIVATIONS, Activation
from .augment import Augment2D
from .base import (
    Layer,
    NetworkTooLargeError,
    Sequential,
    check_parameter_memory,
    parameter_budget,
)
from .conv import AvgPool2D, Conv2D, Flatten, Maxout, MaxPool2D
from .dense import Dense, TiedDense
from .dropout import Dropout, InputNoise
from .embedding import Embedding
from .losses import (
    LOSSES,
    Huber,
    Loss,
    MulticlassHinge,
    PoissonLoss,
    SigmoidBinaryCrossEntropy,
    SoftmaxCrossEntropy,
    SparseSoftmaxCrossEntropy,
    SquaredError,
)
from .optimizers import (
    OPTIMIZERS,
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Optimizer,
    clip_grad_norm,
)
from .cells import CELLS, GRUCell, LSTMCell, ReLURNNCell, RNNCell
from .recurrent import Recurrent
from .sequence import SequenceEncoder
from .tree import TreeComposition

#: Every layer class the engine exports; the gradient-check table must cover each.
LAYERS = (Dense, Activation, Dropout, Sequential, Conv2D, MaxPool2D, AvgPool2D,
          Flatten, Maxout, Embedding, Recurrent, SequenceEncoder, TreeComposition,
          TiedDense, InputNoise, Augment2D)

__all__ = [
    "ACTIVATIONS",
    "LAYERS",
    "LOSSES",
    "OPTIMIZERS",
    "Activation",
    "Adadelta",
    "Adagrad",
    "Adam",
    "Augment2D",
    "AvgPool2D",
    "Conv2D",
    "CELLS",
    "Dense",
    "Dropout",
    "Embedding",
    "GRUCell",
    "Huber",
    "LSTMCell",
    "Flatten",
    "InputNoise",
    "Layer",
    "Loss",
    "NetworkTooLargeError",
    "MaxPool2D",
    "Maxout",
    "MulticlassHinge",
    "Optimizer",
    "PoissonLoss",
    "RNNCell",
    "Recurrent",
    "ReLURNNCell",
    "SGD",
    "SequenceEncoder",
    "Sequential",
    "SigmoidBinaryCrossEntropy",
    "SoftmaxCrossEntropy",
    "SparseSoftmaxCrossEntropy",
    "SquaredError",
    "TiedDense",
    "TreeComposition",
    "check_parameter_memory",
    "clip_grad_norm",
    "functional",
    "gradcheck",
    "init",
    "parameter_budget",
]
