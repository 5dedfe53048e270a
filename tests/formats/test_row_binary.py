"""Format-specific truths of the Avro, MessagePack and Pickle adapters, from real round trips."""

from __future__ import annotations

import datetime as dt
import decimal
import pickle

import pyarrow as pa
import pytest

import formats
from formats import FormatReadError, UnsupportedType
from formats.fidelity import compare_column, fidelity_table

UTC = dt.UTC


def _round_trip(name: str, table: pa.Table, tmp_path, codec: str | None = None) -> pa.Table:
    adapter = formats.get(name)
    path = tmp_path / adapter.file_name("t", codec)
    adapter.write(table, path, codec)
    return adapter.read(path)


def _repetitive(rows: int = 5_000) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(range(rows)),
            "word": pa.array(["abc", "de", "f"] * (rows // 3) + ["x"] * (rows % 3)),
        }
    )


# -- Avro ------------------------------------------------------------------------------
@pytest.fixture
def avro():
    pytest.importorskip("fastavro")
    return formats.get("avro-fastavro")


def test_avro_null_and_deflate_always_work_and_deflate_compresses(avro, tmp_path):
    assert {"null", "deflate"} <= set(avro.available_codecs())
    sizes = {}
    for codec in avro.available_codecs():
        path = tmp_path / avro.file_name("r", codec)
        avro.write(_repetitive(), path, codec)
        assert avro.read(path).equals(_repetitive()), codec
        sizes[codec] = path.stat().st_size
    assert sizes["deflate"] < sizes["null"] / 2


def test_avro_keeps_nested_records_lists_and_logical_types(avro, tmp_path):
    inner = pa.struct([("when", pa.date32()), ("tags", pa.list_(pa.string()))])
    table = pa.table(
        {
            "rec": pa.array([{"when": dt.date(2024, 2, 29), "tags": ["a", None]}, None], inner),
            "ts_us": pa.array([dt.datetime(2024, 1, 1, 1, 2, 3, 4), None], pa.timestamp("us")),
            "ts_ns": pa.array([1_700_000_000_123_456_789, None], pa.timestamp("ns")),
            "amount": pa.array([None, decimal.Decimal("-12.05")], pa.decimal128(9, 2)),
        }
    )
    back = _round_trip("avro-fastavro", table, tmp_path)
    assert back.schema == table.schema
    assert back.to_pylist() == table.to_pylist()


def test_avro_schema_is_plain_avro_that_fastavro_reads_itself(avro, tmp_path):
    import fastavro

    table = pa.table(
        {"ts": pa.array([5], pa.timestamp("ns", "UTC")), "n": pa.array([1], pa.int8())}
    )
    path = tmp_path / "plain.avro"
    avro.write(table, path)
    with open(path, "rb") as fo:
        reader = fastavro.reader(fo)
        fields = {f["name"]: f["type"] for f in reader.writer_schema["fields"]}
        records = list(reader)
    assert fields["ts"] == ["null", {"type": "long", "logicalType": "timestamp-nanos"}]
    assert fields["n"] == ["null", "int"]
    assert records == [{"ts": 5, "n": 1}]  # fastavro leaves Avro 1.12's nanos as a long


def test_avro_changes_narrow_ints_zones_and_dictionaries_as_it_must(avro, tmp_path):
    table = fidelity_table().select(["int8", "timestamp_ns_tz", "dictionary"])
    back = _round_trip("avro-fastavro", table, tmp_path)
    assert back.schema.types == [pa.int32(), pa.timestamp("ns", "UTC"), pa.string()]
    for name in table.column_names:  # the values themselves survive
        assert "values:" not in compare_column(table[name], back[name])[1], name


@pytest.mark.parametrize(("column", "type_"), [("u", pa.uint64()), ("t", pa.time64("ns"))])
def test_avro_refuses_what_it_cannot_hold(avro, tmp_path, column, type_):
    with pytest.raises(UnsupportedType, match=f"'{column}'.*Avro"):
        avro.write(pa.table({column: pa.array([1], type_)}), tmp_path / "x.avro")
    assert not (tmp_path / "x.avro").exists()  # refused before the file was opened


def test_avro_projection_and_batches(avro, tmp_path):
    table = _repetitive(1_000)
    path = tmp_path / "p.avro"
    avro.write(table, path)
    assert avro.read_columns(path, ["word", "id"]).equals(table.select(["word", "id"]))
    with pytest.raises(KeyError, match="nope"):
        avro.read_columns(path, ["nope"])
    sizes = [b.num_rows for b in avro.iter_batches(path, 300)]
    assert sizes == [300, 300, 300, 100]


def test_avro_truncated_file_is_a_read_error(avro, tmp_path):
    path = tmp_path / "t.avro"
    avro.write(_repetitive(), path)
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(FormatReadError, match="t.avro.*Avro"):
        avro.read(path)


# -- MessagePack -------------------------------------------------------------------------
@pytest.fixture
def msgpack():
    return pytest.importorskip("msgpack")


