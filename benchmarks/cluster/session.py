"""The Dask cluster of one run: a LocalCluster started here, or a scheduler that exists.

Like the store, the runner owns it (``benchmarks.run.runner.live_services``): a worker
restart finds it again, and it stops when the run ends, fails or is interrupted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.datasets.owned import owned_tempdir
from benchmarks.errors import RunError, UsageError


@dataclass(frozen=True)
class ClusterRuntime:
    """Where the benchmark worker connects, and how many Dask workers serve it."""

    spec: str
    address: str
    workers: int
    scratch: str | None = None  # the LocalCluster's own folder (Dask's scratch space)


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
    from dask.distributed import Client

    n = local_workers(spec)
    if n is None:
        try:
            with Client(spec, timeout="10s") as client:
                workers = len(client.scheduler_info()["workers"])
        except OSError as exc:
            raise RunError(f"cannot reach the Dask scheduler at {spec}: {exc}") from None
        yield ClusterRuntime(spec, spec, workers)
        return
    scratch = owned_tempdir("fmtbench-dask-")  # not a shared dask-scratch-space in temp
    try:
        cluster = _local_cluster(n, scratch)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    try:
        yield ClusterRuntime(spec, cluster.scheduler_address, n, str(scratch))
    finally:
        try:
            cluster.close()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def _local_cluster(n: int, scratch: Path) -> Any:
    """N single-threaded worker processes on loopback, their files under ``scratch``."""
    import dask
    from dask.distributed import LocalCluster

    with dask.config.set({"temporary-directory": str(scratch)}):  # the scheduler's too
        return LocalCluster(
            n_workers=n,
            threads_per_worker=1,  # one core each: "workers" is then the parallelism measured
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=40,  # errors only: the worker log is for failures
            local_directory=str(scratch),
        )


#: Workers per core a local cluster may have without --force: more only trade memory
#: (each Dask worker is a Python process of ~100-200 MB) for no added parallelism.
WORKERS_PER_CORE = 4


def check_cluster_size(spec: str | None, force: bool = False) -> None:
    """UsageError for ``local:N`` far beyond this machine's cores, unless ``force``."""
    n = local_workers(spec) if spec else None
    cores = os.cpu_count() or 1
    limit = WORKERS_PER_CORE * cores
    if n is None or force or n <= limit:
        return
    raise UsageError(
        f"--cluster {spec}: {n} worker processes on {cores} cores would only compete for "
        f"memory and CPU (likely out of memory); use at most local:{limit}, e.g. "
        f"local:{cores}, or pass --force to start them anyway"
    )


def check_scheduler(spec: str | None, timeout_s: float = 3.0) -> None:
    """UsageError when nothing listens at ``tcp://HOST:PORT``: said in seconds, before the
    run claims its results file, not after Dask's own retries."""
    import socket

    if not spec or not spec.startswith("tcp://"):
        return
    host, _, port = spec[6:].rpartition(":")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s):
            return
    except (OSError, ValueError) as exc:
        cause = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(
            f"--cluster {spec}: no Dask scheduler answers there ({cause or 'timed out'}); "
            "start one (dask scheduler) or use --cluster local:2"
        ) from None
