"""Benchmark an 8-candidate MLPNet grid search on a dask LocalCluster against n_jobs=1.

Workload MLP-search (this script's own; shared/WORKLOADS.md has no search):
the MLP-digits data (load_digits, X/16 as float32, train_test_split(test_size=0.25,
random_state=0, stratify=y)); ``GridSearchCV(MLPNet(max_iter=30, batch_size=64,
random_state=0), cv=3)`` over 8 candidates::

    hidden_layer_sizes  (128,), (256, 128)
    alpha               1e-4, 1e-2
    learning_rate_init  1e-3, 3e-3

that is 24 fits and the refit of the best candidate. Two runs of the same
search, interleaved over the repeats:

* ``n_jobs=1``: one fit after the other in this process, BLAS with
  ``--serial-threads`` threads (default: every available core; what a user
  gets by default);
* ``dask``: ``joblib.parallel_config(backend="dask")`` on a
  ``LocalCluster(n_workers=--workers, threads_per_worker=1)`` (default: one
  worker per core), after :func:`skdeep.parallel.limit_worker_blas_threads`
  (cores // workers BLAS threads each). The cluster starts once, and one
  untimed search warms its workers up (imports); both are reported apart.

Reported: wall seconds of each run, medians, and the speed-up
``n_jobs=1 / dask`` of the medians (> 1: the cluster is faster); and whether
the two searches agree bit for bit (best parameters, every CV score,
``predict_proba`` of the refitted model), checked on every repeat.

Usage::

    python benchmarks/bench_distributed.py                  # 3 repeats
    python benchmarks/bench_distributed.py --workers 4 --repeats 5
    python benchmarks/bench_distributed.py --quick          # smoke test

Needs the distributed extra (``pip install -e ".[distributed]"``).
"""

import argparse
import contextlib
import logging
import os
import sys
import time
import warnings

# _common sets the BLAS thread limits, so it comes before numpy; its folder is
# put on the path for when this file is loaded by path (the smoke tests).
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _common import (  # noqa: E402
    digits_data,
    limit_threads,
    loadavg,
    median,
    print_header,
    ratio,
)

import numpy as np  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.model_selection import GridSearchCV, ParameterGrid  # noqa: E402

from skdeep import MLPNet  # noqa: E402
from skdeep.parallel import available_cores, limit_worker_blas_threads  # noqa: E402

GRID = {"hidden_layer_sizes": [(128,), (256, 128)], "alpha": [1e-4, 1e-2],
        "learning_rate_init": [1e-3, 3e-3]}
SEARCH = {"max_iter": 30, "batch_size": 64, "cv": 3}
QUICK_GRID = {"hidden_layer_sizes": [(8,), (16,)], "alpha": [1e-4, 1e-2],
              "learning_rate_init": [1e-3, 3e-3]}
QUICK = {"max_iter": 2, "batch_size": 64, "cv": 2}


def make_search(quick):
    grid, settings = (QUICK_GRID, QUICK) if quick else (GRID, SEARCH)
    return GridSearchCV(MLPNet(max_iter=settings["max_iter"],
                               batch_size=settings["batch_size"], random_state=0),
                        grid, cv=settings["cv"])


def run_search(data, quick, backend=None):
    """Fit the search (with a joblib backend, or none); ``(search, seconds)``."""
    import joblib

    X_train, _, y_train, _ = data
    search = make_search(quick)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if backend is None:
            search.fit(X_train, y_train)
        else:
            with joblib.parallel_config(backend=backend):
                search.fit(X_train, y_train)
    return search, time.perf_counter() - start


def same_results(a, b, X):
    """Whether two fitted searches agree bit for bit."""
    scores = [k for k in a.cv_results_ if "_test_score" in k]
    return (a.best_params_ == b.best_params_
            and all(np.array_equal(a.cv_results_[k], b.cv_results_[k])
                    for k in scores)
            and np.array_equal(a.predict_proba(X), b.predict_proba(X)))


def bench_search(args):
    data = digits_data()
    n_candidates = len(ParameterGrid(QUICK_GRID if args.quick else GRID))
    start = time.perf_counter()
    run_search(data, args.quick, "dask")  # workers import skdeep, warm caches
    print(f"warm-up search on the cluster: {time.perf_counter() - start:.1f} s")
    times = {"n_jobs=1": [], "dask": []}
    agree = []
    for repeat in range(args.repeats):
        limiter = limit_threads(args.serial_threads)
        try:
            serial, seconds = run_search(data, args.quick)
        finally:
            if limiter is not None:
                limiter.restore_original_limits()
        times["n_jobs=1"].append(seconds)
        remote, seconds = run_search(data, args.quick, "dask")
        times["dask"].append(seconds)
        agree.append(same_results(serial, remote, data[1]))
        print(f"repeat {repeat + 1}: n_jobs=1 {times['n_jobs=1'][-1]:7.2f} s, "
              f"dask {times['dask'][-1]:7.2f} s, identical results: "
              f"{'yes' if agree[-1] else 'NO'}")
    rows = [{"workload": "MLP-search", "impl": impl, "time": median(values),
             "candidates": n_candidates} for impl, values in times.items()]
    speedup = ratio(rows[0]["time"], rows[1]["time"])
    print(f"[search] speed-up n_jobs=1/dask = {speedup:.2f} "
          f"({n_candidates} candidates, {args.workers} workers)")
    print(f"identical results on every repeat: {'yes' if all(agree) else 'NO'}")
    for row in rows:
        row["speedup"] = speedup
        row["identical"] = all(agree)
    return rows


def parse_args(argv):
    cores = available_cores()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3,
                        help="interleaved repeats of each run (default 3)")
    parser.add_argument("--workers", type=int, default=cores,
                        help=f"dask worker processes, 1 thread each (default "
                             f"{cores}: the available cores)")
    parser.add_argument("--serial-threads", type=int, default=cores,
                        help=f"BLAS threads of the n_jobs=1 run (default {cores})")
    parser.add_argument("--quick", action="store_true",
                        help="smoke-test sizes: 8 tiny candidates, 2 epochs, "
                             "cv 2, 2 workers, 1 repeat")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.workers = 1, 2
    for name in ("repeats", "workers", "serial_threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def main(argv=None, client=None):
    """Run the benchmark; returns the summary rows (a list of dicts).

    ``client``: a ``distributed.Client`` of a running cluster to use instead
    of starting a LocalCluster (the smoke test shares its test module's);
    ``--workers`` is then its number of workers.
    """
    args = parse_args(argv)
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        print("bench_distributed needs dask.distributed: "
              "pip install -e '.[distributed]'", file=sys.stderr)
        return []
    print_header(args.serial_threads, torch=False)
    print(f"start: {loadavg()} (other load on the machine skews timings)")
    with contextlib.ExitStack() as stack:
        start = time.perf_counter()
        if client is None:
            cluster = stack.enter_context(LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True,
                dashboard_address=None, silence_logs=logging.ERROR))
            client = stack.enter_context(Client(cluster))
        args.workers = len(client.scheduler_info()["workers"])
        limits = limit_worker_blas_threads(client)
        print(f"LocalCluster: {args.workers} workers x 1 thread, BLAS threads per "
              f"worker {sorted(set(limits.values()))}; started in "
              f"{time.perf_counter() - start:.1f} s")
        rows = bench_search(args)
    print(f"end: {loadavg()}")
    return rows


if __name__ == "__main__":
    main()
