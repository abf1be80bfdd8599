"""ConvNetClassifier and ConvNetRegressor: ConvNetJS's convolutional nets."""

import numbers

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._base import (
    BaseNetwork,
    HiddenTransformMixin,
    NetworkClassifierMixin,
    NetworkRegressorMixin,
)
from ._convnet_layers import (
    LAYER_OPTIONS,
    OUTPUT_TYPES,
    activation_layers,
    bias_init,
    check_layers_param,
    default_layers,
    relu_moves_to_pool,
)
from ._validation import check_number
from .nn import Augment2D, Dense, Dropout, Sequential
from .nn.augment import check_augment
from .nn.conv import (
    AvgPool2D,
    Conv2D,
    Flatten,
    MaxPool2D,
    conv_output_size,
    pair,
)
from .nn.losses import MulticlassHinge, SoftmaxCrossEntropy, SquaredError

__all__ = ["ConvNetClassifier", "ConvNetRegressor"]

_SHARED_PARAMETERS_DOC = """
    Parameters
    ----------
    layers : list of dict or None, default=None
        The architecture in ConvNetJS's vocabulary, one dict per layer, e.g.
        ``{'type': 'conv', 'sx': 5, 'filters': 16, 'stride': 1, 'pad': 2,
        'activation': 'relu'}``, ``{'type': 'pool', 'sx': 2, 'stride': 2}``,
        ``{'type': 'fc', 'num_neurons': 64, 'activation': 'relu'}``,
        ``{'type': 'dropout', 'drop_prob': 0.5}``. Types: ``input``, ``conv``,
        ``pool`` (``mode`` 'max' or 'avg'), ``fc``, ``dropout``, the activation
        layers ``relu``/``sigmoid``/``tanh``/``maxout``, and optionally a last
        output layer (``softmax``/``svm`` for classifiers, ``regression`` for
        regressors). ``sy`` defaults to ``sx``; ``stride`` and ``pad`` are an int
        or a ``(y, x)`` pair. ``bias_pref`` defaults to 0.1 before a relu, else 0.
        The output layer is added from the targets when absent. ``None`` gives a
        LeNet-style default: conv 32@3×3 relu, pool 2, conv 64@3×3 relu, pool 2,
        fc 128 relu, dropout 0.5 (no dropout for the regressor); kernels and pools
        shrink to fit small inputs.
    input_shape : tuple of int or None, default=None
        ``(channels, height, width)`` of 2-D ``X`` rows. Without it, 2-D rows of a
        perfect-square length are read as square one-channel images, others as
        ``1 × n_features`` signals. 3-D ``X`` is ``(n, H, W)``, 4-D ``(n, C, H, W)``.
    solver : {'sgd', 'adam', 'adagrad', 'adadelta'}, default='adam'
        Trainer (ConvNetJS's ``method``).
    learning_rate_init : float, default=0.001
        Step size.
    learning_rate : {'constant', 'invscaling', 'adaptive'}, default='constant'
        Step-size schedule for ``sgd`` and ``adagrad``.
    momentum : float, default=0.9
        Momentum for ``sgd`` (ConvNetJS's default).
    nesterovs_momentum : bool, default=False
        Nesterov's momentum for ``sgd`` (ConvNetJS uses the classical one).
    batch_size : int, default=32
        Minibatch size.
    max_iter : int, default=50
        Epochs.
    l1_decay, l2_decay : float, default=0.0, 0.0001
        ConvNetJS's weight penalties (divided by the batch size as there).
    early_stopping : bool, default=False
        Hold out ``validation_fraction``, stop when its score stops improving and
        restore the best weights.
    validation_fraction : float, default=0.1
        Held-out fraction.
    tol : float or None, default=1e-4
        Improvement threshold of the stopping rule (``None`` disables it).
    n_iter_no_change : int, default=10
        Epochs without improvement before stopping.
    shuffle : bool, default=True
        Shuffle the samples every epoch.
    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's decay rates.
    epsilon : float, default=1e-8
        Conditioning constant of Adam, Adagrad and Adadelta.
    power_t : float, default=0.5
        Exponent of ``'invscaling'``.
    random_state : int, RandomState instance or None, default=None
        Seeds initialisation, shuffling, dropout and the validation split.
    verbose : bool or int, default=False
        One line per epoch.
    warm_start : bool, default=False
        Continue exactly from the previous fit.
    dtype : {'float32', 'float64'} or None, default='float32'
        Computation dtype.
    augment : dict or None, default=None
        Data augmentation drawn per training image and epoch, e.g.
        ``{'shift': 2}`` (random shifts of up to 2 pixels), ``'flip': True``
        (horizontal flips), ``'scale': 0.1`` (zooms within ±10%); from the
        estimator's own random stream, so ``random_state`` reproduces a fit and
        warm starts resume exactly. Prediction sees the images unchanged.
"""

