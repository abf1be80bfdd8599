"""ConvNetJS's layer vocabulary: the options of each layer type, their checks,
and the default architecture of :class:`~skdeep.ConvNetClassifier`."""

import numbers

from ._validation import check_choice, check_number
from .nn import Activation
from .nn.conv import Maxout, conv_output_size

__all__ = ["ACTIVATIONS", "LAYER_OPTIONS", "OUTPUT_TYPES", "activation_layers",
           "bias_init", "check_layers_param", "default_layers", "relu_moves_to_pool"]

#: ConvNetJS activation names (and ours) -> engine activation names.
ACTIVATIONS = {"relu": "relu", "sigmoid": "logistic", "logistic": "logistic",
                "tanh": "tanh", "leaky_relu": "leaky_relu", "softplus": "softplus",
                "identity": "identity", "maxout": "maxout"}

#: Options each layer type accepts (ConvNetJS's names), with their defaults.
LAYER_OPTIONS = {
    "input": {"out_sx": None, "out_sy": None, "out_depth": None},
    "conv": {"sx": None, "sy": None, "filters": None, "stride": 1, "pad": 0,
             "activation": None, "bias_pref": None, "group_size": 2},
    "pool": {"sx": None, "sy": None, "stride": 2, "pad": 0, "mode": "max"},
    "fc": {"num_neurons": None, "activation": None, "bias_pref": None,
           "drop_prob": None, "group_size": 2},
    "dropout": {"drop_prob": 0.5},
    "relu": {}, "sigmoid": {}, "tanh": {}, "maxout": {"group_size": 2},
    "softmax": {"num_classes": None},
    "svm": {"num_classes": None},
    "regression": {"num_neurons": None},
}
REQUIRED = {"conv": ("sx", "filters"), "pool": ("sx",), "fc": ("num_neurons",)}
OUTPUT_TYPES = ("softmax", "svm", "regression")

def check_layers_param(layers, output_types):
    """Validate the ``layers`` parameter before any work; return it as a list."""
    if layers is None:
        return None
    if not isinstance(layers, (list, tuple)) or not all(
        isinstance(d, dict) for d in layers
    ):
        raise TypeError(
            "The 'layers' parameter must be a list of dicts (ConvNetJS layer "
            f"definitions) or None; got {layers!r}."
        )
    for i, spec in enumerate(layers):
        kind = spec.get("type")
        if kind not in LAYER_OPTIONS:
            raise ValueError(
                f"layers[{i}]: unknown layer type {kind!r}; expected one of "
                f"{sorted(LAYER_OPTIONS)}."
            )
        unknown = set(spec) - set(LAYER_OPTIONS[kind]) - {"type"}
        if unknown:
            raise ValueError(
                f"layers[{i}] ({kind!r}): unknown option(s) {sorted(unknown)}; "
                f"expected some of {sorted(LAYER_OPTIONS[kind])}."
            )
        for key in REQUIRED.get(kind, ()):
            if spec.get(key) is None:
                raise ValueError(f"layers[{i}] ({kind!r}) needs the option {key!r}.")
        if kind in OUTPUT_TYPES:
            if kind not in output_types:
                raise ValueError(
                    f"layers[{i}]: output layer {kind!r} does not fit this estimator;"
                    f" use one of {list(output_types)}."
                )
            if i != len(layers) - 1:
                raise ValueError(f"layers[{i}]: the {kind!r} output layer must be last.")
        for key in ("sx", "sy", "filters", "num_neurons", "num_classes", "out_sx",
                    "out_sy", "out_depth", "group_size"):
            if spec.get(key) is not None:
                check_number(f"layers[{i}]['{key}']", spec[key],
                             kind=numbers.Integral, low=1)
        for key in ("stride", "pad"):
            if key in spec:
                values = spec[key] if isinstance(spec[key], (tuple, list)) else [
                    spec[key]]
                if isinstance(spec[key], (tuple, list)) and len(values) != 2:
                    raise ValueError(
                        f"layers[{i}]['{key}'] must be an int or a (y, x) pair; got "
                        f"{spec[key]!r}."
                    )
                for v in values:
                    check_number(f"layers[{i}]['{key}']", v, kind=numbers.Integral,
                                 low=1 if key == "stride" else 0)
        if spec.get("bias_pref") is not None:  # a finite real number
            check_number(f"layers[{i}]['bias_pref']", spec["bias_pref"])
        if spec.get("drop_prob") is not None:
            check_number(f"layers[{i}]['drop_prob']", spec["drop_prob"], low=0,
                         high=1, high_inclusive=False)
        if spec.get("activation") is not None and spec["activation"] not in ACTIVATIONS:
            raise ValueError(
                f"layers[{i}]: unknown activation {spec['activation']!r}; expected "
                f"one of {sorted(ACTIVATIONS)}."
            )
        if kind == "pool":
            check_choice(f"layers[{i}]['mode']", spec.get("mode", "max"),
                         ("max", "avg"))
            _check_pool_padding(i, spec)
    return list(layers)


