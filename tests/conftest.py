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

import pyarrow as pa
import pytest

from benchmarks.suite.switches import CEILINGS_ENV, MEMORY_ENV

os.environ.setdefault(CEILINGS_ENV, "0")
os.environ.setdefault(MEMORY_ENV, "in-process")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "slow: long end-to-end runs, clusters, signals (scripts/test --quick deselects them)",
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
    """One real S3 API (moto) on loopback for the session; tests use their own buckets."""
    from benchmarks.storage.session import moto_server

    with moto_server() as url:
        yield url


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[object]:
    """One Dask LocalCluster (1 worker, loopback) for the session's remote-scheduler tests."""
    from benchmarks.cluster.session import open_cluster

    with open_cluster("local:1") as runtime:
        yield runtime
