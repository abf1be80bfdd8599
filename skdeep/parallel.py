"""Parallel fits without oversubscribed cores: BLAS threads per worker.

Every skdeep fit spends its time in BLAS (matrix products), and BLAS starts as
many threads as the machine has cores. Several fits at once (``n_jobs``, a
dask cluster) then ask for workers × BLAS threads, and past the number of cores
the threads only take turns: a search becomes slower than ``n_jobs=1``. These
helpers give each concurrent fit its share, ``cores // concurrent fits`` (at
least 1), with threadpoolctl:

* :func:`limit_worker_blas_threads` on a ``dask.distributed`` client, for
  ``joblib.parallel_config(backend="dask")`` or dask-ml;
* :func:`blas_thread_limit` around joblib's threading backend, whose threads
  share this process.

joblib's default process backend (loky) already does this by itself. See
``docs/distributed.md``.
"""

__all__ = ["available_cores", "blas_thread_limit", "limit_worker_blas_threads"]


def available_cores():
    """CPUs this process may use: affinity masks and container quotas counted.

    Returns
    -------
    int
        ``joblib.cpu_count()``, which scikit-learn installs.

    Examples
    --------
    >>> from skdeep.parallel import available_cores
    >>> available_cores() >= 1
    True
    """
    from joblib import cpu_count

    return cpu_count()


def _share(n_cores, n_threads):
    """BLAS threads for each of ``n_threads`` concurrent fits on ``n_cores``."""
    return max(1, n_cores // max(1, n_threads))


def blas_thread_limit(n_jobs):
    """Limit BLAS to this process's share for ``n_jobs`` concurrent fits.

    For joblib's threading backend (``joblib.parallel_config("threading")``),
    whose threads share one process and so one BLAS thread pool: each fit
    otherwise keeps every core's worth of BLAS threads.

    Parameters
    ----------
    n_jobs : int
        Fits running at once (``n_jobs`` of the search).

    Returns
    -------
    threadpoolctl.threadpool_limits
        A context manager: the limit holds inside the ``with`` block and the
        previous limits come back after it.

    Examples
    --------
    >>> import joblib
    >>> from sklearn.model_selection import cross_val_score
    >>> from skdeep import MLPNet
    >>> from skdeep.parallel import blas_thread_limit
    >>> X, y = [[0., 0], [0, 1], [1, 0], [1, 1]] * 5, [0, 1, 1, 0] * 5
    >>> with blas_thread_limit(n_jobs=2), joblib.parallel_config("threading"):
    ...     scores = cross_val_score(MLPNet((4,), max_iter=3), X, y, cv=2, n_jobs=2)
    >>> len(scores)
    2
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=_share(available_cores(), n_jobs),
                             user_api="blas")


def limit_worker_blas_threads(client):
    """Give every worker of a dask cluster its share of its host's cores.

    On each host, the worker threads there (the ``nthreads`` of its workers,
    summed) times each worker's BLAS threads fit the host's cores: every
    worker gets ``cores // worker threads on its host`` BLAS threads (at least
    1). dask's nanny starts worker processes with one BLAS thread, which wastes
    cores when the workers' threads are fewer than the cores; a cluster of
    threads in one process (``processes=False``) or workers started without a
    nanny keep every core's worth of threads per worker. The limit holds in
    each worker process until it restarts: call this again after
    ``client.restart()`` or when workers join.

    Parameters
    ----------
    client : distributed.Client
        A client of the cluster.

    Returns
    -------
    dict of str -> int
        The BLAS threads of each worker, by address.

    Examples
    --------
    Before a search on the cluster (tested in ``tests/test_distributed.py``;
    starting a cluster takes seconds, too long for a doctest)::

        import joblib
        from dask.distributed import Client, LocalCluster
        from skdeep.parallel import limit_worker_blas_threads

        with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, \\
                Client(cluster) as client:
            limit_worker_blas_threads(client)  # 8 cores: {address: 4, ...}
            with joblib.parallel_config(backend="dask"):
                search.fit(X, y)
    """
    try:
        workers = client.scheduler_info(n_workers=-1)["workers"]
    except TypeError:  # distributed before 2025: every worker by default
        workers = client.scheduler_info()["workers"]
    per_host = {}
    for info in workers.values():
        per_host[info["host"]] = per_host.get(info["host"], 0) + info["nthreads"]
    threads = {address: per_host[info["host"]] for address, info in workers.items()}
    return client.run(_limit_blas_on_worker, threads)


def _limit_blas_on_worker(threads_by_address, dask_worker):
    """Runs in a worker (``client.run`` passes ``dask_worker``): set its limit.

    Without a ``with`` block the limit stays for the life of the process.
    """
    from threadpoolctl import threadpool_limits

    limit = _share(available_cores(), threads_by_address[dask_worker.address])
    threadpool_limits(limits=limit, user_api="blas")
    return limit
