"""Tests for skdeep.datasets: IDX parsing on tiny files written here, and MNIST."""

import gzip
from pathlib import Path

import numpy as np
import pytest

from skdeep.datasets import load_digits_or_mnist, load_mnist

# CI clones the repository with shared/ beside it.
MNIST_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def idx_bytes(array, magic=None):
    """Encode a uint8 array as an IDX file (big-endian magic and sizes)."""
    array = np.asarray(array, dtype=np.uint8)
    if magic is None:
        magic = 0x0800 | array.ndim
    header = np.array([magic, *array.shape], dtype=">i4").tobytes()
    return header + array.tobytes()


def write_idx(path, array, *, compress=True, magic=None, data=None):
    """Write ``array`` (or raw ``data``) to ``path`` (+ '.gz' when compressing)."""
    data = idx_bytes(array, magic) if data is None else data
    if compress:
        path = path.with_name(path.name + ".gz")
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        path.write_bytes(data)
    return path


def make_split(directory, prefix="train", n=5, rows=3, cols=4, *, compress=True,
               seed=0):
    """Write a tiny images/labels pair; return the arrays written."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, rows, cols), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    write_idx(directory / f"{prefix}-images-idx3-ubyte", images, compress=compress)
    write_idx(directory / f"{prefix}-labels-idx1-ubyte", labels, compress=compress)
    return images, labels


@pytest.mark.parametrize("compress", [True, False], ids=["gz", "raw"])
def test_load_roundtrip(tmp_path, compress):
    images, labels = make_split(tmp_path, compress=compress)
    X, y = load_mnist(tmp_path)
    assert X.shape == (5, 12) and X.dtype == np.uint8
    assert y.shape == (5,) and y.dtype == np.uint8
    np.testing.assert_array_equal(X, images.reshape(5, -1))
    np.testing.assert_array_equal(y, labels)


def test_flatten_false_keeps_image_shape(tmp_path):
    images, _ = make_split(tmp_path)
    X, _ = load_mnist(tmp_path, flatten=False)
    assert X.shape == (5, 3, 4)
    np.testing.assert_array_equal(X, images)


@pytest.mark.parametrize("kind", ["t10k", "test"])
def test_test_split_and_alias(tmp_path, kind):
    make_split(tmp_path, "train", n=5, seed=0)
    images, labels = make_split(tmp_path, "t10k", n=3, seed=1)
    X, y = load_mnist(tmp_path, kind=kind)
    np.testing.assert_array_equal(X, images.reshape(3, -1))
    np.testing.assert_array_equal(y, labels)


def test_accepts_str_path_and_returns_writable_arrays(tmp_path):
    make_split(tmp_path)
    X, y = load_mnist(str(tmp_path))
    # np.frombuffer on bytes would give read-only arrays; users scale in place.
    assert X.flags.writeable and y.flags.writeable
    X[0, 0] = 7
    assert X[0, 0] == 7


def test_gz_preferred_over_raw(tmp_path):
    gz_images, gz_labels = make_split(tmp_path, compress=True, seed=0)
    make_split(tmp_path, compress=False, seed=1)
    X, y = load_mnist(tmp_path)
    np.testing.assert_array_equal(X, gz_images.reshape(5, -1))
    np.testing.assert_array_equal(y, gz_labels)


def test_mixed_compression(tmp_path):
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(4, 2, 2), dtype=np.uint8)
    labels = np.arange(4, dtype=np.uint8)
    write_idx(tmp_path / "train-images-idx3-ubyte", images, compress=True)
    write_idx(tmp_path / "train-labels-idx1-ubyte", labels, compress=False)
    X, y = load_mnist(tmp_path)
    np.testing.assert_array_equal(X, images.reshape(4, -1))
    np.testing.assert_array_equal(y, labels)


def test_empty_split(tmp_path):
    make_split(tmp_path, n=0)
    X, y = load_mnist(tmp_path)
    assert X.shape == (0, 12) and y.shape == (0,)


@pytest.mark.parametrize("missing", ["images", "labels"])
def test_missing_file_names_the_path(tmp_path, missing):
    make_split(tmp_path)
    (tmp_path / f"train-{missing}-idx{3 if missing == 'images' else 1}-ubyte.gz"
     ).unlink()
    with pytest.raises(FileNotFoundError,
                       match=f"train-{missing}-idx[13]-ubyte.gz") as excinfo:
        load_mnist(tmp_path)
    assert str(tmp_path) in str(excinfo.value)


def test_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="no_such_dir"):
        load_mnist(tmp_path / "no_such_dir")


@pytest.mark.parametrize("kind", ["valid", "TRAIN", "", None, 1])
def test_bad_kind(tmp_path, kind):
    make_split(tmp_path)
    with pytest.raises(ValueError, match="'kind' parameter"):
        load_mnist(tmp_path, kind=kind)


def test_bad_magic_names_file_and_magic(tmp_path):
    make_split(tmp_path)
    # Labels written where the images belong: magic 2049 instead of 2051.
    write_idx(tmp_path / "train-images-idx3-ubyte", np.arange(5))
    with pytest.raises(ValueError, match=r"train-images-idx3-ubyte\.gz.*2049.*2051"):
        load_mnist(tmp_path)


def test_bad_magic_in_labels(tmp_path):
    make_split(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.arange(5), magic=0x1F8B0801)
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte.*magic number"):
        load_mnist(tmp_path)


def test_count_mismatch(tmp_path):
    make_split(tmp_path, n=5)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.arange(4))
    with pytest.raises(ValueError, match="5 images.*4 labels"):
        load_mnist(tmp_path)


def test_truncated_payload(tmp_path):
    make_split(tmp_path)
    data = idx_bytes(np.zeros((5, 3, 4)))[:-3]
    write_idx(tmp_path / "train-images-idx3-ubyte", None, data=data)
    with pytest.raises(ValueError, match="truncated"):
        load_mnist(tmp_path)


@pytest.mark.parametrize("data", [b"", b"\x00\x00", b"\x00\x00\x08\x03\x00\x00"])
def test_truncated_header(tmp_path, data):
    make_split(tmp_path)
    write_idx(tmp_path / "train-images-idx3-ubyte", None, data=data)
    with pytest.raises(ValueError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path)


def test_not_gzip(tmp_path):
    make_split(tmp_path)
    # A raw IDX file wrongly named .gz (e.g. a browser that decompressed it).
    (tmp_path / "train-images-idx3-ubyte.gz").write_bytes(
        idx_bytes(np.zeros((5, 3, 4))))
    with pytest.raises(ValueError, match="not a valid gzip file"):
        load_mnist(tmp_path)


def test_truncated_gzip(tmp_path):
    make_split(tmp_path)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(ValueError, match="train-images-idx3-ubyte.gz"):
        load_mnist(tmp_path)


@pytest.mark.skipif(not (MNIST_DIR / "t10k-images-idx3-ubyte.gz").exists(),
                    reason=f"MNIST not found in {MNIST_DIR}")
def test_real_mnist_test_set():
    X, y = load_mnist(MNIST_DIR, kind="t10k")
    assert X.shape == (10000, 784) and X.dtype == np.uint8
    assert y.shape == (10000,)
    assert y.min() == 0 and y.max() == 9
    assert set(np.unique(y)) == set(range(10))
    assert X.max() == 255 and X.min() == 0
    # The first test digits, as published with MNIST.
    assert y[:5].tolist() == [7, 2, 1, 0, 4]


def test_load_digits_or_mnist_digits_fallback():
    X_tr, X_te, y_tr, y_te, name = load_digits_or_mnist(images=True, max_train=100)
    assert name == "digits" and X_tr.shape == (100, 1, 8, 8) and len(y_tr) == 100
    assert X_te.shape == (450, 1, 8, 8) and X_te.dtype == np.float32
    assert 0.0 <= X_tr.min() and X_tr.max() == 1.0
    rows = load_digits_or_mnist(max_train=10, max_test=5)
    assert rows[0].shape == (10, 64) and rows[1].shape == (5, 64)


def test_load_digits_or_mnist_reads_the_directory(tmp_path):
    make_split(tmp_path, "train", n=6, rows=28, cols=28)
    make_split(tmp_path, "t10k", n=4, rows=28, cols=28)
    X_tr, X_te, y_tr, y_te, name = load_digits_or_mnist(tmp_path, images=True)
    assert name == "mnist" and X_tr.shape == (6, 1, 28, 28) and X_te.shape[0] == 4
    assert X_tr.max() <= 1.0 and len(y_te) == 4
