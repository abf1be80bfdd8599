"""Fixtures shared by test modules."""

import importlib
import logging

import pytest


@pytest.fixture(scope="module")
def dask_client():
    """A ``LocalCluster`` of 2 worker processes, 1 thread each, for one module.

    Module-scoped: starting a cluster takes seconds, and an idle one still
    costs about a tenth of a core (heartbeats, monitors), so it lives only
    while its module runs. Skipped where the ``distributed`` extra is not
    installed.
    """
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1,
                                  processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as cluster, \
            distributed.Client(cluster) as client:
        # both workers import the package now, together, not in the first test
        client.run(importlib.import_module, "skdeep")
        yield client