def _pair(value):
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def _check_pool_padding(i, spec):
    """A pooling window must overlap the image: padding smaller than the window.

    (A window wholly in the padding has no pixel to take: max-pooling would
    output -inf and average-pooling a zero from nothing.)
    """
    window = (spec.get("sy") or spec["sx"], spec["sx"])
    pad = _pair(spec.get("pad", 0))
    if any(p >= w for p, w in zip(pad, window)):
        raise ValueError(
            f"layers[{i}] ('pool'): pad={spec['pad']!r} must be smaller than the "
            f"pooling window (sy, sx)={window}."
        )


def default_layers(input_shape, drop_prob=0.5):
    """The LeNet-style default for images of ``input_shape = (C, H, W)``.

    conv 32@3×3 relu, max-pool 2, conv 64@3×3 relu, max-pool 2, fc 128 relu,
    dropout ``drop_prob`` (none when 0). Kernels shrink to the axis length on thin inputs (a ``1 × n``
    signal gets ``1 × 3`` kernels) and are padded to keep the size; pools halve
    every axis longer than 1.
    """
    _, H, W = input_shape
    layers = []
    for filters in (32, 64):
        ky, kx = min(3, H), min(3, W)
        layers.append({"type": "conv", "sx": kx, "sy": ky, "filters": filters,
                       "pad": (ky // 2, kx // 2), "activation": "relu"})
        # padding k//2 keeps odd kernels size-preserving and grows even ones by 1
        H = conv_output_size(H, ky, 1, ky // 2)
        W = conv_output_size(W, kx, 1, kx // 2)
        py, px = (2 if H >= 2 else 1), (2 if W >= 2 else 1)
        layers.append({"type": "pool", "sx": px, "sy": py, "stride": (py, px)})
        H, W = H // py, W // px
    layers.append({"type": "fc", "num_neurons": 128, "activation": "relu"})
    if drop_prob:
        layers.append({"type": "dropout", "drop_prob": drop_prob})
    return layers


def bias_init(spec):
    """A conv or fc layer's initial bias: ``bias_pref``, else ConvNetJS's default."""
    if spec.get("bias_pref") is not None:
        return float(spec["bias_pref"])
    # ConvNetJS starts relu units slightly active so that they all get gradient
    return 0.1 if spec.get("activation") == "relu" else 0.0


def activation_layers(name, spec, where, width):
    """The engine layers of activation ``name`` after a layer of ``width`` units."""
    if name is None:
        return []
    if name == "maxout":
        g = spec.get("group_size", 2)
        if width % g:
            raise ValueError(f"{where}: maxout needs a width divisible by "
                             f"group_size={g}; got {width}.")
        return [Maxout(g)]
    return [Activation(ACTIVATIONS[name])]


def relu_moves_to_pool(specs, i):
    """Whether conv ``specs[i]``'s ReLU is computed by the max pool after it."""
    return (specs[i]["type"] == "conv" and specs[i]["activation"] == "relu"
            and i + 1 < len(specs) and specs[i + 1]["type"] == "pool"
            and specs[i + 1]["mode"] == "max")
