"""Streaming writes: every adapter that offers write_batches writes what write writes."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import formats
from benchmarks.datasets import load_dataset
from formats.base import CannotWriteIncrementally, regroup

STREAMING = [
    "parquet-pyarrow", "feather", "orc-pyarrow", "csv-pyarrow", "jsonl-orjson",
    "avro-fastavro", "msgpack", "lance", "vortex",
]  # fmt: skip


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return load_dataset("mixed", 2_000, seed=7).table


def _adapter(name: str) -> formats.FormatAdapter:
    adapter = formats.get(name)
    if not adapter.available().ok:
        pytest.skip(adapter.available().reason)
    return adapter


@pytest.mark.parametrize("name", STREAMING)
def test_stream_write_reads_back_as_the_table_write(name: str, table: pa.Table, tmp_path) -> None:
    adapter = _adapter(name)
    streamed, whole = tmp_path / f"s.{adapter.extension}", tmp_path / f"w.{adapter.extension}"
    adapter.write_batches(table.schema, iter(table.to_batches(max_chunksize=333)), streamed)
    adapter.write(table, whole)
    assert adapter.writes_incrementally()
    assert adapter.read(streamed).equals(adapter.read(whole))


@pytest.mark.parametrize("name", STREAMING)
def test_column_stream_equals_read_columns(name: str, table: pa.Table, tmp_path) -> None:
    adapter = _adapter(name)
    path = tmp_path / f"s.{adapter.extension}"
    adapter.write(table, path)
    for column in ("amount", "category"):
        batches = list(adapter.iter_column_batches(path, column, 500))
        assert max(b.num_rows for b in batches) <= 500
        got = pa.Table.from_batches(batches)
        assert got.column_names == [column]
        assert got.equals(adapter.read_columns(path, [column]))


@pytest.mark.parametrize("name", ["pickle", "json-orjson", "protobuf"])
def test_whole_table_formats_refuse_a_stream(name: str, table: pa.Table, tmp_path) -> None:
    adapter = _adapter(name)
    assert not adapter.writes_incrementally()
    path = tmp_path / "out"
    with pytest.raises(CannotWriteIncrementally, match="cannot write incrementally"):
        adapter.write_batches(table.schema, iter(table.to_batches()), path)
    assert not path.exists()


def test_parquet_stream_keeps_the_row_group_size(table: pa.Table, tmp_path) -> None:
    adapter = formats.get("parquet-pyarrow", {"row_group_size": 500})
    path = tmp_path / "s.parquet"
    adapter.write_batches(table.schema, iter(table.to_batches(max_chunksize=123)), path)
    meta = pq.ParquetFile(path).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [500] * 4


def test_a_failed_stream_leaves_no_file(table: pa.Table, tmp_path) -> None:
    def broken():
        yield table.to_batches()[0].slice(0, 10)
        raise RuntimeError("source died")

    path = tmp_path / "s.parquet"
    with pytest.raises(RuntimeError, match="source died"):
        formats.get("parquet-pyarrow").write_batches(table.schema, broken(), path)
    assert not path.exists()


def test_regroup_cuts_exact_groups(table: pa.Table) -> None:
    groups = list(regroup(table.to_batches(max_chunksize=300), 700))
    assert [g.num_rows for g in groups] == [700, 700, 600]
    assert pa.concat_tables(groups).equals(table)