_SHARED_ATTRIBUTES_DOC = """
    Attributes
    ----------
    input_shape_ : tuple of int
        ``(C, H, W)`` of the images the network was fitted on.
    layers_ : list of dict
        The architecture with every default filled in and the output layer added.
    coefs_ : list of ndarray
        Weights of each conv (``(filters, channels, sy, sx)``) and fully connected
        (``(n_in, n_out)``) layer, in order — the filters ConvNetJS draws.
    intercepts_ : list of ndarray
        Biases of the same layers.
    n_features_in_ : int
        Values per sample, ``C·H·W``, however ``X`` was shaped: flat rows of
        ``C·H·W`` features and image arrays ``(n, H, W)`` or ``(n, C, H, W)``
        are interchangeable at prediction time.
    loss_, loss_curve_, best_loss_, validation_scores_, validation_loss_curve_, \
best_validation_score_, n_iter_, t_, out_activation_
        As in :class:`MLPNet`.
"""


class _BaseConvNet(BaseNetwork):
    _allow_nd = True
    _output_types = ()
    #: Dropout before the output in the default architecture.
    _default_drop_prob = 0.5

    def __init__(
        self,
        layers=None,
        input_shape=None,
        *,
        solver="adam",
        learning_rate_init=0.001,
        learning_rate="constant",
        momentum=0.9,
        nesterovs_momentum=False,
        batch_size=32,
        max_iter=50,
        l1_decay=0.0,
        l2_decay=0.0001,
        early_stopping=False,
        validation_fraction=0.1,
        tol=1e-4,
        n_iter_no_change=10,
        shuffle=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        power_t=0.5,
        random_state=None,
        verbose=False,
        warm_start=False,
        dtype="float32",
        augment=None,
    ):
        self.layers = layers
        self.input_shape = input_shape
        self.solver = solver
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.l1_decay = l1_decay
        self.l2_decay = l2_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.power_t = power_t
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.dtype = dtype
        self.augment = augment

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True  # (n, H, W) images; 4-D too
        return tags

    # ----------------------------------------------------------------- params
    def _check_extra_params(self):
        check_layers_param(self.layers, self._output_types)
        check_number("l1_decay", self.l1_decay, low=0)
        check_number("l2_decay", self.l2_decay, low=0)
        check_augment(self.augment)
        if self.input_shape is not None:
            shape = self.input_shape
            if not (isinstance(shape, (tuple, list)) and len(shape) == 3 and all(
                    isinstance(v, numbers.Integral) and v > 0 for v in shape)):
                raise ValueError(
                    "The 'input_shape' parameter must be (channels, height, width) "
                    f"with positive ints, or None; got {shape!r}."
                )

    def _architecture(self):
        layers = check_layers_param(self.layers, self._output_types)
        return {**super()._architecture(),
                "layers": None if layers is None else [dict(d) for d in layers],
                "input_shape": None if self.input_shape is None
                else tuple(int(v) for v in self.input_shape),
                "augment": check_augment(self.augment)}

    def _penalty_strengths(self):
        return float(self.l2_decay), float(self.l1_decay)

    # ----------------------------------------------------------------- input
    def _validate_X_y(self, X, y, reset):
        rows, image_shape = self._images_as_rows(X)
        rows, y = super()._validate_X_y(rows, y, reset)
        return self._rows_as_images(rows, image_shape), y

    def _validate_X(self, X):
        check_is_fitted(self)
        rows, image_shape = self._images_as_rows(X)
        rows = validate_data(self, rows, dtype=(np.float64, np.float32), reset=False)
        return self._prepare_input(self._rows_as_images(rows, image_shape),
                                   reset=False)

    @staticmethod
    def _images_as_rows(X):
        """Image arrays as rows of ``C·H·W`` values, so that scikit-learn's
        validation counts ``n_features_in_`` per sample; 2-D input unchanged."""
        if not hasattr(X, "ndim"):  # lists: convert once, here
            try:
                X = np.asarray(X)
            except ValueError:  # ragged: validation explains it
                return X, None
        if X.ndim <= 2:
            return X, None
        X = check_array(X, allow_nd=True, dtype=(np.float64, np.float32),
                        ensure_all_finite=False)  # checked on the rows next
        if X.ndim > 4:
            raise ValueError(
                f"X must be 2-D (n, features), 3-D (n, H, W) or 4-D (n, C, H, W); "
                f"got {X.ndim} dimensions."
            )
        return X.reshape(X.shape[0], -1), X.shape[1:]

    @staticmethod
    def _rows_as_images(rows, image_shape):
        return rows if image_shape is None else rows.reshape(len(rows), *image_shape)

    def _prepare_input(self, X, reset):
        """Validated ``X`` -> images ``(n, C, H, W)``."""
        n = X.shape[0]
        if X.ndim == 2 and not reset:
            images = X.reshape(n, *self.input_shape_)  # the fitted image shape
        elif X.ndim == 2:
            if self.input_shape is not None:
                shape = tuple(int(v) for v in self.input_shape)
                if int(np.prod(shape)) != X.shape[1]:
                    raise ValueError(
                        f"input_shape={shape} needs {int(np.prod(shape))} features "
                        f"per row; X has {X.shape[1]}."
                    )
            else:
                side = int(round(np.sqrt(X.shape[1])))
                shape = (1, side, side) if side * side == X.shape[1] else (
                    1, 1, X.shape[1])
            images = X.reshape(n, *shape)  # (n, C·H·W) -> (n, C, H, W)
        elif X.ndim == 3:
            images = X[:, None]  # (n, H, W) -> (n, 1, H, W)
        elif X.ndim == 4:
            images = X
        else:
            raise ValueError(
                f"X must be 2-D (n, features), 3-D (n, H, W) or 4-D (n, C, H, W); got "
                f"{X.ndim} dimensions."
            )
        if X.ndim > 2 and self.input_shape is not None and tuple(
                self.input_shape) != images.shape[1:]:
            raise ValueError(
                f"X has images of shape {images.shape[1:]} but "
                f"input_shape={tuple(self.input_shape)}."
            )
        if reset:
            self.input_shape_ = tuple(int(v) for v in images.shape[1:])
        elif images.shape[1:] != self.input_shape_:
            raise ValueError(
                f"X has images of shape {images.shape[1:]} (channels, height, width), "
                f"but {type(self).__name__} was fitted on {self.input_shape_}."
            )
        return images

    # ----------------------------------------------------------------- network
    def _output_spec(self, n_outputs):
        raise NotImplementedError

    def _build_network(self, input_shape, n_outputs, rng_init, rng_dropout, dtype):
        specs = check_layers_param(self.layers, self._output_types)
        if specs is None:
            specs = default_layers(input_shape, self._default_drop_prob)
        specs = [dict(s) for s in specs]
        if not specs or specs[-1]["type"] not in OUTPUT_TYPES:
            specs.append(self._output_spec(n_outputs))
        augment = check_augment(self.augment)
        # first: the augmented images go through every layer (ends count it)
        layers = [] if augment is None else [Augment2D(**augment, rng=rng_dropout)]
        ends, filled = [], []
        shape = tuple(input_shape)  # (C, H, W), then (D,) after an fc layer
        specs = [{**LAYER_OPTIONS[spec["type"]], **spec} for spec in specs]
        for i, spec in enumerate(specs):
            # A conv's ReLU followed by a max pool moves into the pool, which
            # computes relu(max(x)) = max(relu(x)) on the pooled map: the same
            # values and gradients for a ky·kx-th of the ReLU's work
            # (feature_maps applies it to the conv's own maps).
            spec = {**spec, "_relu_to_pool": relu_moves_to_pool(specs, i),
                    "_relu_from_conv": i > 0 and relu_moves_to_pool(specs, i - 1)}
            new, shape = self._make_layers(i, spec, shape, n_outputs, rng_init,
                                           rng_dropout, dtype)
            spec = {k: v for k, v in spec.items() if not k.startswith("_relu")}
            layers.extend(new)
            ends.append(len(layers))
            filled.append(spec)
        self._layer_ends = ends
        self.layers_ = filled
        return Sequential(layers)

    def _make_layers(self, i, spec, shape, n_outputs, rng, rng_dropout, dtype):
        kind = spec["type"]
        where = f"layers[{i}] ({kind!r})"
        if kind == "input":
            expected = (spec["out_depth"], spec["out_sy"], spec["out_sx"])
            if any(v is not None and v != s for v, s in zip(expected, shape)):
                raise ValueError(
                    f"{where}: declares (out_depth, out_sy, out_sx)={expected} but X "
                    f"has images of shape {shape}."
                )
            return [], shape
        if kind in ("conv", "pool"):
            if len(shape) != 3:
                raise ValueError(f"{where} needs an image input, but follows a fully "
                                 f"connected layer of {shape[0]} units.")
            C, H, W = shape
            kx = spec["sx"]
            ky = spec["sy"] if spec["sy"] is not None else kx
            (sy, sx), (py, px) = pair(spec["stride"]), pair(spec["pad"])
            Ho, Wo = (conv_output_size(H, ky, sy, py), conv_output_size(W, kx, sx, px))
            if Ho < 1 or Wo < 1:
                raise ValueError(
                    f"{where}: a {ky}×{kx} window with pad {(py, px)} and stride "
                    f"{(sy, sx)} does not fit the {H}×{W} input map (output would be "
                    f"{Ho}×{Wo})."
                )
            if kind == "pool":
                if spec["_relu_from_conv"]:
                    pool = MaxPool2D((ky, kx), stride=(sy, sx), padding=(py, px),
                                     relu_input=True)
                elif spec["mode"] == "max":
                    pool = MaxPool2D((ky, kx), stride=(sy, sx), padding=(py, px))
                else:
                    pool = AvgPool2D((ky, kx), stride=(sy, sx), padding=(py, px))
                return [pool], (C, Ho, Wo)
            act = spec["activation"]
            width = spec["filters"] * (spec["group_size"] if act == "maxout" else 1)
            conv = Conv2D(C, width, (ky, kx), stride=(sy, sx), padding=(py, px),
                          rng=rng, dtype=dtype, bias_init=bias_init(spec))
            new = [conv] + ([] if spec["_relu_to_pool"] else
                            activation_layers(act, spec, where, width))
            return new, (spec["filters"], Ho, Wo)
        if kind in ("fc", "softmax", "svm", "regression"):
            n_in = int(np.prod(shape))
            new = [Flatten()] if len(shape) == 3 else []
            if kind == "fc":
                act = spec["activation"]
                width = spec["num_neurons"] * (
                    spec["group_size"] if act == "maxout" else 1)
            else:
                width = spec.get("num_classes") or spec.get("num_neurons") or n_outputs
                if width != n_outputs:
                    raise ValueError(
                        f"{where}: declares {width} outputs but the targets need "
                        f"{n_outputs}."
                    )
                act = None
            new.append(Dense(n_in, width, rng=rng, dtype=dtype,
                             bias_init=bias_init(spec) if kind == "fc" else None))
            if kind == "fc":
                new += activation_layers(act, spec, where, width)
                if spec["drop_prob"]:
                    new.append(Dropout(spec["drop_prob"], rng=rng_dropout))
                return new, (spec["num_neurons"],)
            return new, (width,)
        if kind == "dropout":
            return [Dropout(spec["drop_prob"], rng=rng_dropout)], shape
        # a standalone activation layer: relu / sigmoid / tanh / maxout
        new = activation_layers(kind, spec, where, shape[0])
        if kind == "maxout":
            shape = (shape[0] // spec["group_size"], *shape[1:])
        return new, shape

    # ----------------------------------------------------------------- outputs
    def _learned_attributes(self, network):
        trainable = [layer for layer in network.layers if layer.params]
        return {"coefs_": [layer.params["W"] for layer in trainable],
                "intercepts_": [layer.params["b"] for layer in trainable]}

    def feature_maps(self, X, layer):
        """Compute the activations after layer ``layer`` of ``layers_``.

        These are what ConvNetJS draws beside its demos; see
        :class:`skdeep.inspection.FeatureMapsDisplay` for the picture.

        Parameters
        ----------
        X : array-like
            Input data, in any accepted form.
        layer : int
            Index into ``layers_`` (negative counts from the end).

        Returns
        -------
        ndarray
            ``(n, C, H, W)`` after a conv or pool layer, ``(n, units)`` after an
            fc layer.
        """
        check_is_fitted(self)
        n = len(self._layer_ends)
        if isinstance(layer, bool) or not isinstance(layer, numbers.Integral) or not (
                -n <= layer < n):
            raise ValueError(f"layer must be an int in [{-n}, {n}); got {layer!r}.")
        end = self._layer_ends[layer]
        maps = self._forward_until(X, end)
        following = self._network.layers[end:end + 1]
        if following and getattr(following[0], "relu_input", False):
            # this conv's ReLU was moved into the max pool after it
            maps = np.maximum(maps, 0)
        return maps


class ConvNetClassifier(NetworkClassifierMixin, ClassifierMixin, HiddenTransformMixin,
                        _BaseConvNet):
    __doc__ = (
        """Convolutional network classifier with ConvNetJS's layer vocabulary.

    Conv, pool, fully connected and dropout layers described as ConvNetJS layer
    dicts; the softmax output is added from the classes. im2col/GEMM convolution in
    float32, no Python loop over pixels or samples.
"""
        + _SHARED_PARAMETERS_DOC
        + _SHARED_ATTRIBUTES_DOC
        + """    classes_ : ndarray of shape (n_classes,)
        Class labels.

    See Also
    --------
    ConvNetRegressor : The same networks with ConvNetJS's ``regression`` output.
    MLPNet : Fully connected networks.

    Notes
    -----
    Seeds 001 and 003 (ConvNetJS: layers as volumes, SGD/Adadelta trainers, the
    MNIST and CIFAR-10 demos), 002 and 004 part 4 (convolution, pooling,
    LeNet-5). A last ``{'type': 'svm'}`` layer trains the multiclass hinge loss.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from skdeep import ConvNetClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> net = ConvNetClassifier(
    ...     [{'type': 'conv', 'sx': 3, 'filters': 8, 'pad': 1, 'activation': 'relu'},
    ...      {'type': 'pool', 'sx': 2}], learning_rate_init=0.01, max_iter=10,
    ...     random_state=0)
    >>> net.fit(X[:500] / 16, y[:500]).score(X[500:700] / 16, y[500:700]) > 0.85
    True
    """
    )

    _output_types = ("softmax", "svm")

    def _output_spec(self, n_outputs):
        return {"type": "softmax", "num_classes": n_outputs}

    def _build_loss(self):
        specs = self.layers or []
        if specs and specs[-1].get("type") == "svm":
            return MulticlassHinge()
        if self._is_multilabel():
            raise ValueError("ConvNetClassifier does not support multilabel targets.")
        return SoftmaxCrossEntropy()

    def _encode_targets(self, y, first_call, classes):
        Y = super()._encode_targets(y, first_call, classes)
        if Y.shape[1] == 1:  # binary: ConvNetJS's softmax keeps one unit per class
            Y = np.hstack([1 - Y, Y])
        return Y

    def _decode(self, output):
        if len(self.classes_) == 2 and output.shape[1] == 2:
            return self.classes_[np.argmax(output, axis=1)]
        return super()._decode(output)

    def _two_column_binary(self):
        return False

    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over the given data (``classes`` needed on the first call).

        Parameters
        ----------
        X : array-like
            Input data.
        y : array-like of shape (n_samples,)
            Labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (see :meth:`fit`).
        classes : array-like, default=None
            All classes, on the first call.

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, classes=classes,
                                 sample_weight=sample_weight)


