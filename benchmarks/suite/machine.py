"""Machine and library facts recorded with every run, so results can be compared honestly."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import time
from typing import Any

import psutil

import formats

#: Version of fmtbench's additions to the pytest-benchmark JSON; loaders refuse others.
SCHEMA_VERSION = 1

#: Libraries every run depends on, whichever adapters it runs; each adapter adds its own
#: (``FormatAdapter.libraries``), so a new engine's version is recorded with no edit here.
#: Beside the formats' own libraries: what every run goes through, the S3 server that
#: ``--storage s3-local`` times against and the Dask of ``--cluster`` (their speed is in
#: those runs' figures too)
BASE_LIBRARIES = ("pyarrow", "pandas", "numpy", "pytest-benchmark", "moto", "dask", "distributed")


def library_names() -> list[str]:
    """The base libraries, then every registered adapter's, each once."""
    names = [*BASE_LIBRARIES]
    for name in formats.names():
        names += formats.registry[name].libraries
    return list(dict.fromkeys(names))


def library_versions() -> dict[str, str]:
    """Installed versions of the libraries whose speed the results describe."""
    versions = {}
    for name in library_names():
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def describe() -> dict[str, Any]:
    """Cores, memory, OS and library versions, for ``machine_info``."""
    return {
        "cores": os.cpu_count(),
        "memory_bytes": psutil.virtual_memory().total,
        "os": platform.platform(),
        "libraries": library_versions(),
        "fmtbench_schema_version": SCHEMA_VERSION,
    }


def load() -> dict[str, float]:
    """The 1, 5 and 15 minute load averages and the cores: a run records them before and
    after, because timings taken while other work shared the cores are not comparable."""
    one, five, fifteen = os.getloadavg()
    return {"1min": one, "5min": five, "15min": fifteen, "cores": os.cpu_count() or 1}


def label() -> str:
    """A short machine description for chart titles: '2 cores, 24 GiB, x86_64'."""
    gib = psutil.virtual_memory().total / 2**30
    return f"{os.cpu_count()} cores, {gib:.0f} GiB, {platform.machine()}"


def provenance(started: float, load_before: dict[str, float]) -> dict[str, Any]:
    """When a script's run ended, how long it took (from ``started``, a ``time.time()``),
    the load before and after, and the machine: what every results file records, because
    timings taken while other work shared the cores are not comparable."""
    return {
        "datetime": dt.datetime.now(dt.UTC).isoformat(),
        "wall_s": time.time() - started,
        "load_before": load_before,
        "load_after": load(),
        "machine": describe(),
    }
