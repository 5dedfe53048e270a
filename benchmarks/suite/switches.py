"""Environment switches for the two probes a run pays besides its cases.

``fmtbench run`` measures the machine's ceilings once (two 256 MiB copies and a 256 MiB
file written and read back) and, for each case, the peak memory in a fresh interpreter.
Both are right for a benchmark and pure cost for a test that only checks what lands in
the results, so each can be switched off from the environment; the test suite does so at
session start (``tests/conftest.py``) and tests each probe on its own.

- ``FMTBENCH_CEILINGS=0``: no ceilings probe; results then record ``ceilings: {}`` (as on
  a disk too small for the probe file) and charts draw no ceiling lines.
- ``FMTBENCH_MEMORY=in-process``: the default peak-memory method of a run
  (``RunConfig.memory``, recorded in the results' config) instead of ``fresh``.
- ``FMTBENCH_SETTLE=0``: no ``sync`` before each group's rounds (suite/timing.py), to
  measure what settling the disk buys.

Unset, a run behaves exactly as without this module.
"""

from __future__ import annotations

import os

from benchmarks.errors import UsageError

CEILINGS_ENV = "FMTBENCH_CEILINGS"
MEMORY_ENV = "FMTBENCH_MEMORY"
MEMORY_METHODS = ("fresh", "in-process")
SETTLE_ENV = "FMTBENCH_SETTLE"


def _on_unless_zero(name: str, unset_does: str) -> bool:
    """A 0/1 switch that is on when unset; any other value is a one-line UsageError."""
    value = os.environ.get(name, "").strip()
    if value in ("", "1"):
        return True
    if value == "0":
        return False
    raise UsageError(f"{name}={value!r} is not 0 or 1; unset it to {unset_does}")


def ceilings_wanted() -> bool:
    """Whether a run measures the machine's ceilings: unless ``FMTBENCH_CEILINGS=0``."""
    return _on_unless_zero(CEILINGS_ENV, "measure ceilings")


def default_memory() -> str:
    """The peak-memory method when none is given: ``$FMTBENCH_MEMORY``, else ``fresh``."""
    value = os.environ.get(MEMORY_ENV, "").strip()
    if not value:
        return "fresh"
    if value not in MEMORY_METHODS:
        raise UsageError(f"{MEMORY_ENV}={value!r} is not a memory method; use fresh or in-process")
    return value


def settle_wanted() -> bool:
    """Whether a group's rounds start after a ``sync``: unless ``FMTBENCH_SETTLE=0``."""
    return _on_unless_zero(SETTLE_ENV, "settle the disk")
