"""Loaders for datasets stored on disk (nothing is downloaded).

:func:`load_mnist` reads the four IDX files in which MNIST is distributed (and
Fashion-MNIST, which uses the same names and format), the data of the Keras
784-500-500-10 net of seed 002 and of the MNIST chapters of seed 004.
"""

import gzip
import os
import zlib
from pathlib import Path

import numpy as np

__all__ = ["load_digits_or_mnist", "load_mnist", "load_sklearn_descriptions"]

# IDX magic numbers: two zero bytes, a type code (0x08 = unsigned byte) and the
# number of dimensions. MNIST images are 3-D (n, rows, cols), labels 1-D (n,).
_MAGIC_IMAGES = 0x00000803  # 2051
_MAGIC_LABELS = 0x00000801  # 2049

_KINDS = {"train": "train", "t10k": "t10k", "test": "t10k"}


def _find_file(directory, name):
    """Return the ``.gz`` file ``name`` in ``directory``, or its uncompressed twin."""
    gz_path = directory / f"{name}.gz"
    if gz_path.is_file():
        return gz_path
    raw_path = directory / name
    if raw_path.is_file():
        return raw_path
    raise FileNotFoundError(
        f"MNIST file not found: {str(gz_path)!r} (nor the uncompressed "
        f"{str(raw_path)!r})."
    )


def _read_idx(filename, expected_magic):
    """Read one IDX file of unsigned bytes; return an array of its header's shape.

    Parameters
    ----------
    filename : pathlib.Path
        An IDX file, gzip-compressed when its name ends in ``.gz``.
    expected_magic : int
        The magic number the file must start with (2051 images, 2049 labels).

    Returns
    -------
    data : ndarray of dtype uint8
        The payload, shaped as the header's dimensions say; writable.
    """
    try:
        if filename.suffix == ".gz":
            with gzip.open(filename, "rb") as f:
                # A bytearray (not bytes) makes the array below writable without
                # copying 47 MB a second time.
                buffer = bytearray(f.read())
        else:
            buffer = bytearray(filename.read_bytes())
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise ValueError(f"{str(filename)!r} is not a valid gzip file: {exc}") from exc

    if len(buffer) < 4:
        raise ValueError(
            f"{str(filename)!r} is too short ({len(buffer)} bytes) to be an IDX file."
        )
    magic = int(np.frombuffer(buffer, dtype=">i4", count=1)[0])
    if magic != expected_magic:
        what = "images" if expected_magic == _MAGIC_IMAGES else "labels"
        raise ValueError(
            f"{str(filename)!r} has magic number {magic} (0x{magic & 0xFFFFFFFF:08x}); "
            f"expected {expected_magic} (0x{expected_magic:08x}) for an IDX file of "
            f"MNIST {what}."
        )
    ndim = magic & 0xFF
    header_size = 4 + 4 * ndim
    if len(buffer) < header_size:
        raise ValueError(f"{str(filename)!r} ends inside its IDX header.")
    shape = tuple(int(d) for d in np.frombuffer(buffer, dtype=">i4", count=ndim,
                                                offset=4))
    expected_size = header_size + int(np.prod(shape, dtype=np.int64))
    if len(buffer) != expected_size:
        # A truncated download is the usual cause; say so rather than return a
        # silently shorter array (or fail later in reshape).
        raise ValueError(
            f"{str(filename)!r} holds {len(buffer)} bytes but its header "
            f"(shape {shape}) announces {expected_size}; the file is truncated or "
            "corrupt."
        )
    return np.frombuffer(buffer, dtype=np.uint8, offset=header_size).reshape(shape)


def load_mnist(path, kind="train", *, flatten=True):
    """Load MNIST (or Fashion-MNIST) from the IDX files of a directory.

    Reads ``{kind}-images-idx3-ubyte.gz`` and ``{kind}-labels-idx1-ubyte.gz``
    from ``path``; when a ``.gz`` file is absent, its uncompressed twin (the same
    name without ``.gz``) is read instead. Nothing is downloaded.

    Parameters
    ----------
    path : str or os.PathLike
        Directory holding the files, e.g. the four files of
        http://yann.lecun.com/exdb/mnist/ as distributed.
    kind : {'train', 't10k', 'test'}, default='train'
        Which split: the 60,000 training images or the 10,000 test images
        (``'test'`` is an alias of ``'t10k'``, the files' own prefix).
    flatten : bool, default=True
        If True, ``X`` has one row of ``rows * cols`` pixels per image (784 for
        MNIST), the layout every estimator expects; if False, ``X`` keeps the
        images' shape ``(n_samples, rows, cols)``.

    Returns
    -------
    X : ndarray of shape (n_samples, 784) or (n_samples, 28, 28), dtype uint8
        Pixel intensities 0 (background) to 255 (ink), row by row. Divide by 255
        to get the ``[0, 1]`` inputs the seed programs use.
    y : ndarray of shape (n_samples,), dtype uint8
        Digit labels 0 to 9, as stored in the file (``y.astype(int)`` if a wider
        type is needed).

    Raises
    ------
    FileNotFoundError
        If an images or labels file is missing; the message names the path.
    ValueError
        If ``kind`` is unknown, a file does not start with the IDX magic number of
        MNIST images (2051) or labels (2049), a file is truncated or not valid
        gzip, or the two files hold different numbers of samples.

    See Also
    --------
    sklearn.datasets.load_digits : 8x8 digits shipped with scikit-learn.

    Notes
    -----
    IDX format: a big-endian 32-bit magic number (``0x00000803`` for 3-D unsigned
    byte images, ``0x00000801`` for 1-D labels), one big-endian 32-bit size per
    dimension, then the bytes in C order.

    Examples
    --------
    >>> from skdeep.datasets import load_mnist
    >>> X, y = load_mnist("data/mnist", kind="t10k")  # doctest: +SKIP
    >>> X.shape, X.dtype, y[:5]  # doctest: +SKIP
    ((10000, 784), dtype('uint8'), array([7, 2, 1, 0, 4], dtype=uint8))
    >>> X = X / 255.0  # doctest: +SKIP
    """
    if not isinstance(kind, str) or kind not in _KINDS:
        raise ValueError(
            f"The 'kind' parameter must be one of {sorted(_KINDS)}; got {kind!r}."
        )
    prefix = _KINDS[kind]
    directory = Path(os.fspath(path))
    images_file = _find_file(directory, f"{prefix}-images-idx3-ubyte")
    labels_file = _find_file(directory, f"{prefix}-labels-idx1-ubyte")

    images = _read_idx(images_file, _MAGIC_IMAGES)
    labels = _read_idx(labels_file, _MAGIC_LABELS)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(
            f"{str(images_file)!r} holds {images.shape[0]} images but "
            f"{str(labels_file)!r} holds {labels.shape[0]} labels."
        )
    if flatten:
        # Explicit sizes rather than -1, which numpy cannot infer for 0 images.
        images = images.reshape(images.shape[0], int(np.prod(images.shape[1:])))
    return images, labels


