"""How slow a simulated link may be: bounded by what the storage clients wait for.

The strictest client is pyarrow's S3 filesystem (the AWS SDK over curl): on Linux it
abandons a request that receives no byte for 3 s and cannot be told otherwise
(``request_timeout`` is ignored there). The recording proxy is silent for the
latency of each request, and between two paced 64 KB chunks; a link where either
exceeds that wait would not measure a slow link but a failing one, so it is refused
before the run starts, naming the client and a value that works.
"""

from __future__ import annotations

import math

from benchmarks.errors import UsageError

#: Silence after which pyarrow's S3 client (curl) gives up a request, in seconds.
CLIENT_WAIT_S = 3.0
CLIENT = "pyarrow's S3 client (AWS SDK over curl) gives up after 3 s without a byte"
#: The longest silence we allow, leaving room for the server's own time on a busy machine.
MAX_SILENCE_S = 2.0
MAX_LATENCY_MS = MAX_SILENCE_S * 1000.0
#: The proxy paces responses and uploads in chunks of this size (proxy.PACED_CHUNK).
PACED_CHUNK = 64 << 10


def check_latency(latencies_ms: list[float]) -> None:
    """UsageError for a latency that is negative, not a number, or longer than clients wait."""
    for ms in latencies_ms:
        if not ms >= 0:
            raise UsageError(f"--storage-latency {ms:g}ms: must be >= 0 ms, e.g. 20ms")
        if ms > MAX_LATENCY_MS:
            raise UsageError(
                f"--storage-latency {ms:g}ms: longer than the storage clients wait ({CLIENT}); "
                f"use at most {MAX_LATENCY_MS:g}ms, e.g. 100ms"
            )


def slowest_bandwidth_mb_s(latency_ms: float) -> float:
    """The lowest rate at which one paced chunk plus the latency still fits the wait."""
    room = MAX_SILENCE_S - latency_ms / 1000.0
    return PACED_CHUNK / room / 1e6 if room > 0 else math.inf


def check_bandwidth(bandwidth_mb_s: float | None, latencies_ms: list[float]) -> None:
    """UsageError for a rate that is not positive, or so low that a client would give up."""
    if bandwidth_mb_s is None:
        return
    if not (bandwidth_mb_s > 0 and math.isfinite(bandwidth_mb_s)):
        raise UsageError(
            f"--storage-bandwidth {bandwidth_mb_s:g}MB/s: must be positive, e.g. 100MB/s"
        )
    latency = max(latencies_ms, default=0.0)
    floor = slowest_bandwidth_mb_s(latency)
    if bandwidth_mb_s < floor:
        chunk_s = PACED_CHUNK / (bandwidth_mb_s * 1e6)
        raise UsageError(
            f"--storage-bandwidth {bandwidth_mb_s:g}MB/s: one 64 KB chunk takes {chunk_s:.1f} s "
            f"at that rate (plus {latency:g} ms latency), longer than the storage clients wait "
            f"({CLIENT}); use at least {math.ceil(floor * 100) / 100:g}MB/s, e.g. 10MB/s"
        )
