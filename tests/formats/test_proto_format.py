"""The protobuf adapter: truths measured from real round trips, not from its own tables."""

from __future__ import annotations

import pyarrow as pa
import pytest

import formats
from formats import FormatReadError, UnsupportedType

pytest.importorskip("google.protobuf")

from google.protobuf import descriptor_pb2  # noqa: E402
from google.protobuf.internal.decoder import _DecodeVarint32  # noqa: E402

from formats import proto_schema  # noqa: E402  (needs google.protobuf)
from formats.proto_format import _frame  # noqa: E402


@pytest.fixture
def adapter():
    return formats.get("protobuf")


def _round_trip(adapter, table: pa.Table, tmp_path) -> pa.Table:
    path = tmp_path / "t.pb"
    adapter.write(table, path)
    return adapter.read(path)


def _stored_row_message(path) -> descriptor_pb2.DescriptorProto:
    """The ``Row`` message of the FileDescriptorProto in the file's first record."""
    data = path.read_bytes()
    size, pos = _DecodeVarint32(data, 0)  # protobuf's own varint reader, not the adapter's
    header = proto_schema.header_class().FromString(data[pos : pos + size])
    file = descriptor_pb2.FileDescriptorProto.FromString(header.row_file)
    return file.message_type[0]


def test_derived_descriptor_has_one_field_per_column(adapter, small_table, tmp_path):
    path = tmp_path / "t.pb"
    adapter.write(small_table, path)
    row = _stored_row_message(path)
    assert [f.name for f in row.field] == small_table.column_names
    assert [f.number for f in row.field] == list(range(1, small_table.num_columns + 1))
    optional = {f.name for f in row.field if f.proto3_optional}
    assert optional == {"x"}  # the one column holding nulls gets field presence


def test_file_is_length_delimited_records_after_a_header(adapter, small_table, tmp_path):
    path = tmp_path / "t.pb"
    adapter.write(small_table, path)
    data = path.read_bytes()
    ends = _frame(data, 0, len(data))
    assert ends[-1] == len(data)
    assert len(ends) == 1 + small_table.num_rows  # the header, then one record per row


def test_nulls_survive_in_every_scalar_family(adapter, tmp_path):
    table = pa.table(
        {
            "i": pa.array([0, None, -5], pa.int64()),
            "f": pa.array([0.0, None, 1.5], pa.float64()),
            "s": pa.array(["", None, "x"]),
            "b": pa.array([False, None, True]),
            "t": pa.array([0, None, 1], pa.timestamp("ns")),
        }
    )
    back = _round_trip(adapter, table, tmp_path)
    assert back.equals(table)
    for name in table.column_names:  # a zero/empty value is not mistaken for a null
        assert back.column(name).null_count == 1


def test_nested_struct_survives(adapter, tmp_path):
    inner = pa.struct([("z", pa.float64()), ("tag", pa.string())])
    values = [{"a": 1, "in": {"z": 0.5, "tag": None}}, None, {"a": None, "in": None}]
    table = pa.table({"s": pa.array(values, pa.struct([("a", pa.int32()), ("in", inner)]))})
    back = _round_trip(adapter, table, tmp_path)
    assert back.schema == table.schema
    assert back.column("s").to_pylist() == values


def test_null_and_empty_lists_stay_apart(adapter, tmp_path):
    table = pa.table({"l": pa.array([[1, 2], None, [], [3]], pa.list_(pa.int64()))})
    back = _round_trip(adapter, table, tmp_path)
    assert back.column("l").to_pylist() == [[1, 2], None, [], [3]]


def test_null_inside_a_list_is_refused_naming_the_column(adapter, tmp_path):
    table = pa.table({"l": pa.array([[1, None]], pa.list_(pa.int64()))})
    with pytest.raises(UnsupportedType, match="'l'.*Protobuf"):
        adapter.write(table, tmp_path / "t.pb")


def test_exact_arrow_types_come_back(adapter, tmp_path):
    table = pa.table(
        {
            "ts": pa.array([1, None], pa.timestamp("us", tz="Europe/Paris")),
            "dec": pa.array([None, "1.25"], pa.string()).cast(pa.decimal128(10, 2)),
            "cat": pa.array(["a", None]).dictionary_encode(),
            "day": pa.array([-1, 1], pa.int32()).cast(pa.date32()),
        }
    )
    back = _round_trip(adapter, table, tmp_path)
    assert back.schema == table.schema
    assert back.to_pylist() == table.to_pylist()


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01 not a real file \xff" * 10, b"\xff" * 64],
    ids=["empty", "garbage", "bad-varint"],
)
def test_foreign_bytes_are_refused(adapter, tmp_path, content):
    path = tmp_path / "bad.pb"
    path.write_bytes(content)
    with pytest.raises(FormatReadError, match="bad.pb"):
        adapter.read(path)


def test_a_stream_cut_anywhere_is_refused(adapter, small_table, tmp_path):
    path = tmp_path / "t.pb"
    adapter.write(small_table, path)
    data = path.read_bytes()
    last_record = _frame(data, 0, len(data))[-2]
    for cut in (len(data) - 1, last_record):  # inside a record, and on a record boundary
        path.write_bytes(data[:cut])
        with pytest.raises(FormatReadError):
            adapter.read(path)


def test_take_and_scan_match_the_emulations(adapter, small_table, tmp_path):
    path = tmp_path / "t.pb"
    adapter.write(small_table, path)
    full = adapter.read(path)
    assert adapter.take(path, [3, 3, 0]).equals(full.take([3, 3, 0]))
    predicate = formats.Filter("x", ">", 10.0)
    assert adapter.scan(path, predicate).equals(full.filter(predicate.to_arrow()))
