"""The ML formats and the epoch loader on a real S3 API (moto) behind the recording proxy."""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pytest

import formats
from benchmarks.storage import counting, open_store, root_location
from benchmarks.suite import loader
from benchmarks.suite.cases import storage_skip
from formats.epoch_readers import PathReader, open_reader
from tests.helpers import fmtbench

REMOTE = [("webdataset", "none"), ("webdataset", "gzip"), ("tfrecord", "gzip"), ("zarr", "zstd")]


@pytest.fixture(scope="module")
def store():
    with open_store("s3-local") as runtime:
        yield runtime


def _table(rows: int = 250) -> pa.Table:
    lengths = np.arange(rows) % 5
    return pa.table(
        {
            "id": pa.array(np.arange(rows, dtype=np.int64)),
            "vec": pa.FixedSizeListArray.from_arrays(
                pa.array(np.arange(rows * 4, dtype=np.float32)), 4
            ),
            "seq": pa.array([list(range(n)) for n in lengths], pa.list_(pa.int32())),
            "blob": pa.array([bytes([i % 256]) * (i % 7) for i in range(rows)], pa.binary()),
        }
    )


def _objects(store) -> list[str]:
    where = root_location(store)
    return [f for f in where.fsspec.find(where.fs_path)]


@pytest.mark.parametrize(("name", "codec"), REMOTE)
def test_round_trip_on_object_storage_stays_under_the_run_prefix(store, name, codec):
    adapter = formats.get(name, {"shard_rows": 64} if name != "zarr" else {"chunk_rows": 64})
    where = root_location(store) / adapter.file_name(f"t-{codec}", codec)
    table = _table()
    with counting(store.counters) as wrote:
        adapter.write(table, where, codec)
    assert wrote["bytes_sent"] > 0
    assert adapter.read(where).to_pylist() == table.to_pylist()
    root = root_location(store).fs_path
    assert all(key.startswith(root + "/") for key in _objects(store))
    formats.base.remove_path(where)
    assert not where.exists()


@pytest.mark.parametrize(
    ("name", "shuffle"), [("webdataset", "buffer"), ("tfrecord", "none"), ("zarr", "global")]
)
def test_an_epoch_reads_every_row_once_through_the_store(store, name, shuffle):
    adapter = formats.get(name, {"shard_rows": 64} if name != "zarr" else {"chunk_rows": 64})
    where = root_location(store) / adapter.file_name(f"epoch-{shuffle}")
    table = _table()
    adapter.write(table, where)
    sizes = loader.unit_rows(adapter, where)
    plans = loader.make_plans(shuffle, 50, loader.global_mode(adapter), sizes, 32, 0, seed=3)
    with counting(store.counters) as traffic:
        run = loader.run_epoch(adapter, where, plans, sizes, workers=0, decode=False)
    seen = run.order.tolist()
    assert sorted(seen) == list(range(table.num_rows))
    assert traffic["requests"].get("GET", 0) > 0 and traffic["bytes_fetched"] > 0
    formats.base.remove_path(where)


@pytest.mark.parametrize("name", ["numpy", "hdf5"])
def test_array_formats_without_an_object_store_client_are_skipped_with_why(name):
    reason = storage_skip(formats.get(name), "s3-local")
    assert reason and "cannot reach object storage" in reason
    assert ("mmap" in reason) if name == "numpy" else ("seekable" in reason)


def test_epoch_cases_on_s3_local_record_requests_and_bytes(tmp_path):
    out = tmp_path / "r.json"
    proc = fmtbench(
        "run", "--storage", "s3-local", "--datasets", "tokens", "--rows", "300",
        "--formats", "parquet-pyarrow,webdataset,numpy", "--ops", "epoch",
        "--shuffle", "buffer:50", "--batch-size", "32", "--option", "shard_rows=100",
        "--rounds", "1", "--processes", "1", "--no-charts", "--quiet", "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(out.read_text())
    epochs = {b["extra_info"]["adapter"]: b["extra_info"] for b in doc["benchmarks"]}
    assert set(epochs) == {"parquet-pyarrow", "webdataset"}
    for info in epochs.values():
        assert info["storage"] == "s3-local" and info["requests"]["GET"] > 0
        assert info["bytes_fetched"] > 0 and info["samples_per_s"] > 0
    assert epochs["webdataset"]["requests"]["GET"] >= 3  # a GET per shard at least
    (skip,) = doc["fmtbench"]["skipped"]
    assert "numpy" in skip["id"] and "object storage" in skip["reason"]


@pytest.mark.parametrize("name", ["webdataset", "tfrecord"])
def test_an_epoch_fetches_the_schema_and_shard_list_once_not_per_shard(store, name):
    adapter = formats.get(name, {"shard_rows": 50})
    where = root_location(store) / adapter.file_name("epoch-meta")
    adapter.write(_table(), where)  # 5 shards
    sizes = loader.unit_rows(adapter, where)
    with counting(store.counters) as once, open_reader(adapter, where) as reader:
        opened = [reader.read_shard(u).num_rows for u in range(len(sizes))]
    with counting(store.counters) as per_shard:
        reader = PathReader(adapter, where)
        again = [reader.read_shard(u).num_rows for u in range(len(sizes))]
    assert opened == again == sizes
    # two small files (schema, shard list) per shard saved: at least 2 x 4 GETs fewer
    assert once["requests"]["GET"] + 8 <= per_shard["requests"]["GET"]
    formats.base.remove_path(where)
