"""Where benchmark files live: local disk, an embedded S3 server, or a real S3 endpoint.

``open_store`` (the runner) starts the store and the recording proxy; ``Location`` (the
worker) is what adapters receive in place of a path; ``counting`` measures one call's
requests and bytes at the proxy.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from benchmarks.storage.location import Endpoint, Location, parse_uri
from benchmarks.storage.session import (
    LOCAL,
    S3_LOCAL,
    StoreRuntime,
    check_spec,
    open_store,
    root_location,
    split_options,
)

__all__ = [
    "LOCAL",
    "S3_LOCAL",
    "Endpoint",
    "Location",
    "StoreRuntime",
    "check_spec",
    "counting",
    "open_store",
    "parse_uri",
    "root_location",
    "set_latency",
    "split_options",
]


@contextlib.contextmanager
def counting(counters_url: str | None) -> Iterator[dict[str, Any]]:
    """Requests and bytes of the block, filled in on exit; empty when nothing records."""
    found: dict[str, Any] = {}
    if not counters_url:
        yield found
        return
    # http.client and urllib: imported only when a proxy records (not by `fmtbench run` start)
    from benchmarks.storage.proxy import difference, read_counters

    before = read_counters(counters_url)
    yield found
    found.update(difference(read_counters(counters_url), before))


def set_latency(proxy_url: str, latency_ms: float) -> dict[str, Any]:
    """Set the recording proxy's latency from now on; returns the link now in force."""
    from benchmarks.storage.proxy import set_latency as put_latency  # lazy, as in counting

    return put_latency(proxy_url, latency_ms)
