"""The skdeep model-file format: object graphs to JSON and arrays, and back.

:class:`Writer` turns an estimator into JSON values, a table of objects and a
list of arrays; :class:`Reader` rebuilds it from a zip archive, creating only
the classes of :data:`CLASSES` and reading arrays with ``allow_pickle=False``.
``skdeep.save`` and ``skdeep.load`` (:mod:`skdeep._persistence`) wrap them;
``docs/persistence.md`` documents the format.
"""

import json
import math

import numpy as np
from sklearn.preprocessing import LabelBinarizer

from . import nn
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
from ._training import TrainState
from .rl._deepq import DeepQLearner
from .nn.rbm import RBM

__all__ = ["CLASSES", "ESTIMATORS", "FORMAT", "FORMAT_VERSION", "MANIFEST", "NAMES",
           "SAVABLE",
           "Invalid", "Reader", "Writer"]

FORMAT = "skdeep"
#: Version of the layout written by :func:`save`; :func:`load` reads 1 to this.
#: 2: RNNLanguageModel's ``tie_weights`` parameter (version 1 files load with its
#: default, False).
FORMAT_VERSION = 2
MANIFEST = "skdeep.json"
_MAX_MANIFEST_BYTES = 256 * 2**20
_MAX_DEPTH = 100  # nesting of JSON values (a network is about 6 deep)
#: Array dtypes the format stores: booleans, integers, floats, strings.
_ARRAY_KINDS = "biufUS"

# Written out, not collected: what a file may create is reviewed here
# (tests/test_persistence.py fails when an estimator or engine class is missing).
ESTIMATORS = (ConvNetClassifier, ConvNetRegressor, DBNClassifier, LinearUnitRegressor,
              MLPAutoencoder, MLPNet, MLPNetRegressor, PerceptronClassifier,
              RBMTransformer, RecursiveNetClassifier, RNNClassifier, RNNRegressor,
              RNNLanguageModel)
#: What ``skdeep.save`` writes: the estimators, and the deep Q-learning agent
#: (not an estimator, but built from the same engine and parameters).
SAVABLE = (*ESTIMATORS, DeepQLearner)
_ENGINE = (nn.Sequential, nn.Dense, nn.TiedDense, nn.Activation, nn.Dropout,
           nn.InputNoise, nn.Augment2D, nn.Conv2D, nn.MaxPool2D, nn.AvgPool2D,
           nn.Flatten, nn.Maxout, nn.Embedding, nn.Recurrent, nn.RNNCell,
           nn.ReLURNNCell, nn.LSTMCell, nn.GRUCell, nn.SequenceEncoder,
           nn.TreeComposition, RBM, nn.SoftmaxCrossEntropy,
           nn.SparseSoftmaxCrossEntropy, nn.SigmoidBinaryCrossEntropy,
           nn.SquaredError, nn.MulticlassHinge, nn.PoissonLoss, nn.Huber, nn.SGD,
           nn.Adagrad, nn.Adadelta, nn.Adam)

#: The only classes a file may name, under the names it uses for them.
CLASSES = {
    **{f"skdeep.{cls.__name__}": cls for cls in ESTIMATORS},
    "skdeep.rl.DeepQLearner": DeepQLearner,
    **{f"skdeep.nn.{cls.__name__}": cls for cls in _ENGINE},
    "skdeep.TrainState": TrainState,
    "sklearn.preprocessing.LabelBinarizer": LabelBinarizer,
}
NAMES = {cls: name for name, cls in CLASSES.items()}
_BIT_GENERATORS = {cls.__name__: cls for cls in (
    np.random.PCG64, np.random.PCG64DXSM, np.random.MT19937, np.random.Philox,
    np.random.SFC64)}
#: Numpy scalar types a parameter may be (``dtype=np.float32``).
_SCALAR_TYPES = {t.__name__: t for t in (np.float16, np.float32, np.float64,
                                         np.int32, np.int64)}
