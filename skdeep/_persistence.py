"""``skdeep.save`` and ``skdeep.load``: models in an open format without pickle.

A model file is a zip archive of one JSON manifest, ``skdeep.json``, and one
``.npy`` file per array under ``arrays/``. The manifest holds the estimator's
class and constructor parameters, and, once fitted, everything ``fit`` set on
it: scalars, strings, lists and dicts as JSON; arrays by reference; the
network, its layers, the loss, the optimizer and the training state as objects
of a fixed list of skdeep classes, each with its attributes; numpy random
generators by their bit generator's state (a dict of integers). Objects and
arrays are numbered, so what the model shares (a dropout layer and the training
state drawing from one generator; ``coefs_`` and the layers' weights) stays
shared after loading. ``docs/persistence.md`` describes the format.

Loading never unpickles and never imports or calls anything named by the
file: class names are looked up in :data:`CLASSES`, arrays are read with
``allow_pickle=False`` after their header is checked against the manifest, and
a loaded fitted model must predict on a probe input before it is returned.
"""

import json
import os
import secrets
import warnings
import zipfile

import numpy as np

from ._model_format import (
    CLASSES,
    SAVABLE,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    NAMES,
    Invalid,
    Reader,
    Writer,
)
from ._recursive import RecursiveNetClassifier
from ._rnn import RNNClassifier, RNNRegressor
from ._rnn_lm import RNNLanguageModel
from .rl._deepq import DeepQLearner

__all__ = ["CLASSES", "FORMAT_VERSION", "load", "save"]


def save(estimator, file):
    """Save an estimator, fitted or not, in skdeep's pickle-free format.

    The file is a zip of a JSON manifest and ``.npy`` arrays (see
    ``docs/persistence.md``): the constructor parameters, and for a fitted
    model the network, the fitted attributes, the optimizer state and the
    random streams, so that ``partial_fit`` or a ``warm_start`` fit after
    :func:`load` continues exactly as the saved object would.
    ``sklearn.callback`` callbacks are not saved.

    Parameters
    ----------
    estimator : skdeep estimator
        An instance of one of skdeep's estimator classes (not a subclass).
    file : str, path-like or binary file object
        Where to write. A path is written to a temporary file next to it and
        renamed, so that a failed save leaves no partial file.

    Raises
    ------
    TypeError
        If ``estimator`` or something it holds is not part of the format.

    See Also
    --------
    load : Read the file back.

    Examples
    --------
    >>> import os, tempfile
    >>> import numpy as np
    >>> import skdeep
    >>> X, y = np.array([[0., 0], [1, 1], [0, 1], [1, 0]]), [0, 1, 1, 0]
    >>> net = skdeep.MLPNet((4,), max_iter=5, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "net.skdeep")
    >>> skdeep.save(net, path)
    >>> bool((skdeep.load(path).predict_proba(X) == net.predict_proba(X)).all())
    True
    """
    if type(estimator) not in SAVABLE:
        raise TypeError(
            "skdeep.save writes skdeep's estimators and agent (" + ", ".join(
                cls.__name__ for cls in SAVABLE) + f"); got {type(estimator)}."
        )
    writer = Writer()
    root = writer.value(estimator, type(estimator).__name__)
    arrays, data = writer.finish()
    from . import __version__

    manifest = {"format": FORMAT, "format_version": FORMAT_VERSION,
                "skdeep_version": __version__,
                "estimator": NAMES[type(estimator)], "root": root,
                "objects": writer.objects, "arrays": arrays}
    text = json.dumps(manifest, allow_nan=False, separators=(",", ":"))
    files = [(entry["file"], a) for entry, a in
             zip((e for e in arrays if "file" in e), data)]
    if hasattr(file, "write"):
        _write_zip(file, text, files)
        return
    path = os.path.abspath(os.fspath(file))
    # a new name next to it ("x": never an existing file), created with the
    # usual permissions (tempfile's would be private to the user)
    tmp = os.path.join(os.path.dirname(path),
                       f".{os.path.basename(path)}.{secrets.token_hex(8)}.tmp")
    try:
        with open(tmp, "xb") as out:
            _write_zip(out, text, files)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _write_zip(out, text, files):
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(MANIFEST, text, compress_type=zipfile.ZIP_DEFLATED)
        for name, array in files:
            # stored, not deflated: weights hardly compress, and reading them
            # back then costs one copy
            with zf.open(name, "w", force_zip64=array.nbytes > 2**30) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(array),
                                          allow_pickle=False)


