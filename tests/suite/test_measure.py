"""Measurement helpers: cache eviction targets the right file; peak memory sees Arrow."""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchmarks.suite import measure


def test_eviction_fsyncs_and_advises_exactly_the_benchmark_file(tmp_path, monkeypatch):
    target = tmp_path / "data.bin"
    target.write_bytes(b"x" * 4096)
    (tmp_path / "other.bin").write_bytes(b"y")
    calls = []

    def fake_fadvise(fd, offset, length, advice):
        calls.append((os.readlink(f"/proc/self/fd/{fd}"), offset, length, advice))

    monkeypatch.setattr(os, "posix_fadvise", fake_fadvise)
    assert measure.evict_from_page_cache(target) == 1
    assert calls == [(str(target), 0, 0, os.POSIX_FADV_DONTNEED)]


def test_eviction_walks_a_dataset_directory(tmp_path):
    (tmp_path / "ds" / "data").mkdir(parents=True)
    for name in ("a", "b", "data/c"):
        (tmp_path / "ds" / name).write_bytes(b"z" * 10)
    assert measure.evict_from_page_cache(tmp_path / "ds") == 3


def test_peak_memory_counts_arrow_native_allocations():
    values = pa.array(np.arange(5_000_000, dtype=np.int64))  # 40 MB, zero-copy from numpy
    peak = measure.measure_peak_memory(lambda: pc.multiply(values, 2))
    assert peak >= 40_000_000


def test_peak_memory_of_a_trivial_call_is_small():
    assert measure.measure_peak_memory(lambda: 1) < 20_000_000


def test_ceilings_are_positive_speeds(tmp_path):
    found = measure.ceilings(tmp_path, size_bytes=8 * 1024 * 1024)
    assert found["memory_copy_mb_s"] > 0 and found["page_cache_read_mb_s"] > 0
    assert list(tmp_path.iterdir()) == []


def test_buffers_allocated_during_a_measurement_outlive_it_safely():
    """Arrow buffers point at the pool that made them: the pool must outlive the buffer."""
    kept = []
    before = len(measure._POOLS)
    measure.measure_peak_memory(lambda: kept.append(pc.multiply(pa.array(range(1000)), 2)))
    assert len(measure._POOLS) == before + 1
    assert kept[0].sum().as_py() == 999_000  # still readable, then freed below
    kept.clear()


def test_throughputs_logical_is_arrow_bytes_physical_is_file_bytes():
    from benchmarks.suite.measure import throughputs

    full = throughputs("read", data_bytes=4_000_000, file_bytes=1_000_000, io={}, median=2.0)
    assert full == {"logical_mb_s": 2.0, "physical_mb_s": 0.5}
    counted = throughputs("read_column", 2_000_000, 9_000_000, {"bytes_read": 500_000}, 1.0)
    assert counted == {"logical_mb_s": 2.0, "physical_mb_s": 0.5}
    # one column of a file that cannot say what it read: physical is unknown, not file size
    assert throughputs("read_column", 2_000_000, 9_000_000, {}, 1.0) == {"logical_mb_s": 2.0}
    assert throughputs("write", 4_000_000, 1_000_000, {"bytes_read": 7}, 1.0)["physical_mb_s"] == 1
