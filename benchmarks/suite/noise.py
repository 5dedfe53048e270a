"""Less noise at the source: a fixed CPU set for the worker, and a record of what was applied.

Why all allowed cores rather than one: the readers under test are multithreaded (Arrow's
CPU pool decodes columns in parallel), so pinning to one core would change what is
measured, not just how noisily. What makes runs differ is the *set* of cores changing
between or during runs (the scheduler moving the process, another run getting a
different mask) and Arrow sizing its pool from the machine's core count while the
process may only use some of them: oversubscribed threads then queue behind each other.
So the worker fixes its affinity once (by default every core it is allowed, or
``FMTBENCH_CPUS="0,1"``), sizes Arrow's pool to exactly that set, and records both.
"""

from __future__ import annotations

import os
from typing import Any

import pyarrow as pa

from benchmarks.suite.rounds import WARMUP_MAX, WARMUP_NOISE

#: Environment variable naming the CPUs a worker pins itself to, e.g. "1" or "0,1".
CPUS_ENV = "FMTBENCH_CPUS"

_applied: dict[str, Any] = {}


def parse_cpus(text: str) -> set[int]:
    """``"0,2-3"`` -> {0, 2, 3}; ValueError on anything else."""
    cpus: set[int] = set()
    for item in (t.strip() for t in text.split(",") if t.strip()):
        first, _, last = item.partition("-")
        cpus.update(range(int(first), int(last or first) + 1))
    if not cpus:
        raise ValueError(f"{CPUS_ENV}={text!r} names no CPU; use e.g. 0,1 or 0-3")
    return cpus


def pin_cpus(wanted: set[int] | None = None) -> dict[str, Any]:
    """Pin this process to ``wanted`` (default: every CPU it may use); what was applied."""
    if not hasattr(os, "sched_setaffinity"):
        return {"cpu_affinity": None, "cpu_affinity_note": "not supported on this OS"}
    allowed = os.sched_getaffinity(0)
    cpus = (wanted & allowed) if wanted else allowed
    if not cpus:
        raise ValueError(f"none of CPUs {sorted(wanted or ())} is allowed: {sorted(allowed)}")
    try:
        os.sched_setaffinity(0, cpus)
    except OSError as exc:  # a container may forbid it: record, do not fail the run
        return {"cpu_affinity": None, "cpu_affinity_note": f"not allowed: {exc}"}
    pa.set_cpu_count(len(cpus))  # one Arrow thread per usable core, no oversubscription
    return {"cpu_affinity": sorted(cpus), "arrow_cpu_count": pa.cpu_count()}


def apply() -> dict[str, Any]:
    """The worker's noise controls, applied once per process; also kept for ``applied``."""
    if not _applied:
        text = os.environ.get(CPUS_ENV)
        _applied.update(pin_cpus(parse_cpus(text) if text else None))
        _applied["gc"] = "disabled in each timed call, collected in the untimed setup"
        _applied["warmup"] = (
            f"until a round is within {WARMUP_NOISE:.0%} of the previous one "
            f"(at most {WARMUP_MAX}, at most a fifth of the case budget)"
        )
    return dict(_applied)


def applied() -> dict[str, Any]:
    """What ``apply`` did in this process (empty when it has not run), for machine_info."""
    return dict(_applied)
