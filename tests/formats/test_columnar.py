"""Truths about the columnar adapters, measured from real round trips (not copied from docs)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest

import formats
from formats import Filter, FormatReadError, UnsupportedType
from formats.arrow_family import Feather, OrcPyarrow, ParquetPyarrow, locate
from formats.fidelity import fidelity_matrix

ROWS = 100
needs_orc = pytest.mark.skipif(not OrcPyarrow().available().ok, reason="pyarrow without ORC")
FOUR = ["parquet-pyarrow", "feather", "orc-pyarrow", "parquet-fastparquet"]


def sorted_table(rows: int = ROWS) -> pa.Table:
    """A sorted id (so statistics separate row groups) and payload columns to read back."""
    ids = np.arange(rows, dtype=np.int64)
    return pa.table(
        {
            "id": ids,
            "x": pa.array(ids * 0.5, mask=ids % 7 == 3),
            "name": pa.array([f"n{i:04d}" for i in ids]),
        }
    )


def available(name: str) -> formats.FormatAdapter:
    adapter = formats.get(name)
    if not adapter.available().ok:
        pytest.skip(adapter.available().reason)
    return adapter


def fastparquet_adapter(row_group_size: int | None = None) -> formats.FormatAdapter:
    pytest.importorskip("fastparquet")
    from formats.fastparquet_format import ParquetFastparquet

    # None: the adapter's own row group size (122,880 rows: one group for test data)
    return ParquetFastparquet(**({"row_group_size": row_group_size} if row_group_size else {}))


@pytest.fixture(params=["parquet-pyarrow", "feather", "parquet-fastparquet"])
def chunked(request) -> formats.FormatAdapter:
    """Each adapter whose take skips chunks, with chunks of 10 rows so skipping shows on 100."""
    if request.param == "parquet-fastparquet":
        return fastparquet_adapter(row_group_size=10)
    if request.param == "feather":
        return Feather(batch_rows=10)
    return ParquetPyarrow(row_group_size=10)


def written(adapter: formats.FormatAdapter, tmp_path, table: pa.Table | None = None):
    table = sorted_table() if table is None else table
    path = tmp_path / adapter.file_name("t")
    adapter.write(table, path)
    return path, table


# -- fidelity: what each adapter really does with every type family ------------------
#: Only the columns that do not come back lossless; every other fidelity column must.
NOT_LOSSLESS = {
    "parquet-pyarrow": {"interval": "unsupported"},  # no Parquet logical type for it
    "feather": {},
    "orc-pyarrow": {
        "uint64": "unsupported",
        "timestamp_ns_tz": "changed",  # instants kept, zone -> UTC: the rule of every format
        "timestamp_ns_tz_extremes": "changed",
        "dictionary": "unsupported",
        "decimal256": "unsupported",
        "interval": "unsupported",
    },
    "parquet-fastparquet": {
        "float32": "changed",  # NaN -> null (pandas has one missing value for floats)
        "float64": "changed",
        "utf8": "retyped",  # string -> large_string (pandas' str dtype), values kept
        "date32": "changed",  # written as timestamp[ms]: pandas has no date type
        "dictionary": "retyped",  # int8 indices, large_string values: the same values
        "decimal128": "unsupported",
        "decimal256": "unsupported",
        "interval": "unsupported",
        "list": "unsupported",
        "struct": "unsupported",
        "utf8_null_words": "retyped",  # string -> large_string, values kept
        "decimal128_38_10": "unsupported",
        # fastparquet reads its zone back, but pyarrow (the independent reader) finds UTC:
        # the zone lives only in fastparquet's pandas metadata
        "timestamp_ns_tz": "changed",
        "timestamp_ns_tz_extremes": "changed",
    },
}


@pytest.mark.parametrize("name", list(NOT_LOSSLESS))
def test_fidelity_verdicts(name):
    adapter = available(name)
    verdicts = {v.column: v for v in fidelity_matrix([adapter])}
    for column, verdict in verdicts.items():
        expected = NOT_LOSSLESS[name].get(column, "lossless")
        assert verdict.status == expected, (column, verdict.detail)
    if name == "parquet-fastparquet":
        zoned = verdicts["timestamp_ns_tz"]
        assert zoned.checked_by == "parquet-pyarrow" and "parquet-pyarrow reads" in zoned.detail


@needs_orc
def test_orc_keeps_zoned_instants_and_returns_them_as_utc(tmp_path):
    adapter = OrcPyarrow()
    when = [dt.datetime(2024, 3, 1, 12, 30), None]
    zoned = pa.table({"t": pa.array(when, pa.timestamp("ns", "Asia/Tokyo"))})
    adapter.write(zoned, tmp_path / "a.orc")
    back = adapter.read(tmp_path / "a.orc")
    assert back.schema.field("t").type == pa.timestamp("ns", "UTC")
    assert back.column("t").cast(pa.int64()).equals(zoned.column("t").cast(pa.int64()))
    utc = pa.table({"t": pa.array(when, pa.timestamp("ns", "UTC"))})
    adapter.write(utc, tmp_path / "b.orc")
    assert adapter.read(tmp_path / "b.orc").equals(utc)


@needs_orc
def test_orc_refuses_timestamps_it_could_not_read_back(tmp_path):
    far = pa.table({"t": pa.array([dt.datetime(9999, 1, 1)], pa.timestamp("us"))})
    with pytest.raises(UnsupportedType, match="nanoseconds"):
        OrcPyarrow().write(far, tmp_path / "far.orc")
    assert not (tmp_path / "far.orc").exists()


@needs_orc
def test_orc_widens_timestamps_to_nanoseconds(tmp_path):
    table = pa.table({"t": pa.array([dt.datetime(2024, 1, 1, 1, 2, 3, 4)], pa.timestamp("us"))})
    OrcPyarrow().write(table, tmp_path / "t.orc")
    back = OrcPyarrow().read(tmp_path / "t.orc")
    assert back.schema.field("t").type == pa.timestamp("ns")
    assert back.column("t").to_pylist() == table.column("t").to_pylist()


def test_fastparquet_keeps_ints_with_nulls_as_ints(tmp_path):
    adapter = fastparquet_adapter()
    table = pa.table(
        {
            "i": pa.array([2**62 + 1, None], pa.int64()),
            "u": pa.array([None, 2**64 - 1], pa.uint64()),
        }
    )
    adapter.write(table, tmp_path / "i.parquet")
    assert adapter.read(tmp_path / "i.parquet").equals(table)


def test_fastparquet_refuses_seconds_it_could_not_read_back(tmp_path):
    table = pa.table({"t": pa.array([dt.datetime(2024, 1, 1)], pa.timestamp("s"))})
    with pytest.raises(UnsupportedType, match="seconds"):
        fastparquet_adapter().write(table, tmp_path / "s.parquet")


def test_fastparquet_lz4_is_the_codec_pyarrow_reads(tmp_path):
    adapter = fastparquet_adapter()
    path, table = written(adapter, tmp_path)
    adapter.write(table, path, "lz4")
    assert ParquetPyarrow().read(path).column("name").equals(table.column("name"))


# -- take: only the chunks holding the rows ------------------------------------------
def test_take_reads_only_the_chunks_holding_the_rows(chunked, tmp_path):
    path, table = written(chunked, tmp_path)
    indices = [95, 3, 3, 57]
    assert chunked.take(path, indices).to_pylist() == table.take(indices).to_pylist()
    assert chunked.last_io["row_groups_read"] == 3  # chunks 9, 0 and 5 of 10
    assert chunked.last_io["row_groups_total"] == 10


def test_take_bytes_are_a_fraction_of_the_file(tmp_path):
    adapter = ParquetPyarrow(row_group_size=10)
    path, _ = written(adapter, tmp_path)
    adapter.take(path, [0])
    assert 0 < adapter.last_io["bytes_read"] < path.stat().st_size / 5


@needs_orc
def test_orc_take_reads_only_needed_stripes(tmp_path):
    adapter = OrcPyarrow(stripe_size=1024)  # tiny stripes: a few thousand rows split
    path, table = written(adapter, tmp_path, sorted_table(20_000))
    indices = [19_999, 0, 10_000]
    assert adapter.take(path, indices).to_pylist() == table.take(indices).to_pylist()
    assert adapter.last_io["row_groups_total"] > 3
    assert adapter.last_io["row_groups_read"] == 3


def test_take_out_of_range_and_empty(chunked, tmp_path):
    path, table = written(chunked, tmp_path)
    with pytest.raises(IndexError):
        chunked.take(path, [ROWS])
    empty = chunked.take(path, [])
    assert empty.num_rows == 0 and empty.column_names == table.column_names


def test_locate_handles_duplicates_order_and_empty_chunks():
    chunks, local = locate([7, 0, 7, 1], [3, 0, 2, 5])  # rows 0-2 | (empty) | 3-4 | 5-9
    assert chunks == [0, 3]
    assert local.tolist() == [5, 0, 5, 1]  # row 7 is 3 (chunk 0's rows) + 2 into chunk 3


# -- scan: statistics prune row groups -----------------------------------------------
@pytest.mark.parametrize("name", ["parquet-pyarrow", "parquet-fastparquet"])
def test_selective_scan_on_sorted_column_prunes_row_groups(name, tmp_path):
    if name == "parquet-fastparquet":
        adapter = fastparquet_adapter(row_group_size=10)
    else:
        adapter = ParquetPyarrow(row_group_size=10)
    path, table = written(adapter, tmp_path)
    predicate = Filter("id", ">=", 85)
    got = adapter.scan(path, predicate)
    assert got.to_pylist() == table.filter(predicate.to_arrow()).to_pylist()
    assert adapter.last_io["row_groups_read"] == 2
    assert adapter.last_io["row_groups_total"] == 10


def test_scan_that_matches_nothing_reads_no_row_group(tmp_path):
    adapter = ParquetPyarrow(row_group_size=10)
    path, _ = written(adapter, tmp_path)
    assert adapter.scan(path, Filter("id", ">", 10_000)).num_rows == 0
    assert adapter.last_io == {"row_groups_read": 0, "row_groups_total": 10, "bytes_read": 0}


def test_emulated_scan_leaves_no_stale_io(tmp_path):
    adapter = Feather(batch_rows=10)
    path, _ = written(adapter, tmp_path)
    adapter.take(path, [1])
    adapter.scan(path, Filter("id", "<", 5))
    assert adapter.last_io == {}


# -- batches and files ---------------------------------------------------------------
def test_feather_batches_outlive_the_memory_map(tmp_path):
    adapter = Feather(batch_rows=10)
    path, table = written(adapter, tmp_path)
    adapter.write(table, path, "none")  # uncompressed: batches point into the map
    batches = list(adapter.iter_batches(path, 4))
    assert pa.Table.from_batches(batches).to_pylist() == table.to_pylist()


@pytest.mark.parametrize("name", FOUR)
def test_missing_file_is_not_a_format_error(name, tmp_path):
    adapter = available(name)
    with pytest.raises(FileNotFoundError):
        adapter.read(tmp_path / "missing")


@pytest.mark.parametrize("name", FOUR)
def test_other_columnar_format_is_a_format_error(name, tmp_path):
    adapter = available(name)
    other = "orc-pyarrow" if adapter.format != "ORC" else "feather"
    path = tmp_path / "other"
    formats.get(other).write(sorted_table(), path)
    with pytest.raises(FormatReadError):
        adapter.read(path)


@pytest.mark.parametrize("name", FOUR)
def test_a_missing_column_is_a_key_error_not_a_foreign_file(name, tmp_path):
    adapter = available(name)
    path, _ = written(adapter, tmp_path)
    with pytest.raises(KeyError, match="nope"):
        adapter.read_columns(path, ["id", "nope"])
