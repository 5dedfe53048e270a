"""The store against a real S3 API (moto) on loopback: round trips, counting, cleanup."""

from __future__ import annotations

import socket

import numpy as np
import pyarrow as pa
import pytest

import formats
from benchmarks.storage import counting, open_store, root_location
from benchmarks.storage.location import Location
from benchmarks.storage.proxy import s3_verb

REMOTE = ["parquet-pyarrow", "csv-pyarrow", "feather", "jsonl-orjson", "lance", "vortex"]


@pytest.fixture(scope="module")
def store():
    with open_store("s3-local") as runtime:
        yield runtime


@pytest.fixture
def table() -> pa.Table:
    n = 3000
    x = np.random.default_rng(0).random(n)
    return pa.table({"id": np.arange(n), "x": x, "s": [f"r{i}" for i in range(n)]})


def refused(url: str) -> bool:
    host, port = url.removeprefix("http://").split(":")
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex((host, int(port))) != 0


@pytest.mark.parametrize("name", REMOTE)
def test_round_trip_equals_source(store, table, name):
    adapter = formats.get(name)
    if not adapter.available().ok:
        pytest.skip(adapter.available().reason)
    where = root_location(store) / adapter.file_name("t")
    with counting(store.counters) as wrote:
        adapter.write(table, where)
    back = adapter.read(where)
    assert back.num_rows == table.num_rows
    assert back.column("id").to_pylist() == table.column("id").to_pylist()
    assert back.column("s").cast(pa.string()).to_pylist() == table.column("s").to_pylist()
    assert sum(wrote["requests"].values()) > 0 and wrote["bytes_sent"] > 0
    formats.base.remove_path(where)
    assert not where.exists()


def test_single_column_fetches_fewer_bytes_than_full_read(store, table):
    adapter = formats.get("parquet-pyarrow")
    where = root_location(store) / "cols.parquet"
    adapter.write(table, where)
    with counting(store.counters) as full:
        adapter.read(where)
    with counting(store.counters) as one:
        adapter.read_columns(where, ["id"])
    assert full["requests"].get("GET", 0) > 0 and one["requests"].get("GET", 0) > 0
    assert 0 < one["bytes_fetched"] < full["bytes_fetched"]


def test_remove_stays_inside_its_prefix(store):
    root = root_location(store)
    for name in ("a/1.bin", "b/2.bin"):
        with (root / name).open_output() as fh:
            fh.write(b"x")
    (root / "a").remove()
    assert not (root / "a" / "1.bin").exists() and (root / "b" / "2.bin").exists()
    with pytest.raises(ValueError, match="whole bucket"):
        Location(root.endpoint, root.bucket, "").remove()


@pytest.mark.parametrize("failure", [RuntimeError, KeyboardInterrupt])
def test_server_and_proxy_stop_on_failure(failure):
    with pytest.raises(failure), open_store("s3-local", latency_ms=1) as runtime:
        proxy, server = runtime.counters, runtime.server
        assert not refused(proxy) and not refused(server)
        raise failure
    assert refused(proxy) and refused(server)


def test_list_and_get_are_told_apart():
    assert s3_verb("GET", "/bucket", "list-type=2&prefix=a") == "LIST"
    assert s3_verb("GET", "/bucket/key.parquet", "") == "GET"
    assert s3_verb("PUT", "/bucket/key", "partNumber=1") == "PUT"
