"""The table protocol (formats/tables.py) on every table adapter, against Arrow by hand.

Tiny tables: each test writes a fresh 50-row table and applies one change with the real
library (deltalake, pyiceberg, pylance, pyarrow).
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import formats
from formats import Filter
from formats.tables import NoHistory, TableOps, check_key, table_ops, table_refusal

TABLES = ["delta", "iceberg", "lance", "parquet-dataset"]


def _table(name: str, small_table: pa.Table, tmp_path) -> tuple:
    adapter = formats.get(name)
    if not adapter.available().ok:
        pytest.skip(adapter.available().reason)
    ops = table_ops(adapter)
    assert isinstance(ops, TableOps)
    path = tmp_path / adapter.file_name("t")
    adapter.write(small_table, path)
    return adapter, ops, path


def _ids(table: pa.Table) -> list[int]:
    return sorted(table.column("id").to_pylist())


@pytest.mark.parametrize("name", TABLES)
def test_commit_update_delete_merge_match_arrow(name, small_table, tmp_path):
    adapter, ops, path = _table(name, small_table, tmp_path)
    before = ops.files(path)
    ops.append_commit(path, small_table.slice(0, 5).set_column(0, "id", pa.array(range(50, 55))))
    assert ops.files(path).data_files == before.data_files + 1
    ops.update(path, Filter("id", "<", 10), "id", 100)  # ids 0..9 -> 100..109
    ops.delete(path, Filter("id", ">=", 105))  # drops 105..109 and none else above 54
    source = small_table.slice(0, 2).set_column(0, "id", pa.array([20, 70], pa.int64()))
    source = source.set_column(2, "name", pa.array(["merged", "inserted"]))
    ops.merge(path, source, ["id"])
    back = adapter.read(path)
    want = sorted([100, 101, 102, 103, 104, *range(10, 55), 70])
    assert _ids(back) == want
    names = dict(zip(back.column("id").to_pylist(), back.column("name").to_pylist(), strict=True))
    assert names[20] == "merged" and names[70] == "inserted"


@pytest.mark.parametrize("name", ["delta", "iceberg", "lance"])
def test_time_travel_reads_the_old_version_and_refuses_too_far(name, small_table, tmp_path):
    adapter, ops, path = _table(name, small_table, tmp_path)
    ops.delete(path, Filter("id", "<", 10))
    ops.append_commit(path, small_table.slice(0, 1))
    assert ops.history(path) >= 2
    assert ops.read_back(path, 2).equals(small_table)
    assert ops.read_back(path, 1).num_rows == 40
    with pytest.raises(NoHistory, match="--versions-back"):
        ops.read_back(path, ops.history(path) + 1)


def test_a_parquet_directory_has_no_history(small_table, tmp_path):
    _, ops, path = _table("parquet-dataset", small_table, tmp_path)
    assert ops.time_travel_refusal
    with pytest.raises(NoHistory, match="no versions"):
        ops.read_back(path, 1)


@pytest.mark.parametrize("name", TABLES)
def test_compact_makes_one_file_and_keeps_every_row(name, small_table, tmp_path):
    adapter, ops, path = _table(name, small_table.slice(0, 10), tmp_path)
    for start in range(10, 50, 10):
        ops.append_commit(path, small_table.slice(start, 10))
    assert ops.files(path).data_files == 5
    ops.compact(path)
    ops.vacuum(path)
    after = ops.files(path)
    assert after.data_files == 1
    back = adapter.read(path)
    assert _ids(back) == list(range(50))
    assert pc.sum(back.column("x")).as_py() == pc.sum(small_table.column("x")).as_py()


@pytest.mark.parametrize("name", ["delta", "iceberg", "lance"])
def test_metadata_is_counted_apart_from_data(name, small_table, tmp_path):
    _, ops, path = _table(name, small_table, tmp_path)
    files = ops.files(path)
    assert files.data_files == 1 and files.metadata_files >= 1 and files.metadata_bytes > 0
    assert files.all_bytes >= files.data_bytes + files.metadata_bytes


def test_readers_only_and_other_formats_say_why_they_have_no_table_ops():
    assert "through delta" in table_refusal(formats.get("delta-polars"))
    assert "not a table format" in table_refusal(formats.get("parquet-pyarrow"))
    assert table_refusal(formats.get("iceberg")) == ""


def test_a_merge_key_must_be_a_unique_column(small_table):
    check_key(small_table, ["id"])
    with pytest.raises(ValueError, match="not unique"):
        check_key(small_table, ["category"])
    with pytest.raises(ValueError, match="not a column"):
        check_key(small_table, ["nope"])


def test_duckdb_table_readers_are_listed_with_the_reason():
    for name in ("delta-duckdb", "iceberg-duckdb"):
        status = formats.get(name).available()
        assert not status.ok and "extension" in status.reason
