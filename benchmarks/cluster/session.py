"""The Dask cluster of one run: a LocalCluster started here, or a scheduler that exists.

Like the store, the runner owns it (``benchmarks.run.runner.live_services``): a worker
restart finds it again, and it stops when the run ends, fails or is interrupted.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

from benchmarks.errors import RunError


@dataclass(frozen=True)
class ClusterRuntime:
    """Where the benchmark worker connects, and how many Dask workers serve it."""

    spec: str
    address: str
    workers: int


def local_workers(spec: str) -> int | None:
    """N of ``local:N``; the cores for ``local``; None for a scheduler address."""
    if spec == "local":
        return os.cpu_count() or 1
    if spec.startswith("local:"):
        return int(spec[6:])
    return None


@contextlib.contextmanager
def open_cluster(spec: str | None) -> Iterator[ClusterRuntime | None]:
    """A LocalCluster (processes, loopback only, no dashboard) or a connection check."""
    if spec is None:
        yield None
        return
    from dask.distributed import Client, LocalCluster

    n = local_workers(spec)
    if n is None:
        try:
            with Client(spec, timeout="10s") as client:
                workers = len(client.scheduler_info()["workers"])
        except OSError as exc:
            raise RunError(f"cannot reach the Dask scheduler at {spec}: {exc}") from None
        yield ClusterRuntime(spec, spec, workers)
        return
    cluster = LocalCluster(
        n_workers=n,
        threads_per_worker=1,  # one core each: "workers" is then the parallelism measured
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
        silence_logs=40,  # errors only: the worker log is for failures
    )
    try:
        yield ClusterRuntime(spec, cluster.scheduler_address, n)
    finally:
        cluster.close()
