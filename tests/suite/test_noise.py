"""Noise controls: the CPU set a worker pins itself to, and Arrow's pool sized to it."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from benchmarks.suite import noise
from tests.helpers import ROOT


@pytest.mark.parametrize("text, cpus", [("0", {0}), ("0,2-3", {0, 2, 3}), (" 1 ,", {1})])
def test_parse_cpus(text, cpus):
    assert noise.parse_cpus(text) == cpus


def test_parse_cpus_refuses_an_empty_set():
    with pytest.raises(ValueError, match="FMTBENCH_CPUS"):
        noise.parse_cpus(",")


def _in_child(code: str, **env: str) -> str:
    """Run ``code`` in a fresh interpreter: pinning must not leak into the test process."""
    full = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=full)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_pin_to_one_cpu_sets_the_affinity_and_arrows_pool():
    first = min(os.sched_getaffinity(0))
    out = _in_child(
        "import os, pyarrow as pa; from benchmarks.suite import noise; a = noise.apply(); "
        "print(a['cpu_affinity'], sorted(os.sched_getaffinity(0)), pa.cpu_count())",
        FMTBENCH_CPUS=str(first),
    )
    assert out == f"[{first}] [{first}] 1"


def test_default_pins_to_every_allowed_cpu():
    allowed = sorted(os.sched_getaffinity(0))
    out = _in_child("from benchmarks.suite import noise; print(noise.apply()['cpu_affinity'])")
    assert out == str(allowed)