# sklearn.callback observers (scikit-learn >= 1.9): not the model; set again
# after loading
_NOT_SAVED = frozenset({"_skl_callbacks", "_skl_callbacks_to_teardown",
                        "_callback_fit_ctx", "_parent_callback_ctx"})


# ---------------------------------------------------------------- writing
class Writer:
    """Turns an object graph into JSON values, an object table and arrays.

    :meth:`value` encodes one value (recursively) and returns its JSON form;
    :meth:`finish` then decides which arrays are files and which are views of
    them, and returns the manifest's ``arrays`` table and the arrays to write.
    """

    def __init__(self):
        self.objects = []
        self._object_ids, self._array_ids = {}, {}
        self._arrays = []  # every array met, by first encounter
        self._keep = []  # what the memo's ids refer to stays alive meanwhile

    def value(self, x, path):
        kind = type(x)
        if x is None or kind in (bool, str, int):
            return x
        if kind is float:
            return x if math.isfinite(x) else {"$float": repr(x)}
        if isinstance(x, np.generic):  # before float: np.float64 is a float
            dtype = _check_dtype(x.dtype, path)
            return {"$scalar": dtype.str, "value": self.value(x.item(), path)}
        if kind is np.ndarray:
            if x.dtype == object:  # tokens: their values, inline
                return {"$object_array": [self.value(v, f"{path}[{i}]")
                                          for i, v in enumerate(x.ravel())],
                        "shape": list(x.shape)}
            return {"$array": self._array(x, path)}
        if kind is list:
            return [self.value(v, f"{path}[{i}]") for i, v in enumerate(x)]
        if kind is tuple:
            return {"$tuple": [self.value(v, f"{path}[{i}]")
                               for i, v in enumerate(x)]}
        if kind is dict:
            if all(type(k) is str and not k.startswith("$") for k in x):
                return {k: self.value(v, f"{path}[{k!r}]") for k, v in x.items()}
            return {"$items": [[self.value(k, path), self.value(v, f"{path}[{k!r}]")]
                               for k, v in x.items()]}
        if isinstance(x, np.dtype):
            return {"$dtype": _check_dtype(x, path).str}
        if kind is type and _SCALAR_TYPES.get(x.__name__) is x:
            return {"$scalar_type": x.__name__}
        return {"$ref": self._object(x, path)}

    def _array(self, a, path):
        if id(a) not in self._array_ids:
            _check_dtype(a.dtype, path)
            self._array_ids[id(a)] = len(self._arrays)
            self._arrays.append(a)
        return self._array_ids[id(a)]

    def finish(self):
        """``(table, data)``: the manifest's arrays and the ones to write.

        An array that is a view of another saved array (the RBM engine's
        weights and biases are views of one block) stays a view of it.
        """
        owners = {id(a): i for i, a in enumerate(self._arrays)
                  if a.base is None and a.flags.c_contiguous}
        table, data = [], []
        for i, a in enumerate(self._arrays):
            root = a
            while isinstance(root.base, np.ndarray):
                root = root.base
            entry = {"dtype": a.dtype.str, "shape": list(a.shape)}
            if root is not a and id(root) in owners:
                owner = owners[id(root)]
                start = self._arrays[owner].__array_interface__["data"][0]
                entry.update(view_of=owner, strides=list(a.strides),
                             offset=a.__array_interface__["data"][0] - start)
            else:
                entry["file"] = f"arrays/{i}.npy"
                data.append(a)
            table.append(entry)
        return table, data

    def _object(self, x, path):
        if id(x) in self._object_ids:
            return self._object_ids[id(x)]
        index = len(self.objects)
        self._object_ids[id(x)] = index
        self._keep.append(x)
        entry = {}
        self.objects.append(entry)  # before its contents: cycles refer back
        if type(x) is np.random.Generator:
            bits = type(x.bit_generator).__name__
            if bits not in _BIT_GENERATORS:
                raise TypeError(f"skdeep.save cannot write {path}: a generator "
                                f"with bit generator {bits}.")
            entry.update({"class": "numpy.random.Generator", "bit_generator": bits,
                          "state": self.value(x.bit_generator.state, path)})
        elif type(x) is np.random.RandomState:
            entry.update({"class": "numpy.random.RandomState",
                          "state": self.value(x.get_state(legacy=False), path)})
        elif type(x) in NAMES:
            entry["class"] = NAMES[type(x)]
            if hasattr(x, "get_params"):  # an estimator: parameters apart
                params = x.get_params(deep=False)
                entry["params"] = self.value(params, f"{path}.get_params()")
                state = {k: v for k, v in vars(x).items()
                         if k not in params and k not in _NOT_SAVED}
            elif "__getstate__" in vars(type(x)):  # the optimizers drop scratch
                state = dict(x.__getstate__())
            else:
                state = dict(vars(x))
            if isinstance(x, nn.Layer):
                state["_cache"] = None  # transient, as pickles drop it
            entry["state"] = self.value(state, path)
        else:
            raise TypeError(
                f"skdeep.save cannot write {path}: {type(x).__module__}."
                f"{type(x).__qualname__} is not one of the classes of the skdeep "
                "format (skdeep.save writes skdeep's own estimators; for other "
                "objects use joblib, with files you trust)."
            )
        return index


