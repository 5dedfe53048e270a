"""Shared fixtures: small deterministic tables, one S3 server and one Dask cluster per session.

Every ``fmtbench run`` a test starts (in a subprocess too: they inherit this environment)
skips the ceilings probe and the fresh memory-probe interpreter per case
(``benchmarks.suite.switches``): seconds per run that no assertion reads. The tests that
check those probes opt back in with ``tests.helpers.PROBES_ON``. Set either variable before pytest
starts to run the whole suite with the probes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pyarrow as pa
import pytest

from benchmarks.suite.switches import CEILINGS_ENV, MEMORY_ENV

if TYPE_CHECKING:
    from benchmarks.cluster.session import ClusterRuntime

os.environ.setdefault(CEILINGS_ENV, "0")
os.environ.setdefault(MEMORY_ENV, "in-process")
# pytest-xdist marks its worker processes with PYTEST_XDIST_* variables; a run's benchmark
# worker that inherited them would have pytest-benchmark switch itself off ("xdist active")
for _name in [n for n in os.environ if n.startswith("PYTEST_XDIST_")]:
    del os.environ[_name]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "slow: seconds or more each: end-to-end runs, clusters, signals, whole-catalogue "
        "listings (scripts/test --quick deselects them)",
    )


def make_small_table(rows: int = 50) -> pa.Table:
    """Types every format can hold, with nulls in the float column."""
    ids = list(range(rows))
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "x": pa.array([None if i % 7 == 3 else i * 0.5 for i in ids], pa.float64()),
            "name": pa.array([f"name-{i:03d}" for i in ids], pa.string()),
            "category": pa.array(["abc"[i % 3] for i in ids], pa.string()),
            "flag": pa.array([i % 2 == 0 for i in ids], pa.bool_()),
        }
    )


@pytest.fixture
def small_table() -> pa.Table:
    return make_small_table()


@pytest.fixture(scope="session")
def moto_url() -> Iterator[str]:
    """One real S3 API (moto) on loopback for the session; each test makes its own bucket
    (``tests.helpers.new_bucket``)."""
    from benchmarks.storage.session import moto_server

    with moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[ClusterRuntime]:
    """One Dask LocalCluster (1 worker, loopback) for the session's remote-scheduler tests.

    Its processes get dummy AWS credentials (moto accepts any) when they start, so they can
    reach the session's S3 server; this process's environment is left as it was.
    """
    from benchmarks.cluster.session import open_cluster

    dummy = {"AWS_ACCESS_KEY_ID": "fmtbench-test", "AWS_SECRET_ACCESS_KEY": "fmtbench-test"}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in dummy.items():
            patch.setenv(name, value)
        cluster = open_cluster("local:1")
        runtime = cluster.__enter__()
    try:
        yield runtime
    finally:
        cluster.__exit__(None, None, None)
