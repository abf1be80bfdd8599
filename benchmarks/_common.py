"""What the benchmark scripts share: thread setup, the run header, small statistics.

Import this module before numpy: BLAS thread limits must be in the environment
before the library is loaded. When a script is imported into a process that
already loaded numpy (the smoke tests), ``threadpool_limits`` still applies the
limit at run time.
"""

import os
import platform
import statistics
import sys

N_THREADS = 2  # the workloads' thread count (shared/WORKLOADS.md)

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, str(N_THREADS))

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402

try:  # run from a checkout without installing skdeep
    import skdeep  # noqa: E402
except ImportError:  # pragma: no cover
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import skdeep  # noqa: E402

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:  # pragma: no cover
    threadpool_info = threadpool_limits = None

__all__ = ["N_THREADS", "digits_data", "import_torch", "limit_threads", "loadavg",
           "median", "print_header", "ratio"]


def median(values):
    """Median, NaN for no values."""
    return statistics.median(values) if values else float("nan")


def ratio(a, b):
    """``a / b``, NaN when ``b`` is missing, zero or not finite."""
    return a / b if b and np.isfinite(b) else float("nan")


def loadavg():
    """The machine's load averages, for the record (other jobs skew timings)."""
    try:
        return "load average " + ", ".join(f"{v:.2f}" for v in os.getloadavg())
    except (AttributeError, OSError):  # pragma: no cover (Windows)
        return "load average n/a"


def import_torch():
    """The ``torch`` module, or None when it is not installed (or broken)."""
    try:
        import torch
    except Exception:  # ImportError, or a broken install
        return None
    return torch


def digits_data():
    """``load_digits``, X/16 as float32, the workloads' stratified 75/25 split.

    Returns ``X_train, X_test, y_train, y_test``.
    """
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)
    return train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)


def limit_threads(n_threads):
    """Limit numpy's BLAS to ``n_threads``; returns the limiter (or None).

    Call ``.restore_original_limits()`` on the result when done.
    """
    if threadpool_limits is None:  # pragma: no cover
        return None
    return threadpool_limits(limits=n_threads)


def print_header(n_threads, torch=False):
    """Print library versions, the machine, the thread count and the BLAS.

    ``torch``: the torch module, None when unavailable, or False to leave it
    out of the header (benchmarks without a torch anchor).
    """
    versions = (f"python {platform.python_version()}, numpy {np.__version__}, "
                f"scikit-learn {sklearn.__version__}, skdeep {skdeep.__version__}")
    if torch is not False:
        versions += (", torch "
                     + (torch.__version__ if torch is not None else "not available"))
    print(versions)
    print(f"machine: {platform.machine()}, {os.cpu_count()} logical CPUs; "
          f"threads: {n_threads}; OPENBLAS_CORETYPE="
          f"{os.environ.get('OPENBLAS_CORETYPE', '(unset)')}")
    if threadpool_info is not None:
        for pool in threadpool_info():
            print(f"  threadpool: {pool.get('internal_api')} "
                  f"{pool.get('version')} ({pool.get('architecture')}), "
                  f"num_threads={pool.get('num_threads')}")
    else:  # pragma: no cover
        print("  threadpoolctl not installed: relying on *_NUM_THREADS variables")
