"""Measurement helpers that sit beside the timer: page-cache eviction, peak memory, sizes.

None of this runs inside a timed round: eviction happens in pytest-benchmark's ``setup``,
and peak memory is taken on one extra, untimed execution of the operation.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psutil
import pyarrow as pa


def _files_under(path: Path) -> Iterator[Path]:
    if path.is_dir():
        yield from (p for p in path.rglob("*") if p.is_file())
    elif path.exists():
        yield path


def evict_from_page_cache(path: str | os.PathLike) -> int:
    """Drop just this file (or every file of a directory) from the OS page cache.

    fsync first, because the kernel only drops clean pages; then
    ``posix_fadvise(POSIX_FADV_DONTNEED)``. No root needed and no global cache drop, so
    other work on the machine is untouched. Returns how many files were advised.
    """
    count = 0
    for file in _files_under(Path(path)):
        fd = os.open(file, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            count += 1
        finally:
            os.close(fd)
    return count


def trim_malloc() -> None:
    """Give the C heap's free memory back to the OS (glibc ``malloc_trim``), where there is one.

    Libraries on the system allocator (Vortex, Lance, fastavro) keep what they freed: after a
    Vortex write at TPC-H SF 10 the worker stayed at 2.4 GB resident, and the next case's
    peak RSS would have been charged with it. Elsewhere this does nothing.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.malloc_trim(0)


def _reset_rss_peak() -> bool:
    """Reset the kernel's resident-set high-water mark (Linux >= 4.0); False if not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _rss_peak() -> int | None:
    """The kernel's resident-set high-water mark (VmHWM) in bytes, where it is readable."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return None


class _RssSampler(threading.Thread):
    """Polls this process's resident set size so native (non-Python) allocations count.

    Where Linux lets the high-water mark be reset, the kernel's own peak is used as well:
    polling every 2 ms misses short peaks on a loaded machine.
    """

    def __init__(self, interval: float = 0.002) -> None:
        super().__init__(daemon=True)
        self._proc = psutil.Process()
        self._interval = interval
        self._stop_event = threading.Event()
        self._kernel_peak = _reset_rss_peak()
        self.baseline = self._proc.memory_info().rss
        self.peak = self.baseline

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            time.sleep(self._interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)
        hwm = _rss_peak() if self._kernel_peak else None
        if hwm is not None:
            self.peak = max(self.peak, hwm)


#: Every proxy pool ever installed stays alive: Arrow buffers keep a raw pointer to the
#: pool that allocated them, and some outlive the measured call (reader caches, thread-pool
#: scratch). Freeing such a buffer after its pool died crashed the worker (SIGSEGV, seen on
#: Parquet reads of nested data). A pool object is a few hundred bytes; a run makes one
#: per case.
_POOLS: list[pa.MemoryPool] = []


class MemoryWatch:
    """Peak memory of whatever runs inside ``with`` (Arrow pool peak, RSS growth, and the
    process's absolute resident high-water mark); read the figures after the block."""

    def __enter__(self) -> MemoryWatch:
        self._previous = pa.default_memory_pool()
        self._proxy = pa.proxy_memory_pool(self._previous)
        _POOLS.append(self._proxy)
        self._sampler = _RssSampler()
        pa.set_memory_pool(self._proxy)
        self._sampler.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sampler.stop()
        pa.set_memory_pool(self._previous)

    @property
    def growth(self) -> int:
        """Bytes the block needed beyond what the process held when it started."""
        return max(self._proxy.max_memory(), self._sampler.peak - self._sampler.baseline)

    @property
    def peak_rss(self) -> int:
        """The process's largest resident set during the block, in bytes (absolute)."""
        return self._sampler.peak


def measure_peak_memory(fn: Callable[[], Any]) -> int:
    """Peak bytes ``fn`` needed: the largest of Arrow's pool peak, the process RSS growth
    and the size of the table it returned.

    Arrow allocations are counted exactly through a proxy memory pool installed as the
    default for the call; RSS growth (sampled every 2 ms) catches everything else: Python
    objects and libraries with their own allocators (Lance, Vortex, fastavro). The
    result of ``fn`` is held until both readings are taken, so it counts.
    """
    with MemoryWatch() as watch:
        result = fn()
        _consume(result)
    # the returned data must have been in memory: a floor for libraries whose allocator
    # reuses memory it kept from earlier calls, which RSS growth cannot see
    held = result.nbytes if isinstance(result, pa.Table | pa.RecordBatch) else 0
    del result
    return max(watch.growth, held)


def _consume(result: Any) -> None:
    """Exhaust a generator result (iter_batches) so its memory is really used."""
    if isinstance(result, Iterator):
        for _ in result:
            pass


#: Operations that read or write the whole file, so its size is the bytes they moved.
WHOLE_FILE_OPS = frozenset({"write", "read", "stream", "iterate"})


def throughputs(
    op: str, data_bytes: int | None, file_bytes: int | None, io: dict[str, int], median: float
) -> dict[str, float]:
    """``logical_mb_s`` (Arrow bytes the operation produced or consumed, per second) and
    ``physical_mb_s`` (file bytes read or written, per second: the adapter's io counter
    where it has one, else the file size for whole-file operations, else unknown)."""
    if not median or median <= 0:
        return {}
    out: dict[str, float] = {}
    if data_bytes is not None:
        out["logical_mb_s"] = data_bytes / median / 1e6
    physical = None if op == "write" else io.get("bytes_read")
    if physical is None and op in WHOLE_FILE_OPS:
        physical = file_bytes
    if physical is not None:
        out["physical_mb_s"] = physical / median / 1e6
    return out


def table_bytes(table: pa.Table | pa.RecordBatch) -> int:
    """Arrow in-memory size of the data (buffers referenced, not pool capacity)."""
    return int(table.nbytes)


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ceilings(path_dir: str | os.PathLike, size_bytes: int = 256 * 1024 * 1024) -> dict[str, float]:
    """This machine's reference speeds in MB/s: memory copy and page-cache file read.

    Charts draw them as horizontal lines, so a reader sees how close a format gets to the
    hardware. Measured once per run, with a buffer large enough to defeat CPU caches.
    """
    import numpy as np

    src = np.ones(size_bytes, dtype=np.uint8)
    dst = np.zeros_like(src)  # touched, so page faults are not timed as copy
    copy_s = min(_timed(lambda: np.copyto(dst, src)) for _ in range(5))  # best of 5: noise
    probe = Path(path_dir) / "fmtbench-ceiling.bin"
    try:
        src.tofile(probe)
        with open(probe, "rb") as fh:  # warm the page cache, then time a full read
            while fh.read(1 << 24):
                pass
        start = time.perf_counter()
        with open(probe, "rb", buffering=0) as fh:
            buf = bytearray(1 << 24)
            while fh.readinto(buf):
                pass
        read_s = time.perf_counter() - start
    finally:
        probe.unlink(missing_ok=True)
    mb = size_bytes / 1e6
    return {"memory_copy_mb_s": mb / copy_s, "page_cache_read_mb_s": mb / read_s}
