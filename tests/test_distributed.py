"""Searches on a real dask.distributed cluster equal n_jobs=1, bit for bit.

One ``LocalCluster`` of 2 worker processes with 1 thread each serves the whole
module (the ``dask_client`` fixture of ``tests/conftest.py``), the smoke test
of ``benchmarks/bench_distributed.py`` included. Skipped where the ``distributed`` extra is not installed (CI installs it:
``pip install -e ".[test,distributed]"``).
"""

import numpy as np
import pytest
from scipy.stats import loguniform
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    cross_validate,
)
from sklearn.pipeline import make_pipeline

from skdeep import ConvNetClassifier, MLPNet, RBMTransformer
from skdeep.parallel import (
    available_cores,
    blas_thread_limit,
    limit_worker_blas_threads,
)

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

N_WORKERS = 2


@pytest.fixture
def client(dask_client):
    """The module's cluster (tests/conftest.py): 2 processes, 1 thread each."""
    assert len(dask_client.scheduler_info()["workers"]) == N_WORKERS
    return dask_client


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:150] / 16).astype(np.float32), y[:150]


def on_cluster(client, fit):
    """``fit()`` with joblib's dask backend; asserts that the fits ran as
    tasks of the cluster's workers, not quietly in this process."""
    with distributed.get_task_stream(client) as tasks, \
            joblib.parallel_config(backend="dask"):
        result = fit()
    workers = {task["worker"] for task in tasks.data}
    assert workers and workers <= set(client.scheduler_info()["workers"])
    return result


def assert_same_search(local, remote, X):
    assert remote.best_params_ == local.best_params_
    assert remote.best_index_ == local.best_index_
    for key, value in local.cv_results_.items():
        if "_test_score" in key or key == "params":  # not the timings
            np.testing.assert_array_equal(remote.cv_results_[key], value,
                                          err_msg=key)
    np.testing.assert_array_equal(remote.predict_proba(X), local.predict_proba(X))


def test_grid_search_over_mlpnet(client, digits):
    X, y = digits

    def search():
        grid = {"hidden_layer_sizes": [(8,), (16,)], "alpha": [1e-4, 1e-1]}
        return GridSearchCV(MLPNet(max_iter=4, random_state=0), grid, cv=3)

    local = search().fit(X, y)
    remote = on_cluster(client, lambda: search().fit(X, y))
    assert_same_search(local, remote, X)


def test_grid_search_over_convnet(client, digits):
    X, y = digits
    layers = [{"type": "conv", "sx": 3, "filters": 4, "pad": 1},
              {"type": "pool", "sx": 2}]

    def search():
        grid = {"learning_rate_init": [1e-3, 1e-2], "batch_size": [16, 32]}
        return GridSearchCV(ConvNetClassifier(layers, max_iter=2, random_state=0),
                            grid, cv=2)

    local = search().fit(X, y)
    remote = on_cluster(client, lambda: search().fit(X, y))
    assert_same_search(local, remote, X)


def test_randomized_search_over_mlpnet(client, digits):
    X, y = digits

    def search():
        space = {"learning_rate_init": loguniform(1e-4, 1e-1),
                 "hidden_layer_sizes": [(8,), (12,)]}
        return RandomizedSearchCV(MLPNet(max_iter=3, random_state=0), space,
                                  n_iter=4, cv=2, random_state=0)

    local = search().fit(X, y)
    remote = on_cluster(client, lambda: search().fit(X, y))
    assert_same_search(local, remote, X)


def test_cross_validate_a_pipeline(client, digits):
    X, y = digits
    pipe = make_pipeline(RBMTransformer(16, n_iter=2, random_state=0),
                         LogisticRegression(max_iter=200))
    local = cross_validate(pipe, X, y, cv=3, return_estimator=True)
    remote = on_cluster(client, lambda: cross_validate(pipe, X, y, cv=3,
                                                       return_estimator=True))
    np.testing.assert_array_equal(remote["test_score"], local["test_score"])
    for a, b in zip(local["estimator"], remote["estimator"]):
        np.testing.assert_array_equal(b.predict_proba(X), a.predict_proba(X))


# ------------------------------------------------------------ BLAS threads
def blas_threads():
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info()
            if pool["user_api"] == "blas"]


def test_workers_get_their_share_of_the_cores(client):
    limits = limit_worker_blas_threads(client)
    assert len(limits) == N_WORKERS
    threads = client.run(blas_threads)
    for address, limit in limits.items():
        # 2 one-thread workers on this host: half of its cores each
        assert limit == max(1, client.run(available_cores)[address] // N_WORKERS)
        assert threads[address] and set(threads[address]) == {limit}
        assert N_WORKERS * limit <= max(N_WORKERS, available_cores())


def test_blas_thread_limit_for_threads_of_this_process():
    pytest.importorskip("threadpoolctl")
    before = blas_threads()
    with blas_thread_limit(n_jobs=2):
        assert set(blas_threads()) <= {max(1, available_cores() // 2)}
    assert blas_threads() == before


# ------------------------------------------------------------ the benchmark
def test_bench_distributed_quick_runs(client, capsys):
    from .test_benchmarks import load_bench

    rows = load_bench("bench_distributed").main(["--quick"], client=client)
    out = capsys.readouterr().out
    assert "LocalCluster: 2 workers x 1 thread" in out
    assert "[search] speed-up n_jobs=1/dask = " in out
    assert "(8 candidates, 2 workers)" in out
    assert "identical results on every repeat: yes" in out
    assert [r["impl"] for r in rows] == ["n_jobs=1", "dask"]
    for r in rows:
        assert r["workload"] == "MLP-search" and r["time"] > 0 and r["identical"]
