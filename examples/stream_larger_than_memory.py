"""
Train on more data than fits in memory: dask-ml's Incremental over a dask array.
================================================================================

A classification data set is generated block by block, lazily, as a dask
array: ``n_rows x 64`` float32 features drawn from a normal distribution and 8
classes read off a fixed random linear "teacher" (with label noise), so that
there is something to learn. It is ``--times`` (default 8) times larger than
the memory budget (``--budget-mb``, default 128 MiB: a 1 GiB data set), and it
never exists in memory as a whole: ``dask_ml.wrappers.Incremental`` hands
:class:`skdeep.MLPNet` one block at a time (``partial_fit``: one epoch over
the block's minibatches, optimizer state and random streams carried from block
to block), each block computed when its turn comes and dropped after. With
``--method loop`` the same happens in a plain Python loop over the blocks
(no dask-ml needed, only dask).

The budget counts the memory the training takes on top of what the program
holds before it starts (the Python interpreter, numpy, scikit-learn, dask,
dask-ml and skdeep: 150-400 MiB, printed as the footprint): the peak resident
memory is measured by the kernel (``VmHWM`` of ``/proc/self/status``, reset
through ``/proc/self/clear_refs`` just before training; elsewhere a sampling
thread) and must stay below footprint + budget. Blocks are an eighth of the
budget; at most a few are alive at once. The script exits with status 1 if the
peak exceeds the budget.

What to expect (measured on a shared 2-core machine with ``--budget-mb 32
--times 8 --hidden 32``: 264 MiB of data, 1 M rows in 64 blocks): peak 8.8 MiB
above a footprint of 397 MiB, test accuracy 0.897 after one pass (chance is
1/8), 12 s of training. ``--fast`` (33 MiB on 8 MiB): 2.8 MiB above the
footprint, accuracy 0.755.

Run ``python examples/stream_larger_than_memory.py`` (or ``--method loop``,
``--budget-mb 256 --times 16``); ``--fast`` streams 32 MiB in under a minute
of machine time.
"""

import argparse
import sys
import threading
import time
import warnings

import numpy as np

N_FEATURES = 64
N_CLASSES = 8
ROW_BYTES = N_FEATURES * 4  # float32 features (the int64 label is counted apart)
TEACHER_SEED = 2024


