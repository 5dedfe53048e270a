"""What the shared suite cannot see in the polars adapters: pushdown, hand-over, refusals."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import formats
from benchmarks.suite.cases import Case, case_info
from formats import UnsupportedType

pl = pytest.importorskip("polars")

POLARS = ["parquet-polars", "feather-polars", "csv-polars", "jsonl-polars", "avro-polars"]


def _written(name: str, table: pa.Table, tmp_path, **options):
    adapter = formats.get(name, options)
    path = tmp_path / adapter.file_name("t")
    adapter.write(table, path)
    return adapter, path


@pytest.mark.parametrize("name", POLARS)
def test_read_columns_returns_only_the_asked_columns(name, small_table, tmp_path):
    adapter, path = _written(name, small_table, tmp_path)
    got = adapter.read_columns(path, ["flag", "id"])
    assert got.column_names == ["flag", "id"]
    assert got.column("id").to_pylist() == small_table.column("id").to_pylist()


@pytest.mark.parametrize("name", ["parquet-polars", "feather-polars", "csv-polars"])
def test_projection_is_pushed_into_the_reader(name, small_table, tmp_path):
    """polars' plan reads 1 of the 5 columns: projection happens in the scan, not after."""
    adapter, path = _written(name, small_table, tmp_path)
    plan = adapter.lazy(path).select(["id"]).explain()
    assert "PROJECT 1/5 COLUMNS" in plan


def test_take_reads_only_the_row_groups_holding_the_rows(small_table, tmp_path):
    adapter, path = _written("parquet-polars", small_table, tmp_path, row_group_size=10)
    assert pq.ParquetFile(path).metadata.num_row_groups == 5
    got = adapter.take(path, [27, 21, 27])
    assert got.column("id").to_pylist() == [27, 21, 27]
    assert adapter.last_io == {"row_groups_read": 1, "row_groups_total": 5}


def test_scan_prunes_by_statistics(small_table, tmp_path):
    adapter, path = _written("parquet-polars", small_table, tmp_path, row_group_size=10)
    got = adapter.scan(path, formats.Filter("id", ">=", 45))
    assert got.column("id").to_pylist() == [45, 46, 47, 48, 49]


@pytest.mark.parametrize("name", POLARS)
def test_hand_over_is_declared_zero_copy(name):
    assert formats.registry[name].arrow_handover == "zero-copy"
    assert formats.registry["parquet-pyarrow"].arrow_handover == "native"


def test_hand_over_shares_polars_buffers(small_table, tmp_path):
    """Two hand-overs of one frame point at the same memory: nothing was copied."""
    from formats.polars_engine import to_arrow

    frame = pl.from_arrow(small_table)

    def addresses(table: pa.Table) -> list[int]:
        return [b.address for c in table.columns for ch in c.chunks for b in ch.buffers() if b]

    assert addresses(to_arrow(frame)) == addresses(to_arrow(frame))


def test_case_info_records_the_hand_over():
    info = case_info(Case("mixed", 10, "parquet-polars", "zstd", "read", ()))
    assert info["arrow_handover"] == "zero-copy"


@pytest.mark.parametrize(
    ("name", "column", "type_"),
    [
        ("parquet-polars", "d", pa.date64()),  # polars holds it as a timestamp: another kind
        ("feather-polars", "d", pa.date64()),  # polars reads it as a timestamp
        ("avro-polars", "big", pa.uint64()),  # Avro's long cannot hold every uint64
        ("jsonl-polars", "blob", pa.binary()),  # write_ndjson would panic
    ],
)
def test_a_type_polars_cannot_hold_is_refused_by_column(name, column, type_, tmp_path):
    table = pa.table({"ok": [1], column: pa.array([b"x" if type_ == pa.binary() else 1], type_)})
    adapter = formats.get(name)
    path = tmp_path / adapter.file_name("t")
    with pytest.raises(UnsupportedType, match=f"'{column}'.*{adapter.format}"):
        adapter.write(table, path)
    assert not path.exists()


def test_avro_round_trip_and_fastavro_reads_it(small_table, tmp_path):
    adapter, path = _written("avro-polars", small_table, tmp_path)
    back = adapter.read(path)
    assert back.to_pylist() == small_table.to_pylist()
    if formats.get("avro-fastavro").available().ok:  # the same file through another engine
        assert formats.get("avro-fastavro").read(path).to_pylist() == small_table.to_pylist()


@pytest.mark.parametrize("codec", ["deflate", "snappy"])
def test_avro_codecs_are_written_as_asked(codec, small_table, tmp_path):
    adapter = formats.get("avro-polars")
    path = tmp_path / adapter.file_name("t", codec)
    adapter.write(small_table, path, codec)
    assert codec.encode() in path.read_bytes()[:1000]  # avro.codec in the file header
    assert adapter.read(path).to_pylist() == small_table.to_pylist()


def test_parquet_knobs_reach_the_file(small_table, tmp_path):
    _, path = _written("parquet-polars", small_table, tmp_path, row_group_size=20, statistics=False)
    meta = pq.ParquetFile(path).metadata
    assert meta.num_row_groups == 3
    assert not meta.row_group(0).column(0).is_stats_set


def test_huge_integers_from_text_come_back_as_decimals(tmp_path):
    """polars infers Int128 for 2**64-1 in JSON; pyarrow has no such type, so decimal(38, 0)."""
    adapter = formats.get("jsonl-polars")
    path = tmp_path / "big.jsonl"
    path.write_text('{"n": 18446744073709551615}\n{"n": 1}\n')
    got = adapter.read(path)
    assert got.schema.field("n").type == pa.decimal128(38, 0)
    assert [int(v) for v in got.column("n").to_pylist()] == [2**64 - 1, 1]


@pytest.mark.parametrize("name", POLARS)
def test_bad_index_and_missing_column_are_not_foreign_files(name, small_table, tmp_path):
    adapter, path = _written(name, small_table, tmp_path)
    with pytest.raises(IndexError):
        adapter.take(path, [0, 50])
    with pytest.raises(KeyError, match="nope"):
        adapter.read_columns(path, ["id", "nope"])
