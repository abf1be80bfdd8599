"""Fixtures shared by test modules."""

import importlib
import logging

import pytest


@pytest.fixture(scope="session")
def dask_client():
    """One ``LocalCluster`` of 2 worker processes, 1 thread each, for the session.

    Started at its first use (the distributed tests and the distributed
    benchmark's smoke test share it: a cluster takes seconds to start); skipped
    where the ``distributed`` extra is not installed.
    """
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                  processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster) as client:
        # both workers import the package now, together, not in the first test
        client.run(importlib.import_module, "skdeep")
        yield client