# ------------------------------------------------------------ memory
def _status_mib(key):
    """A ``/proc/self/status`` field in MiB, or None off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return None


def _current_mib():
    rss = _status_mib("VmRSS")
    if rss is None:
        try:
            import psutil  # installed with dask.distributed
        except ImportError:
            return None
        rss = psutil.Process().memory_info().rss / 2**20
    return rss


class PeakMemory:
    """The process's peak resident memory while the block runs, in MiB.

    On Linux the kernel keeps it (``VmHWM``) and lets the process reset it;
    elsewhere a thread samples the resident size every 5 ms.
    """

    def __enter__(self):
        self.before = _current_mib()
        self.kernel = False
        try:
            with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
                refs.write("5")  # reset VmHWM to the current resident size
            self.kernel = _status_mib("VmHWM") is not None
        except OSError:
            pass
        self.peak = self.before
        if not self.kernel:
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak or 0, _current_mib() or 0)

    def __exit__(self, *exc):
        if self.kernel:
            self.peak = _status_mib("VmHWM")
        else:
            self._stop.set()
            self._thread.join()
        return False


# ------------------------------------------------------------ data
def teacher():
    """The fixed linear map from features to class scores."""
    return np.random.default_rng(TEACHER_SEED).standard_normal(
        (N_FEATURES, N_CLASSES)).astype(np.float32)


def make_block(index, n_rows, test=False):
    """Block ``index`` of the data set (or of the test set): ``(X, y)``, the
    same on every call."""
    rng = np.random.default_rng([TEACHER_SEED, int(test), index])
    X = rng.standard_normal((n_rows, N_FEATURES), dtype=np.float32)
    scores = X @ teacher()
    scores += rng.standard_normal(scores.shape, dtype=np.float32)  # label noise
    return X, scores.argmax(axis=1)


def lazy_data(n_blocks, block_rows):
    """``(X, y)`` as dask arrays of ``n_blocks`` blocks, computed on demand."""
    import dask
    import dask.array as da

    xs, ys = [], []
    for i in range(n_blocks):
        block = dask.delayed(make_block, pure=True)(i, block_rows)
        xs.append(da.from_delayed(block[0], (block_rows, N_FEATURES), np.float32))
        ys.append(da.from_delayed(block[1], (block_rows,), np.int64))
    return da.concatenate(xs), da.concatenate(ys)


# ------------------------------------------------------------ training
def train(model, X, y, method):
    """One pass over the blocks of ``X``/``y``; returns the fitted model."""
    import dask

    classes = np.arange(N_CLASSES)
    with dask.config.set(scheduler="synchronous"):  # one block at a time
        if method == "incremental":
            from dask_ml.wrappers import Incremental

            return Incremental(model, shuffle_blocks=False).fit(
                X, y, classes=classes).estimator_
        for i in range(X.numblocks[0]):  # computed together: one make_block
            model.partial_fit(*dask.compute(X.blocks[i], y.blocks[i]),
                              classes=classes)
        return model


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-mb", type=float, default=128.0,
                        help="memory the training may take above the footprint "
                             "(MiB; default 128)")
    parser.add_argument("--times", type=float, default=8.0,
                        help="data set size as a multiple of the budget "
                             "(default 8)")
    parser.add_argument("--method", choices=("incremental", "loop"),
                        default="incremental",
                        help="dask-ml's Incremental (default) or a plain loop "
                             "over partial_fit")
    parser.add_argument("--hidden", type=int, default=64,
                        help="hidden units of the MLPNet (default 64)")
    parser.add_argument("--fast", action="store_true",
                        help="a 32 MiB data set on an 8 MiB budget (a smoke test)")
    args = parser.parse_args(argv)
    if args.fast:
        args.budget_mb, args.times, args.hidden = 8.0, 4.0, 16
    if args.budget_mb <= 0 or args.times <= 0:
        parser.error("--budget-mb and --times must be positive")
    return args


def main(argv=None):
    """Stream the generated data set through an MLPNet; check the peak memory.

    Parameters
    ----------
    argv : list of str, default=None
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    status : int
        0 when the peak stayed within the budget; 1 when it did not, or when
        dask (or, for ``--method incremental``, dask-ml) is missing.
    """
    args = parse_args(argv)
    try:
        import dask  # noqa: F401
        if args.method == "incremental":
            import dask_ml  # noqa: F401
    except ImportError as error:
        print(f"this example needs dask and dask-ml ({error}): pip install "
              "'skdeep[distributed]'", file=sys.stderr)
        return 1
    from sklearn.exceptions import ConvergenceWarning

    from skdeep import MLPNet

    budget = args.budget_mb * 2**20
    block_rows = max(1, int(budget / 8 // ROW_BYTES))  # blocks of budget / 8
    n_blocks = max(1, round(args.times * 8))
    n_rows = n_blocks * block_rows
    X, y = lazy_data(n_blocks, block_rows)
    X_test, y_test = make_block(0, 2_000 if args.fast else 20_000, test=True)
    model = MLPNet((args.hidden,), batch_size=256, learning_rate_init=1e-3,
                   random_state=0)
    # what stays from here on: the libraries, the test set, and whatever the
    # first run of each code path keeps (imports, caches): a warm-up on one
    # small block, outside the measure
    train(MLPNet((args.hidden,), batch_size=256), *lazy_data(1, 512), args.method)
    footprint = _current_mib()
    data_mib = n_rows * (ROW_BYTES + 8) / 2**20
    print(f"data: {n_rows:,} rows x {N_FEATURES} float32 features + int64 labels "
          f"= {data_mib:,.0f} MiB in {n_blocks} blocks of {block_rows:,} rows, "
          "generated on demand")
    print(f"memory budget: {args.budget_mb:g} MiB above the footprint of "
          f"{footprint:.0f} MiB (the data are {data_mib / args.budget_mb:.1f}x "
          "the budget)")
    print(f"model: MLPNet(({args.hidden},), batch_size=256), method: {args.method}")
    start = time.perf_counter()
    with warnings.catch_warnings(), PeakMemory() as memory:
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = train(model, X, y, args.method)
    seconds = time.perf_counter() - start
    growth = memory.peak - memory.before
    how = "kernel VmHWM" if memory.kernel else "sampled every 5 ms"
    print(f"trained on {n_rows:,} rows in {seconds:.1f} s "
          f"({n_rows / seconds:,.0f} rows/s)")
    print(f"peak memory: {memory.peak:.0f} MiB ({how}), {growth:.1f} MiB above "
          f"the footprint; budget {args.budget_mb:g} MiB")
    print(f"test accuracy: {model.score(X_test, y_test):.3f} "
          f"(chance {1 / N_CLASSES:.3f})")
    within = growth <= args.budget_mb
    print("within budget: " + ("yes" if within else "NO"))
    return 0 if within else 1


# %%
# The docs do not run this example: dask and dask-ml are the ``distributed``
# extra, and it measures its own process's peak memory, which a Sphinx build's
# is not. Run it with ``python examples/stream_larger_than_memory.py``.
if __name__ == "__main__":
    # exit only on failure: the docs' gallery runs examples inside the Sphinx
    # process, which sys.exit(0) would end
    status = main()
    if status:
        sys.exit(status)