def _check_dtype(dtype, path):
    dtype = np.dtype(dtype)
    if dtype.kind not in _ARRAY_KINDS or dtype.hasobject or dtype.fields:
        raise TypeError(f"{path}: dtype {dtype} is not one of the format's "
                        "(booleans, integers, floats, strings).")
    return dtype


# ---------------------------------------------------------------- reading
class Invalid(ValueError):
    """What is wrong with a file (wrapped with the file's name by :func:`load`)."""


class Reader:
    def __init__(self, zf):
        self.zf = zf

    def load(self):
        manifest = self._manifest()
        self.arrays = self._arrays(manifest.get("arrays"))
        entries = manifest.get("objects")
        if not isinstance(entries, list):
            raise Invalid("the manifest has no 'objects' list.")
        # every object empty first, so that any object can refer to any other
        self.objects = [self._shell(entry, f"objects[{i}]")
                        for i, entry in enumerate(entries)]
        for i, entry in enumerate(entries):
            if entry["class"] in CLASSES:
                self._fill(self.objects[i], entry, f"objects[{i}]")
        root = self.value(manifest.get("root"), "root", 0)
        if type(root) not in SAVABLE:
            raise Invalid(f"its root is a {type(root).__name__}, not an estimator.")
        if NAMES[type(root)] != manifest.get("estimator"):
            raise Invalid("the manifest's 'estimator' differs from its root.")
        return root

    def _manifest(self):
        names = self.zf.namelist()
        if len(set(names)) != len(names):
            raise Invalid("it has members with the same name.")
        if MANIFEST not in names:
            raise Invalid(f"there is no {MANIFEST} in it (a zip, but not of a "
                           "skdeep model).")
        info = self.zf.getinfo(MANIFEST)
        if info.file_size > _MAX_MANIFEST_BYTES:
            raise Invalid(f"its manifest has {info.file_size} bytes.")

        def no_constants(word):
            raise Invalid(f"its manifest holds {word}, which is not JSON.")

        try:
            manifest = json.loads(self.zf.read(MANIFEST).decode("utf-8"),
                                  parse_constant=no_constants)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise Invalid(f"its manifest is not JSON ({error}).") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise Invalid(f"its {MANIFEST} does not say format '{FORMAT}'.")
        version = manifest.get("format_version")
        if type(version) is not int or version < 1:
            raise Invalid(f"its format version {version!r} is not a version.")
        if version > FORMAT_VERSION:
            from . import __version__

            raise Invalid(
                f"it was written by skdeep {manifest.get('skdeep_version', '?')} in "
                f"format version {version}; this skdeep ({__version__}) reads "
                f"versions up to {FORMAT_VERSION}: upgrade skdeep to load it.")
        listed = {e.get("file") for e in manifest.get("arrays") or []
                  if isinstance(e, dict)}
        for member in names:
            if member != MANIFEST and member not in listed:
                raise Invalid(f"it has a member {member!r} that its manifest does "
                               "not list (a model file holds skdeep.json and the "
                               ".npy arrays it lists, nothing else).")
        return manifest

    def _arrays(self, entries):
        if not isinstance(entries, list):
            raise Invalid("the manifest has no 'arrays' list.")
        arrays = []
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict):
                raise Invalid(f"arrays[{i}] is not an object.")
            try:
                dtype = _check_dtype(np.dtype(str(entry["dtype"])), f"arrays[{i}]")
                shape = tuple(int(n) for n in entry["shape"])
            except (KeyError, TypeError, ValueError) as error:
                raise Invalid(f"arrays[{i}] has no valid dtype and shape ({error}).") \
                    from None
            if any(n < 0 for n in shape):
                raise Invalid(f"arrays[{i}] has a negative size: {shape}.")
            if "file" in entry:
                arrays.append(self._read_npy(entry["file"], dtype, shape, i))
            else:
                owner = entry.get("view_of")
                if type(owner) is not int or not 0 <= owner < i or \
                        "file" not in entries[owner]:
                    raise Invalid(f"arrays[{i}] is a view of no saved array.")
                arrays.append(self._view(entry, dtype, shape, arrays[owner], i))
        return arrays

    def _read_npy(self, member, dtype, shape, i):
        try:
            info = self.zf.getinfo(member)
        except (KeyError, TypeError):
            raise Invalid(f"arrays[{i}]: its file {member!r} is missing.") from None
        with self.zf.open(info) as f:
            version = np.lib.format.read_magic(f)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            found_shape, _, found_dtype = read_header(f)
            header_bytes = f.tell()
        if found_dtype != dtype or tuple(found_shape) != shape:
            raise Invalid(
                f"{member} holds an array of dtype {found_dtype} and shape "
                f"{tuple(found_shape)}, but the manifest says dtype {dtype} and "
                f"shape {shape}.")
        nbytes = math.prod(shape) * dtype.itemsize
        if info.file_size != header_bytes + nbytes:
            raise Invalid(f"{member} has {info.file_size} bytes; an array of shape "
                           f"{shape} and dtype {dtype} takes {header_bytes + nbytes}.")
        with self.zf.open(info) as f:
            array = np.lib.format.read_array(f, allow_pickle=False)
            f.read()  # to the end: zipfile checks the CRC there (tampering)
        return np.ascontiguousarray(array)

    @staticmethod
    def _view(entry, dtype, shape, base, i):
        try:
            offset = int(entry["offset"])
            strides = tuple(int(n) for n in entry["strides"])
            # numpy refuses a view that reaches outside its base
            return np.ndarray(shape, dtype, buffer=base, offset=offset,
                              strides=strides)
        except (KeyError, TypeError, ValueError) as error:
            raise Invalid(f"arrays[{i}] is not a valid view ({error}).") from None

    # JSON values -> Python values
    def value(self, v, path, depth):
        if depth > _MAX_DEPTH:
            raise Invalid(f"{path} is nested deeper than {_MAX_DEPTH} levels.")
        if v is None or type(v) in (bool, str, int, float):
            return v
        if type(v) is list:
            return [self.value(x, f"{path}[{i}]", depth + 1) for i, x in enumerate(v)]
        if type(v) is not dict:
            raise Invalid(f"{path} is not a value of the format.")
        tags = [k for k in v if k.startswith("$")]
        if not tags:
            return {k: self.value(x, f"{path}.{k}", depth + 1) for k, x in v.items()}
        tag, body = tags[0], v[tags[0]]
        try:
            return self._tagged(tag, body, v, path, depth)
        except Invalid:
            raise
        except (KeyError, TypeError, ValueError, IndexError, OverflowError) as error:
            raise Invalid(f"{path} is not a valid {tag} ({error}).") from None

    def _tagged(self, tag, body, v, path, depth):
        if tag == "$float":
            if body not in ("nan", "inf", "-inf"):
                raise Invalid(f"{path}: $float is {body!r}.")
            return float(body)
        if tag == "$tuple":
            return tuple(self.value(body, path, depth))
        if tag == "$items":
            return {self.value(k, path, depth + 1): self.value(x, path, depth + 1)
                    for k, x in body}
        if tag == "$array":
            if type(body) is not int or not 0 <= body < len(self.arrays):
                raise Invalid(f"{path} refers to no array.")
            return self.arrays[body]
        if tag == "$object_array":
            array = np.empty(len(body), dtype=object)
            for i, x in enumerate(body):  # one by one: numpy would unpack lists
                array[i] = self.value(x, path, depth + 1)
            return array.reshape([int(n) for n in v["shape"]])
        if tag == "$scalar":
            dtype = _check_dtype(np.dtype(str(body)), path)
            return dtype.type(self.value(v["value"], path, depth + 1))
        if tag == "$dtype":
            return _check_dtype(np.dtype(str(body)), path)
        if tag == "$scalar_type":
            return _SCALAR_TYPES[body]
        if tag == "$ref":
            if type(body) is not int or not 0 <= body < len(self.objects):
                raise Invalid(f"{path} refers to no object.")
            return self.objects[body]
        raise Invalid(f"{path} has the unknown tag {tag!r}.")

    def _shell(self, entry, path):
        """An empty instance of the entry's class (generators: complete)."""
        if not isinstance(entry, dict) or not isinstance(entry.get("class"), str):
            raise Invalid(f"{path} names no class.")
        name = entry["class"]
        if name in ("numpy.random.Generator", "numpy.random.RandomState"):
            return self._generator(name, entry, path)
        if name not in CLASSES:
            raise Invalid(f"{path} is of class {name!r}, which is not one of "
                           "skdeep's: the format names only skdeep's own classes.")
        cls = CLASSES[name]
        return cls.__new__(cls)

    def _fill(self, obj, entry, path):
        """Set the attributes of a shell (estimators: parameters first)."""
        cls = type(obj)
        state = self.value(entry.get("state", {}), path + ".state", 1)
        if not isinstance(state, dict) or not all(
                type(k) is str and not k.startswith("__") for k in state):
            raise Invalid(f"{path}.state is not a dict of attribute names.")
        # an instance attribute would hide a method of the same name
        hiding = sorted(k for k in state if callable(getattr(cls, k, None)))
        if hiding:
            raise Invalid(f"{path}.state names methods of {entry['class']}: "
                          f"{hiding}.")
        if hasattr(cls, "get_params"):
            params = self.value(entry.get("params"), path + ".params", 1)
            known = cls._get_param_names()  # (the agent has required ones)
            if not isinstance(params, dict) or set(params) - set(known):
                raise Invalid(f"{path}.params are not parameters of "
                               f"{entry['class']}.")
            if set(state) & set(known):
                raise Invalid(f"{path}.state sets parameters "
                               f"{sorted(set(state) & set(known))}.")
            obj.__init__(**params)  # an estimator's __init__ only stores them
        obj.__dict__.update(state)

    def _generator(self, name, entry, path):
        state = self.value(entry.get("state"), path + ".state", 1)
        try:
            if name == "numpy.random.RandomState":
                generator = np.random.RandomState()
                generator.set_state(state)
                return generator
            bits = _BIT_GENERATORS[entry.get("bit_generator")]()
            bits.state = state
        except (KeyError, TypeError, ValueError) as error:
            raise Invalid(f"{path} is not a valid random generator state "
                           f"({error}).") from None
        return np.random.Generator(bits)
