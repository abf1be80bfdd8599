"""skdeep.save / skdeep.load: round trips, exact resume, refused files, the
committed fixtures, and skops."""

import io
import json
import os
import pickle
import warnings
import zipfile

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import skdeep
from skdeep import ConvNetClassifier, MLPNet, RBMTransformer, RNNLanguageModel
from skdeep._persistence import FORMAT_VERSION

from .persistence_cases import FIXTURES, SMALL_CONV, cases, fit_case, outputs

CASES = sorted(cases())


def roundtrip(estimator):
    buffer = io.BytesIO()
    skdeep.save(estimator, buffer)
    return skdeep.load(io.BytesIO(buffer.getvalue()))


def members(estimator):
    """The saved file of ``estimator`` as ``{member name: bytes}``."""
    buffer = io.BytesIO()
    skdeep.save(estimator, buffer)
    with zipfile.ZipFile(buffer) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_zip(path, files):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return path


def continue_training(estimator, data):
    """One more epoch: ``partial_fit``, or a warm ``fit`` where there is none
    (lbfgs, the recursive net, early stopping)."""
    if hasattr(estimator, "partial_fit") and not getattr(estimator,
                                                         "early_stopping", False):
        extra = {"classes": estimator.classes_} if hasattr(estimator, "classes_") \
            and len(data) > 1 else {}
        return estimator.partial_fit(*data, **extra)
    return estimator.set_params(warm_start=True, max_iter=1).fit(*data)


def learned_arrays(estimator):
    """Every array of the fitted model, in a fixed order (weights, optimizer
    moments, persistent chains, ...)."""
    found = []

    def walk(value, seen):
        if isinstance(value, np.ndarray) and value.dtype != object:
            found.append(value)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v, seen)
        elif isinstance(value, dict):
            for k in sorted(value, key=str):
                walk(value[k], seen)
        elif hasattr(value, "__dict__") and id(value) not in seen \
                and type(value).__module__.startswith(("skdeep", "sklearn")):
            seen.add(id(value))
            walk(vars(value), seen)

    walk(vars(estimator), set())
    return found


# ------------------------------------------------------------ round trips
@pytest.mark.parametrize("name", CASES)
def test_unfitted_round_trip_keeps_the_parameters(name):
    estimator = clone(cases()[name][0])
    loaded = roundtrip(estimator)
    assert type(loaded) is type(estimator)
    assert repr(loaded.get_params()) == repr(estimator.get_params())
    with pytest.raises(NotFittedError):
        loaded.predict(cases()[name][1][0]) if hasattr(loaded, "predict") \
            else loaded.transform(cases()[name][1][0])


def test_parameters_of_every_kind_round_trip():
    estimators = [
        MLPNet((3, 2), dtype=None, random_state=np.random.RandomState(3),
               learning_rate_init=np.float32(0.01), n_iter_no_change=np.inf),
        ConvNetClassifier(SMALL_CONV, input_shape=(1, 4, 4), dtype="float64"),
        RNNLanguageModel(vocabulary=["a", "b"], max_vocab=None),
        RBMTransformer(dtype=np.float64),
    ]
    for estimator in estimators:
        loaded = roundtrip(estimator)
        for key, value in estimator.get_params().items():
            got = loaded.get_params()[key]
            assert type(got) is type(value), key
            if isinstance(value, np.random.RandomState):  # the same stream
                assert got.randint(10**6, size=3).tolist() == \
                    value.randint(10**6, size=3).tolist()
            else:
                assert repr(got) == repr(value), key
    assert roundtrip(estimators[0]).get_params()["learning_rate_init"].dtype == \
        np.float32