def load(file):
    """Load an estimator saved by :func:`save`, never executing code from the file.

    Nothing in the file is unpickled, imported or called: the classes it names
    must be among skdeep's (:data:`skdeep._persistence.CLASSES`), arrays are
    read with ``allow_pickle=False`` after their shape and dtype are checked
    against the manifest, and a fitted model must predict on a probe input
    before it is returned. Any other file, a truncated or tampered one, or one
    from a newer format version gets a ``ValueError`` saying what is wrong.

    Parameters
    ----------
    file : str, path-like or binary file object
        A file written by :func:`save`.

    Returns
    -------
    estimator
        A new estimator equal to the saved one: the same parameters and, when
        fitted, the same predictions; ``partial_fit`` and ``warm_start``
        continue its training exactly.

    Raises
    ------
    ValueError
        If the file is not a valid skdeep model file of a version this skdeep
        reads.

    See Also
    --------
    save : Write a model file.

    Examples
    --------
    >>> import io
    >>> import skdeep
    >>> buffer = io.BytesIO()
    >>> skdeep.save(skdeep.RBMTransformer(n_components=3), buffer)
    >>> skdeep.load(io.BytesIO(buffer.getvalue()))
    RBMTransformer(n_components=3)
    """
    name = getattr(file, "name", None) or (
        "the file object" if hasattr(file, "read") else os.fspath(file))
    try:
        with zipfile.ZipFile(file) as zf:
            return _check_loaded(Reader(zf).load())
    except zipfile.BadZipFile as error:
        raise ValueError(f"{name} is not a skdeep model file: "
                         f"{_not_a_zip(file, error)}") from None
    except (ValueError, TypeError, KeyError, IndexError, AttributeError, EOFError,
            OverflowError, RecursionError, MemoryError, NotImplementedError,
            zipfile.LargeZipFile) as error:
        # Invalid says what is wrong; anything else is a file nobody wrote
        # with skdeep.save (a missing file, though, is an OSError, left as is)
        detail = str(error) if isinstance(error, Invalid) else (
            f"{type(error).__name__}: {error}")
        raise ValueError(f"{name} is not a valid skdeep model file: {detail}") \
            from None


def _not_a_zip(file, error):
    """Why a file that zipfile refuses is not ours, in the user's words."""
    try:
        if hasattr(file, "read"):
            file.seek(0)
            head = file.read(4)
        else:
            with open(file, "rb") as f:
                head = f.read(4)
    except OSError:
        head = b""
    if head[:1] == b"\x80" or head[:1] in (b"(", b"]", b"}"):
        return ("it looks like a pickle (a joblib or pickle dump?). skdeep.load "
                "never unpickles: load pickles only from sources you trust, with "
                "joblib.load.")
    if head[:2] == b"PK":
        return f"a damaged or truncated zip archive ({error})."
    return f"not a zip archive ({error})."


def _probe(estimator):
    """A tiny input the fitted model must accept (it checks the arrays fit)."""
    if isinstance(estimator, DeepQLearner):
        return np.zeros((1, estimator.n_inputs_))
    if isinstance(estimator, RNNLanguageModel):
        return [""]
    if isinstance(estimator, RecursiveNetClassifier):
        return ["(0 x)"]
    n = estimator.n_features_in_
    if isinstance(estimator, (RNNClassifier, RNNRegressor)):
        return np.zeros((1, 1, n))
    return np.zeros((1, n))


def _check_loaded(estimator):
    """Refuse arrays that do not fit together, before anyone uses the model."""
    if not any(k.endswith("_") and not k.startswith("_") for k in vars(estimator)):
        return estimator  # not fitted: parameters only
    problems = []
    network = getattr(estimator, "_network", getattr(estimator, "q_network_", None))
    for layer in getattr(network, "layers", []):
        params, grads = layer.params, layer.grads
        if set(params) != set(grads) or any(
                np.shape(params[k]) != np.shape(grads[k]) for k in params):
            problems.append(f"{type(layer).__name__}'s gradients do not match its "
                            "parameters")
    moments = getattr(getattr(estimator, "_train_state", None), "optimizer", None)
    moments = getattr(moments, "state_", None)
    if network is not None and moments is not None:
        # an optimizer keeps one array (or a tuple of them) per weight array
        shapes = [np.shape(p) for p in network.param_arrays()]
        found = [np.shape(m[0] if isinstance(m, tuple) else m) for m in moments]
        if shapes != found:
            problems.append("the optimizer's state does not match the weights")
    if not problems:
        try:
            method = (getattr(estimator, "predict", None)
                      or getattr(estimator, "q_values", None) or estimator.transform)
            with warnings.catch_warnings():  # e.g. "X has no feature names"
                warnings.simplefilter("ignore")
                method(_probe(estimator))
        except Exception as error:  # noqa: BLE001  (any failure: say which)
            problems.append(f"it cannot predict ({type(error).__name__}: {error})")
    if problems:
        raise Invalid("its arrays do not fit together: " + "; ".join(problems)
                      + ".")
    return estimator

