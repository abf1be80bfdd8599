"""skdeep: deep-learning models as genuine scikit-learn estimators, in pure NumPy."""

from ._autoencoder import MLPAutoencoder
from ._convnet import ConvNetClassifier, ConvNetRegressor
from ._dbn import DBNClassifier
from ._linear_unit import LinearUnitRegressor
from ._mlp import MLPNet, MLPNetRegressor
from ._perceptron import PerceptronClassifier
from ._rbm import RBMTransformer
from ._recursive import RecursiveNetClassifier
from ._rnn import RNNClassifier, RNNRegressor
from ._rnn_lm import RNNLanguageModel

__version__ = "0.1.0"

__all__ = [
    "ConvNetClassifier",
    "ConvNetRegressor",
    "DBNClassifier",
    "LinearUnitRegressor",
    "MLPAutoencoder",
    "MLPNet",
    "MLPNetRegressor",
    "PerceptronClassifier",
    "RBMTransformer",
    "RecursiveNetClassifier",
    "RNNClassifier",
    "RNNRegressor",
    "RNNLanguageModel",
    "__version__",
]