class ConvNetRegressor(NetworkRegressorMixin, RegressorMixin, HiddenTransformMixin,
                       _BaseConvNet):
    __doc__ = (
        """Convolutional network regressor (ConvNetJS's ``regression`` output, L2 loss).

    The layers of :class:`ConvNetClassifier` (conv, pool, fully connected,
    dropout, in ConvNetJS's vocabulary) with a linear output unit per target
    and the squared error: one or several real values per image.
"""
        + _SHARED_PARAMETERS_DOC
        + _SHARED_ATTRIBUTES_DOC
        + """
    See Also
    --------
    ConvNetClassifier : The classification twin.

    Examples
    --------
    >>> import numpy as np
    >>> from skdeep import ConvNetRegressor
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(size=(300, 16))
    >>> y = X.reshape(-1, 4, 4)[:, :2].mean(axis=(1, 2))
    >>> reg = ConvNetRegressor(max_iter=40, random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.8
    True
    """
    )

    _output_types = ("regression",)
    # dropout noise before a linear output hurts regression more than it helps
    _default_drop_prob = 0.0

    def _output_spec(self, n_outputs):
        return {"type": "regression", "num_neurons": n_outputs}

    def _build_loss(self):
        return SquaredError("identity")

    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over the given data.

        Parameters
        ----------
        X : array-like
            Input data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights (see :meth:`fit`).

        Returns
        -------
        self : object
            The updated estimator.
        """
        return self._partial_fit(X, y, sample_weight=sample_weight)