def load_sklearn_descriptions(split_paragraphs=False):
    """Text corpus read at run time from the dataset descriptions scikit-learn ships.

    Every scikit-learn installation carries reStructuredText descriptions of its
    datasets (``sklearn/datasets/descr/*.rst``, about 60 kB of English). They make
    a small embedded corpus for language models, with nothing downloaded and
    nothing copied into skdeep.

    Parameters
    ----------
    split_paragraphs : bool, default=False
        Return one document per non-empty paragraph instead of one per file.

    Returns
    -------
    list of str
        The documents, in file-name order.

    See Also
    --------
    skdeep.RNNLanguageModel : The language model the corpus feeds.

    Examples
    --------
    >>> from skdeep.datasets import load_sklearn_descriptions
    >>> docs = load_sklearn_descriptions()
    >>> len(docs) >= 10 and all(isinstance(d, str) for d in docs)
    True
    """
    from importlib import resources

    folder = resources.files("sklearn.datasets") / "descr"
    names = sorted(f.name for f in folder.iterdir() if f.name.endswith(".rst"))
    if not names:
        raise FileNotFoundError(
            f"No dataset descriptions found in {folder}; is scikit-learn installed "
            "completely?"
        )
    docs = [(folder / name).read_text(encoding="utf-8") for name in names]
    if split_paragraphs:
        docs = [p.strip() for doc in docs for p in doc.split("\n\n") if p.strip()]
    return docs


def load_digits_or_mnist(mnist_dir=None, *, images=False, max_train=None,
                         max_test=None):
    """MNIST from ``mnist_dir``, else scikit-learn's digits; pixels in ``[0, 1]``.

    The examples' data source: real MNIST when a directory is given, otherwise
    the digits that ship with scikit-learn, split as the benchmark workloads
    split them (``test_size=0.25, random_state=0``, stratified).

    Parameters
    ----------
    mnist_dir : str, path or None, default=None
        Folder with the MNIST IDX files (see :func:`load_mnist`); ``None`` uses
        :func:`sklearn.datasets.load_digits`.
    images : bool, default=False
        Return ``(n, 1, H, W)`` images instead of ``(n, H·W)`` rows.
    max_train, max_test : int or None, default=None
        Keep only the first so many training / test samples.

    Returns
    -------
    X_train, X_test : ndarray of float32
        Pixels scaled to ``[0, 1]`` (by 255 for MNIST, 16 for digits).
    y_train, y_test : ndarray of shape (n,)
        Labels.
    name : {'mnist', 'digits'}
        Which data set was loaded.

    See Also
    --------
    load_mnist : The IDX reader used for ``mnist_dir``.
    sklearn.datasets.load_digits : The 8x8 digits.

    Examples
    --------
    >>> from skdeep.datasets import load_digits_or_mnist
    >>> X_train, X_test, y_train, y_test, name = load_digits_or_mnist(images=True)
    >>> name, X_train.shape, float(X_train.max())
    ('digits', (1347, 1, 8, 8), 1.0)
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if mnist_dir is not None:
        X_train, y_train = load_mnist(mnist_dir, kind="train")
        X_test, y_test = load_mnist(mnist_dir, kind="t10k")
        scale, side, name = 255.0, 28, "mnist"
    else:
        X, y = load_digits(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, random_state=0, stratify=y)
        scale, side, name = 16.0, 8, "digits"
    X_train, y_train = X_train[:max_train], y_train[:max_train]
    X_test, y_test = X_test[:max_test], y_test[:max_test]

    def scaled(X):
        X = np.asarray(X, dtype=np.float32) / np.float32(scale)
        return X.reshape(-1, 1, side, side) if images else X  # (n, 1, H, W)

    return scaled(X_train), scaled(X_test), y_train, y_test, name
