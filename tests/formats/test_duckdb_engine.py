"""DuckDB-specific behaviour the shared adapter suite does not pin down."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import formats
from formats import Filter, FormatReadError, UnsupportedOption, UnsupportedType, duckdb_engine
from tests.conftest import make_small_table

pytest.importorskip("duckdb")

DUCKDB = ["parquet-duckdb", "csv-duckdb", "jsonl-duckdb", "json-duckdb"]


def _written(name: str, table: pa.Table, tmp_path, codec: str | None = None, **options):
    adapter = formats.get(name, options)
    path = tmp_path / adapter.file_name("t", codec)
    adapter.write(table, path, codec)
    return adapter, path


@pytest.mark.parametrize("name", DUCKDB)
def test_projection_returns_only_those_columns(name, tmp_path):
    adapter, path = _written(name, make_small_table(), tmp_path)
    got = adapter.read_columns(path, ["flag", "x"])
    assert got.column_names == ["flag", "x"]


@pytest.mark.parametrize("name", DUCKDB)
@pytest.mark.parametrize(
    "predicate", [Filter("id", ">=", 40), Filter("name", "==", "name-007")], ids=str
)
def test_scan_pushdown_equals_arrow_filter(name, predicate, tmp_path):
    table = make_small_table(200)
    adapter, path = _written(name, table, tmp_path)
    assert adapter.scan(path, predicate).equals(table.filter(predicate.to_arrow()))


def test_json_duckdb_writes_one_json_array(tmp_path):
    table = make_small_table(5)
    _, path = _written("json-duckdb", table, tmp_path)
    assert json.loads(path.read_text()) == table.to_pylist()


def test_jsonl_duckdb_writes_one_object_per_line(tmp_path):
    table = make_small_table(5)
    _, path = _written("jsonl-duckdb", table, tmp_path)
    assert [json.loads(line) for line in path.read_text().splitlines()] == table.to_pylist()


def test_parquet_options_reach_the_file(tmp_path):
    table = make_small_table(5000)
    _, path = _written("parquet-duckdb", table, tmp_path, "zstd", row_group_size=2048)
    meta = pq.ParquetFile(path).metadata
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == [2048, 2048, 904]
    assert meta.row_group(0).column(0).compression == "ZSTD"


def test_compression_level_is_zstd_only(tmp_path):
    adapter = formats.get("parquet-duckdb", {"compression_level": 3})
    with pytest.raises(UnsupportedOption, match="zstd"):
        adapter.write(make_small_table(), tmp_path / "t.parquet", "gzip")
    adapter.write(make_small_table(), tmp_path / "t.parquet", "zstd")


def _row_groups_scanned(adapter, tmp_path, run) -> int:
    """Run ``run()`` under DuckDB's profiler; how many row groups its scan read."""
    profile = tmp_path / "profile.json"
    con = adapter.connection
    con.execute("PRAGMA enable_profiling = 'json'")
    con.execute(f"PRAGMA profiling_output = '{profile}'")
    try:
        run()
    finally:
        con.execute("PRAGMA disable_profiling")
    return json.loads(profile.read_text())["query"]["total_row_groups_scanned"]


def test_take_keeps_order_and_reads_only_the_row_groups_holding_the_rows(tmp_path):
    table = make_small_table(5000)  # three row groups: 2048, 2048, 904 rows
    adapter, path = _written("parquet-duckdb", table, tmp_path, row_group_size=2048)
    indices = [4999, 4100, 4100, 4500]
    got = []
    assert _row_groups_scanned(adapter, tmp_path, lambda: got.append(adapter.take(path, indices)))
    assert got[0].equals(table.take(indices))
    assert _row_groups_scanned(adapter, tmp_path, lambda: adapter.take(path, indices)) == 1
    assert adapter.take(path, [3, 0, 2500]).equals(table.take([3, 0, 2500]))
    with pytest.raises(IndexError):
        adapter.take(path, [5000])


def test_scan_skips_row_groups_by_statistics(tmp_path):
    table = make_small_table(5000)
    adapter, path = _written("parquet-duckdb", table, tmp_path, row_group_size=2048)
    scanned = _row_groups_scanned(
        adapter, tmp_path, lambda: adapter.scan(path, Filter("id", "<", 9))
    )
    assert scanned == 1


@pytest.mark.parametrize("name", ["csv-duckdb", "jsonl-duckdb", "json-duckdb"])
def test_declared_types_come_back_exactly_and_the_file_alone_is_detected(name, tmp_path):
    table = pa.table(
        {
            "small": pa.array([1, None], pa.int8()),
            "money": pa.array([1, 2], pa.decimal128(15, 2)),
            "day": pa.array([0, 1], pa.date32()),
        }
    )
    declared, path = _written(name, table, tmp_path, schema="declared")
    declared.know_source(table)
    assert declared.read(path).schema == table.schema
    # the default: the file alone, even for the instance that wrote it (no memory of it)
    alone, path = _written(name, table, tmp_path)
    alone.know_source(table)
    back = alone.read(path)
    assert back.column("day").type == pa.date32() and back.column("small").type != pa.int8()
    # declared but never told the source: detection, not a failure
    assert formats.get(name, {"schema": "declared"}).read(path).num_rows == 2


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
@pytest.mark.parametrize("name", ["csv-duckdb", "jsonl-duckdb"])
def test_compressed_text_is_compressed_on_disk(name, codec, tmp_path):
    _, path = _written(name, make_small_table(), tmp_path, codec)
    magic = {"gzip": b"\x1f\x8b", "zstd": b"\x28\xb5\x2f\xfd"}[codec]
    assert path.read_bytes().startswith(magic)


def test_refusals_name_the_column(tmp_path):
    table = pa.table({"ok": [1], "half": pa.array([1.5], pa.float16())})
    with pytest.raises(UnsupportedType, match="'half'"):
        _written("parquet-duckdb", table, tmp_path)
    assert not list(tmp_path.iterdir())  # the partial output is gone


def test_unknown_column_is_a_key_error_and_garbage_names_the_file(tmp_path):
    adapter, path = _written("parquet-duckdb", make_small_table(), tmp_path)
    with pytest.raises(KeyError):
        adapter.read_columns(path, ["nope"])
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{not json\n")
    with pytest.raises(FormatReadError, match="bad.jsonl"):
        formats.get("jsonl-duckdb").read(bad)


def test_set_threads_sets_duckdb_threads():
    adapter = formats.get("parquet-duckdb")
    adapter.set_threads(1)
    assert adapter.connection.sql("SELECT current_setting('threads')").fetchall() == [(1,)]
    adapter.set_threads(None)
    with pytest.raises(ValueError):
        adapter.set_threads(0)


def test_handover_is_declared_a_copy():
    assert {formats.get(n).arrow_handover for n in DUCKDB} == {"copy"}
    assert formats.get("parquet-pyarrow").arrow_handover == "native"


def test_missing_extension_makes_the_adapter_unavailable(monkeypatch):
    monkeypatch.setattr(duckdb_engine, "extension_loaded", lambda name: name != "json")
    status = formats.get("jsonl-duckdb").available()
    assert not status.ok and "'json'" in status.reason
    assert formats.get("csv-duckdb").available().ok  # CSV is in DuckDB's core


def test_shipped_extensions_are_detected():
    duckdb_engine.extension_loaded.cache_clear()
    assert duckdb_engine.extension_loaded("parquet") and duckdb_engine.extension_loaded("json")
    assert not duckdb_engine.extension_loaded("no_such_extension")
