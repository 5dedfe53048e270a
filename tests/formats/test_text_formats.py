"""Format-specific truths of the text adapters, each measured from a real round trip."""

from __future__ import annotations

import datetime as dt
import math

import pyarrow as pa
import pytest

import formats
from formats import FormatAdapter, FormatReadError, UnsupportedType

CSV = ["csv-pyarrow", "csv-pandas"]
JSON = ["json-orjson", "jsonl-orjson"]


def _adapter(name: str) -> FormatAdapter:
    adapter = formats.get(name)
    if not adapter.available().ok:
        pytest.skip(adapter.available().reason)
    return adapter


def _round_trip(name: str, table: pa.Table, tmp_path, codec: str | None = None) -> pa.Table:
    adapter = _adapter(name)
    path = tmp_path / adapter.file_name("t", codec)
    adapter.write(table, path, codec)
    return adapter.read(path)


@pytest.mark.parametrize("name", CSV)
@pytest.mark.parametrize(
    "column",
    [
        pa.array([[1], []], pa.list_(pa.int64())),
        pa.array([{"a": 1}, None], pa.struct([("a", pa.int64())])),
        pa.array([b"\x00", b"ok"], pa.binary()),
    ],
    ids=["list", "struct", "binary"],
)
def test_csv_refuses_nested_and_binary_naming_column_type_format(name, column, tmp_path):
    adapter = _adapter(name)
    with pytest.raises(UnsupportedType) as info:
        adapter.write(pa.table({"c": column}), tmp_path / "t.csv")
    assert (info.value.column, info.value.type, info.value.format_name) == ("c", column.type, "CSV")


def test_csv_pyarrow_keeps_the_instant_but_not_the_time_zone(tmp_path):
    # 1900 in Paris is LMT (+00:09:21): write_csv's own "+HHMM" would shift it by 21 s.
    moments = [dt.datetime(2024, 3, 1, 12, 30), dt.datetime(1900, 1, 1, 0, 0, 0, 1), None]
    table = pa.table({"ts": pa.array(moments, pa.timestamp("us", tz="Europe/Paris"))})
    back = _round_trip("csv-pyarrow", table, tmp_path).column("ts")
    assert back.type.tz == "UTC"
    assert back.cast(table.column("ts").type).to_pylist() == table.column("ts").to_pylist()


def test_csv_pyarrow_tells_null_from_empty_string_and_keeps_null_rows(tmp_path):
    table = pa.table({"s": pa.array(["a", None, "", None], pa.string())})
    assert _round_trip("csv-pyarrow", table, tmp_path).column("s").to_pylist() == [
        "a",
        None,
        "",
        None,
    ]


def test_csv_pandas_reads_the_empty_string_as_null(tmp_path):
    table = pa.table({"s": pa.array(["a", "", None], pa.string())})
    assert _round_trip("csv-pandas", table, tmp_path).column("s").to_pylist() == ["a", None, None]


@pytest.mark.parametrize("name", CSV)
def test_csv_keeps_int64_with_nulls_exact(name, tmp_path):
    table = pa.table({"i": pa.array([2**53 + 1, None, -(2**63)], pa.int64())})
    assert _round_trip(name, table, tmp_path).column("i").to_pylist() == [2**53 + 1, None, -(2**63)]


def test_csv_pyarrow_reads_values_spanning_lines_across_blocks(tmp_path):
    # Over 1 MiB, so Arrow's parallel chunker meets quoted newlines at block edges.
    values = [f'row {i}\nsecond line, "quoted"' for i in range(60_000)]
    table = pa.table({"id": pa.array(range(len(values))), "s": pa.array(values)})
    assert _round_trip("csv-pyarrow", table, tmp_path).equals(table)