def test_feature_names_round_trip_without_warnings():
    pd = pytest.importorskip("pandas")
    estimator, (X, y) = fit_case("PerceptronClassifier")
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    estimator.fit(frame, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = roundtrip(estimator)
        np.testing.assert_array_equal(loaded.predict(frame), estimator.predict(frame))
    assert list(loaded.feature_names_in_) == list(frame.columns)
    assert loaded.feature_names_in_.dtype == object


@pytest.mark.parametrize("name", CASES)
def test_fitted_round_trip_predicts_the_same_and_resumes_exactly(name):
    estimator, data = fit_case(name)
    loaded = roundtrip(estimator)
    np.testing.assert_array_equal(outputs(loaded, data), outputs(estimator, data))
    assert sorted(vars(loaded)) == sorted(vars(estimator))
    # continuing the loaded model equals continuing the original
    continue_training(estimator, data)
    continue_training(loaded, data)
    np.testing.assert_array_equal(outputs(loaded, data), outputs(estimator, data))
    before, after = learned_arrays(estimator), learned_arrays(loaded)
    assert len(before) == len(after) > 0
    for a, b in zip(before, after):
        np.testing.assert_array_equal(a, b)


def test_shared_objects_stay_shared():
    estimator, _ = fit_case("MLPNet")  # dropout draws from the state's stream
    loaded = roundtrip(estimator)
    dropout = next(layer for layer in loaded._network.layers
                   if type(layer).__name__ == "Dropout")
    assert dropout.rng is loaded._train_state.dropout_rng
    assert loaded.coefs_[0] is loaded._network.layers[0].params["W"]


def test_views_stay_views_and_may_not_reach_outside():
    # an engine RBM's parameters are views of one block (no estimator keeps
    # an engine RBM, so through the format's reader and writer directly)
    from skdeep._model_format import Invalid, Reader, Writer
    from skdeep.nn.rbm import RBM

    rbm = RBM(4, 3, rng=np.random.default_rng(0))
    writer = Writer()
    writer.value(rbm, "rbm")
    table, data = writer.finish()
    assert ["view_of" in entry for entry in table] == [False] * 2 + [True] * 6
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for entry, array in zip((e for e in table if "file" in e), data):
            with zf.open(entry["file"], "w") as member:
                np.lib.format.write_array(member, array)
    with zipfile.ZipFile(buffer) as zf:
        reader = Reader(zf)
        reader.arrays = reader._arrays(table)
        entry = writer.objects[0]
        reader.objects = [reader._shell(entry, "rbm")]
        reader._fill(reader.objects[0], entry, "rbm")
        copy = reader.objects[0]
        assert np.shares_memory(copy.params["W"], copy.packed)
        np.testing.assert_array_equal(copy.params["b_v"], rbm.params["b_v"])
        table[2]["offset"] = 10**6  # a view past the end of its block
        with pytest.raises(Invalid, match=r"arrays\[2\] is not a valid view"):
            reader._arrays(table)


def test_callbacks_are_not_saved():
    callback = pytest.importorskip("sklearn.callback",
                                   reason="sklearn.callback is new in 1.9")
    estimator, (X, y) = fit_case("MLPNet")
    monitor = callback.ScoringMonitor(scoring="accuracy")
    estimator.set_callbacks(monitor).partial_fit(X, y)
    loaded = roundtrip(estimator)
    assert hasattr(estimator, "_skl_callbacks")
    assert not hasattr(loaded, "_skl_callbacks")
    np.testing.assert_array_equal(loaded.predict_proba(X), estimator.predict_proba(X))


def test_save_writes_a_file_atomically(tmp_path):
    estimator, data = fit_case("PerceptronClassifier")
    path = tmp_path / "model.skdeep"
    skdeep.save(estimator, path)
    skdeep.save(estimator, str(path))  # overwrites
    assert os.listdir(tmp_path) == ["model.skdeep"]
    np.testing.assert_array_equal(skdeep.load(path).predict(data[0]),
                                  estimator.predict(data[0]))
    with pytest.raises(TypeError, match="skdeep.save writes skdeep's estimators"):
        skdeep.save(object(), tmp_path / "x.skdeep")
    assert os.listdir(tmp_path) == ["model.skdeep"]


def test_save_refuses_what_the_format_cannot_hold(tmp_path):
    class Sub(MLPNet):
        pass

    with pytest.raises(TypeError, match="skdeep.save writes skdeep's estimators"):
        skdeep.save(Sub(), tmp_path / "sub.skdeep")
    net = MLPNet(random_state=lambda: 0)  # not a parameter value of the format
    with pytest.raises(TypeError, match=r"MLPNet.get_params\(\)\['random_state'\]"):
        skdeep.save(net, tmp_path / "f.skdeep")
    assert not os.listdir(tmp_path)


def test_the_file_is_json_and_npy():
    estimator, _ = fit_case("MLPNet")
    files = members(estimator)
    manifest = json.loads(files["skdeep.json"])
    assert manifest["format"] == "skdeep"
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["estimator"] == "skdeep.MLPNet"
    root = manifest["objects"][manifest["root"]["$ref"]]
    assert root["params"]["hidden_layer_sizes"] == {"$tuple": [5]}
    assert root["state"]["n_features_in_"] == 16
    for entry in manifest["arrays"]:
        array = np.load(io.BytesIO(files[entry["file"]]), allow_pickle=False)
        assert array.dtype.str == entry["dtype"]
        assert list(array.shape) == entry["shape"]
    assert set(files) == {"skdeep.json"} | {e["file"] for e in manifest["arrays"]}


# ------------------------------------------------------------ refused files
class Boom:
    """Unpickling this creates a directory: proof that code ran."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return os.mkdir, (self.marker,)


@pytest.fixture
def valid_files():
    return members(fit_case("MLPNet")[0])


def test_a_pickle_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(Boom(marker)))
    with pytest.raises(ValueError, match="looks like a pickle.*never unpickles"):
        skdeep.load(path)
    assert not marker.exists()


def test_a_pickle_inside_the_zip_is_refused_and_not_run(tmp_path, valid_files):
    marker = tmp_path / "ran"
    manifest = json.loads(valid_files["skdeep.json"])
    name = manifest["arrays"][0]["file"]
    # an object array (its payload pickled) in place of a weight array
    payload = io.BytesIO()
    np.save(payload, np.array([Boom(marker)], dtype=object), allow_pickle=True)
    swapped = write_zip(tmp_path / "a.skdeep", {**valid_files, name:
                                                payload.getvalue()})
    with pytest.raises(ValueError, match="dtype object.*manifest says dtype"):
        skdeep.load(swapped)
    # and declared as such in the manifest
    manifest["arrays"][0].update(dtype="|O", shape=[1])
    declared = write_zip(tmp_path / "b.skdeep", {
        **valid_files, name: payload.getvalue(),
        "skdeep.json": json.dumps(manifest)})
    with pytest.raises(ValueError, match="dtype object is not one of the format"):
        skdeep.load(declared)
    # or as an extra member, or named as a class
    extra = write_zip(tmp_path / "c.skdeep", {
        **valid_files, "model.pkl": pickle.dumps(Boom(marker))})
    with pytest.raises(ValueError, match="member 'model.pkl'.*does not list"):
        skdeep.load(extra)
    manifest = json.loads(valid_files["skdeep.json"])
    manifest["objects"][0]["class"] = "os.mkdir"
    named = write_zip(tmp_path / "d.skdeep", {
        **valid_files, "skdeep.json": json.dumps(manifest)})
    with pytest.raises(ValueError, match="class 'os.mkdir', which is not one of"):
        skdeep.load(named)
    assert not marker.exists()


@pytest.mark.parametrize("cut", [0.5, 0.99, 30])
def test_a_truncated_file_is_refused(tmp_path, cut):
    estimator, _ = fit_case("MLPNet")
    path = tmp_path / "model.skdeep"
    skdeep.save(estimator, path)
    data = path.read_bytes()
    path.write_bytes(data[:int(len(data) * cut)] if cut < 1 else data[:cut])
    with pytest.raises(ValueError, match="damaged or truncated zip archive"):
        skdeep.load(path)


def test_a_tampered_array_is_refused(tmp_path):
    estimator, _ = fit_case("MLPNet")
    path = tmp_path / "model.skdeep"
    skdeep.save(estimator, path)
    data = bytearray(path.read_bytes())
    # the first layer's weights (stored, not compressed): 320 bytes after
    # their .npy header
    header = data.index(b"'shape': (16, 5)")
    data[data.index(b"\n", header) + 100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="Bad CRC-32"):
        skdeep.load(path)


def test_a_newer_or_unknown_version_is_refused(tmp_path, valid_files):
    manifest = json.loads(valid_files["skdeep.json"])
    newer = (rf"format version {FORMAT_VERSION + 1}; this skdeep \(.*\) reads versions "
             rf"up to {FORMAT_VERSION}: upgrade")
    for version, match in [(FORMAT_VERSION + 1, newer),
                           ("1", "format version '1' is not a version"),
                           (0, "format version 0 is not a version")]:
        manifest["format_version"] = version
        path = write_zip(tmp_path / "v.skdeep", {**valid_files,
                                                 "skdeep.json": json.dumps(manifest)})
        with pytest.raises(ValueError, match=match):
            skdeep.load(path)


def test_wrong_shapes_are_refused(tmp_path, valid_files):
    manifest = json.loads(valid_files["skdeep.json"])
    # the first layer's weights
    first = next(a for a in manifest["arrays"] if a["shape"] == [16, 5])
    wrong = io.BytesIO()
    np.save(wrong, np.zeros((16, 4), dtype=first["dtype"]))
    files = {**valid_files, first["file"]: wrong.getvalue()}
    with pytest.raises(ValueError, match=r"shape \(16, 4\), but the manifest says "
                                         r"dtype float32 and shape \(16, 5\)"):
        skdeep.load(write_zip(tmp_path / "a.skdeep", files))
    # consistent with the manifest, but not with the rest of the network
    first["shape"] = [16, 4]
    files["skdeep.json"] = json.dumps(manifest)
    with pytest.raises(ValueError, match="arrays do not fit together"):
        skdeep.load(write_zip(tmp_path / "b.skdeep", files))


@pytest.mark.parametrize("files,match", [
    ({"readme.txt": b"hello"}, "there is no skdeep.json in it"),
    ({"skdeep.json": b"{not json"}, "manifest is not JSON"),
    ({"skdeep.json": b'{"format": "other"}'}, "does not say format 'skdeep'"),
    ({"skdeep.json": b'{"format": "skdeep", "format_version": 1, "x": NaN}'},
     "NaN, which is not JSON"),
    ({"skdeep.json": json.dumps({
        "format": "skdeep", "format_version": 1, "arrays": [], "estimator": "x",
        "objects": [{"class": "skdeep.MLPNet", "params": {"not_a_param": 1}}],
        "root": {"$ref": 0}})}, r"objects\[0\].params are not parameters"),
    ({"skdeep.json": json.dumps({
        "format": "skdeep", "format_version": 1, "arrays": [], "estimator": "x",
        "objects": [], "root": {"$scalar_type": "__import__"}})},
     r"root is not a valid \$scalar_type"),
    ({"skdeep.json": json.dumps({
        "format": "skdeep", "format_version": 1, "arrays": [], "estimator": "x",
        "objects": [{"class": "skdeep.MLPNet", "params": {},
                     "state": {"predict": {"$scalar_type": "float32"}}}],
        "root": {"$ref": 0}})}, r"state names methods of skdeep.MLPNet: \['pred"),
])
def test_foreign_and_malformed_files_are_refused(tmp_path, files, match):
    with pytest.raises(ValueError, match=match):
        skdeep.load(write_zip(tmp_path / "x.skdeep", files))


def test_not_a_zip_and_a_missing_file(tmp_path):
    path = tmp_path / "x.skdeep"
    path.write_bytes(b"GIF89a...")
    with pytest.raises(ValueError, match="is not a skdeep model file: not a zip"):
        skdeep.load(path)
    with pytest.raises(FileNotFoundError):
        skdeep.load(tmp_path / "missing.skdeep")


# ------------------------------------------------------------ committed fixtures
EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))


def structure(value):
    """A manifest without its numbers: classes, attribute names, types,
    array dtypes and shapes (what a change of the format changes)."""
    if isinstance(value, dict):
        return {k: structure(v) for k, v in value.items() if k != "skdeep_version"}
    if isinstance(value, list):
        if value and all(type(v) is float for v in value):
            return "list of floats"  # a loss curve: its length is not format
        return [structure(v) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    return type(value).__name__


@pytest.mark.parametrize("name", CASES)
def test_committed_fixture_loads_predicts_and_trains(name):
    loaded = skdeep.load(FIXTURES / f"{name}.skdeep")
    data = cases()[name][1]
    np.testing.assert_allclose(outputs(loaded, data), EXPECTED["outputs"][name],
                               rtol=1e-5, atol=1e-6)
    continue_training(loaded, data)


#: Files written by earlier format versions, with the outputs they gave then.
OLD_FIXTURES = {1: FIXTURES / "v1"}


@pytest.mark.parametrize("version", sorted(OLD_FIXTURES))
@pytest.mark.parametrize("name", sorted(EXPECTED["outputs"]))
def test_files_of_earlier_format_versions_still_load(version, name):
    folder = OLD_FIXTURES[version]
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    with zipfile.ZipFile(folder / f"{name}.skdeep") as zf:
        assert json.loads(zf.read("skdeep.json"))["format_version"] == version
    loaded = skdeep.load(folder / f"{name}.skdeep")
    data = cases()[name][1]
    np.testing.assert_allclose(outputs(loaded, data), expected["outputs"][name],
                               rtol=1e-5, atol=1e-6)
    continue_training(loaded, data)


@pytest.mark.parametrize("name", CASES)
def test_save_still_writes_what_the_fixture_holds(name):
    # A fitted attribute added, renamed or retyped changes the files: then
    # FORMAT_VERSION must change, old files must still load, and the fixtures
    # be written again (python -m tests.persistence_cases).
    with zipfile.ZipFile(FIXTURES / f"{name}.skdeep") as zf:
        committed = json.loads(zf.read("skdeep.json"))
    fresh = json.loads(members(fit_case(name)[0])["skdeep.json"])
    assert committed["format_version"] == FORMAT_VERSION
    assert structure(fresh) == structure(committed)


def test_every_estimator_and_engine_class_is_in_the_format():
    import inspect

    from skdeep import nn
    from skdeep._model_format import CLASSES, ESTIMATORS

    exported = {getattr(skdeep, name) for name in skdeep.__all__}
    estimators = {cls for cls in exported
                  if inspect.isclass(cls) and hasattr(cls, "get_params")}
    assert estimators == set(ESTIMATORS)
    engine = {*nn.LAYERS, *nn.LOSSES.values(), *nn.OPTIMIZERS.values(),
              *(cls for cls in nn.CELLS.values() if inspect.isclass(cls))}
    assert engine <= set(CLASSES.values())


# ------------------------------------------------------------ skops
@pytest.mark.parametrize("name", CASES)
def test_skops_trusts_only_skdeeps_classes(name):
    sio = pytest.importorskip("skops.io")
    estimator, data = fit_case(name)
    dumped = sio.dumps(estimator)
    untrusted = sio.get_untrusted_types(data=dumped)
    assert untrusted and all(name.startswith("skdeep.") for name in untrusted)
    loaded = sio.loads(dumped, trusted=untrusted)
    np.testing.assert_array_equal(outputs(loaded, data), outputs(estimator, data))