def test_msgpack_layout_is_a_header_then_one_array_per_row(msgpack, tmp_path):
    path = tmp_path / "l.msgpack"
    formats.get("msgpack").write(pa.table({"a": [1, 2], "b": ["x", None]}), path)
    with open(path, "rb") as fo:
        objects = list(msgpack.Unpacker(fo))
    assert objects == [{"columns": ["a", "b"], "rows": 2}, [1, "x"], [2, None]]


def test_msgpack_timestamps_use_the_extension_type_and_come_back_utc(msgpack, tmp_path):
    naive = [dt.datetime(2024, 3, 1, 12, 30, 15, 123456), dt.datetime(1900, 1, 1), None]
    table = pa.table({"ts": pa.array(naive, pa.timestamp("ns"))})
    back = _round_trip("msgpack", table, tmp_path)
    assert back.schema.field("ts").type == pa.timestamp("ns", "UTC")  # the ext type is an instant
    assert back["ts"].cast(pa.int64()).equals(table["ts"].cast(pa.int64()))  # ns kept exactly
    path = tmp_path / "t.msgpack"
    formats.get("msgpack").write(table, path)
    with open(path, "rb") as fo:
        rows = list(msgpack.Unpacker(fo, timestamp=3))[1:]
    assert rows[0][0] == naive[0].replace(tzinfo=UTC)


def test_msgpack_infers_types_so_ints_widen_but_uint64_survives(msgpack, tmp_path):
    table = fidelity_table().select(["int8", "uint64", "float32", "all_null"])
    back = _round_trip("msgpack", table, tmp_path)
    assert back.schema.types == [pa.int64(), pa.uint64(), pa.float64(), pa.null()]
    assert back["uint64"].to_pylist() == table["uint64"].to_pylist()


@pytest.mark.parametrize(
    "values",
    [[None] * 10_000 + [1, 2**64 - 1], [1] * 10_000 + [2**64 - 1]],
    ids=["null-then-uint64", "int64-then-uint64"],
)
def test_msgpack_unifies_types_inferred_per_batch(msgpack, tmp_path, values):
    back = _round_trip("msgpack", pa.table({"v": pa.array(values, pa.uint64())}), tmp_path)
    assert back["v"].type == pa.uint64() and back["v"].to_pylist() == values


@pytest.mark.parametrize("type_", [pa.date32(), pa.decimal128(5, 2), pa.list_(pa.timestamp("us"))])
def test_msgpack_refuses_types_it_has_no_form_for(msgpack, tmp_path, type_):
    with pytest.raises(UnsupportedType, match="'c'.*MessagePack"):
        formats.get("msgpack").write(pa.table({"c": pa.nulls(1, type_)}), tmp_path / "x.msgpack")


def test_msgpack_truncation_is_caught_by_the_row_count(msgpack, tmp_path):
    path = tmp_path / "t.msgpack"
    formats.get("msgpack").write(_repetitive(), path)
    path.write_bytes(path.read_bytes()[:-2])  # msgpack itself decodes this silently, one row short
    with pytest.raises(FormatReadError, match="4999"):
        formats.get("msgpack").read(path)


# -- Pickle ------------------------------------------------------------------------------
def test_pickle_is_lossless_for_every_fidelity_column(tmp_path):
    table = fidelity_table()
    back = _round_trip("pickle", table, tmp_path)
    assert back.schema == table.schema
    assert [compare_column(table[n], back[n])[0] for n in table.column_names] == ["lossless"] * len(
        table.columns
    )


def test_pickle_of_a_slice_holds_only_the_slice(tmp_path):
    table = _repetitive(100_000)
    adapter = formats.get("pickle")
    adapter.write(table.slice(10, 100), tmp_path / "s.pkl")
    adapter.write(table, tmp_path / "all.pkl")
    assert (tmp_path / "s.pkl").stat().st_size < (tmp_path / "all.pkl").stat().st_size / 100
    assert adapter.read(tmp_path / "s.pkl").equals(table.slice(10, 100))


@pytest.mark.parametrize(
    "payload", [pickle.dumps(print), pickle.dumps(pa.array([1]))], ids=["global", "array"]
)
def test_pickle_loads_only_arrow_tables(tmp_path, payload):
    path = tmp_path / "foreign.pkl"
    path.write_bytes(payload)
    with pytest.raises(FormatReadError, match="foreign.pkl"):
        formats.get("pickle").read(path)


def test_pickle_refuses_a_valid_table_it_did_not_write(tmp_path):
    path = tmp_path / "elsewhere.pkl"
    path.write_bytes(pickle.dumps(pa.table({"a": [1, 2]}), protocol=5))
    with pytest.raises(FormatReadError, match="only unpickles files it wrote"):
        formats.get("pickle").read(path)


def test_pickle_refuses_its_own_file_once_replaced(tmp_path):
    adapter = formats.get("pickle")
    path = tmp_path / "t.pkl"
    adapter.write(pa.table({"a": [1]}), path)
    assert adapter.read(path).num_rows == 1
    path.unlink()
    path.write_bytes(pickle.dumps(pa.table({"a": [1]}), protocol=5))
    with pytest.raises(FormatReadError):
        adapter.read(path)