@pytest.mark.parametrize("codec", ["gzip", "zstd"])
def test_csv_pyarrow_codecs_really_compress(codec, small_table, tmp_path):
    adapter = _adapter("csv-pyarrow")
    if codec not in adapter.available_codecs():
        pytest.skip(f"pyarrow built without {codec}")
    big = pa.concat_tables([small_table] * 40)
    plain, packed = tmp_path / "plain.csv", tmp_path / f"packed.{codec}.csv"
    adapter.write(big, plain)
    adapter.write(big, packed, codec)
    assert packed.stat().st_size < plain.stat().st_size / 2
    assert adapter.read(packed).equals(adapter.read(plain))


def test_csv_pyarrow_streaming_types_come_from_the_first_block(tmp_path):
    # write_csv prints 1.0 as "1": a first block of whole floats is typed int64 by the stream.
    table = pa.table({"f": pa.array([1.0] * 600_000 + [1.5])})
    adapter = _adapter("csv-pyarrow")
    adapter.write(table, tmp_path / "t.csv")
    assert adapter.read(tmp_path / "t.csv").column("f").type == pa.float64()
    with pytest.raises(FormatReadError, match="int64"):
        list(adapter.iter_batches(tmp_path / "t.csv", 100_000))


def test_csv_pandas_pads_short_rows_where_pyarrow_refuses(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("a,b\n1,2\n3\n")
    assert _adapter("csv-pandas").read(path).column("b").to_pylist() == [2, None]
    with pytest.raises(FormatReadError, match="ragged"):
        _adapter("csv-pyarrow").read(path)


@pytest.mark.parametrize("name", [*CSV, *JSON])
def test_invalid_utf8_is_a_read_error(name, tmp_path):
    adapter = _adapter(name)
    path = tmp_path / f"bad.{adapter.extension}"
    body = {"CSV": b"a\n\xff\xfe\n", "JSON": b'[{"a": "\xff"}]', "JSON Lines": b'{"a": "\xff"}\n'}
    path.write_bytes(body[adapter.format])
    with pytest.raises(FormatReadError, match="bad"):
        adapter.read(path)


@pytest.mark.parametrize("name", JSON)
def test_json_turns_nan_and_infinities_into_null(name, tmp_path):
    table = pa.table({"x": pa.array([1.5, math.nan, math.inf, -math.inf, None])})
    assert _round_trip(name, table, tmp_path).column("x").to_pylist() == [
        1.5,
        None,
        None,
        None,
        None,
    ]


@pytest.mark.parametrize("name", JSON)
def test_json_refuses_binary_but_keeps_nested_types(name, tmp_path):
    nested = pa.table(
        {
            "l": pa.array([[1, None], [], None], pa.list_(pa.int64())),
            "s": pa.array([{"a": 1, "b": "x"}, None, {"a": None, "b": ""}]),
        }
    )
    assert _round_trip(name, nested, tmp_path).equals(nested)
    with pytest.raises(UnsupportedType, match="JSON"):
        _adapter(name).write(pa.table({"b": pa.array([b"\x00"])}), tmp_path / "b.json")


@pytest.mark.parametrize("name", JSON)
def test_json_writes_timestamps_as_iso_text(name, tmp_path):
    moment = dt.datetime(2024, 3, 1, 12, 30, 15, 123456)
    table = pa.table(
        {
            "naive": pa.array([moment], pa.timestamp("us")),
            "zoned": pa.array([moment], pa.timestamp("us", tz="Europe/Paris")),
        }
    )
    back = _round_trip(name, table, tmp_path)
    assert back.column("naive").to_pylist() == ["2024-03-01T12:30:15.123456"]
    assert back.column("zoned").to_pylist() == ["2024-03-01T12:30:15.123456Z"]


def test_uint64_max_survives_json_orjson_but_not_pyarrow_json(tmp_path):
    table = pa.table({"u": pa.array([2**64 - 1, None], pa.uint64())})
    assert _round_trip("json-orjson", table, tmp_path).column("u").to_pylist() == [2**64 - 1, None]
    back = _round_trip("jsonl-orjson", table, tmp_path).column("u")
    assert back.type == pa.float64()
