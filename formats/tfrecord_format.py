"""TFRecord shards of ``tf.train.Example`` through the ``tfrecord`` package (no TensorFlow).

An Example holds three list types only: int64, float32 and bytes. Integers (up to int64 and
uint32), booleans, dates and timestamps go to ``int64_list``; float32 (and float16) to
``float_list``; strings (UTF-8) and binary to a one-value ``bytes_list``; fixed-size and
ragged lists of those numbers to the matching list. float64 has no list type: its values
are kept exactly as little-endian bytes in ``bytes_list`` (what ``tf.io.serialize_tensor``
users do). uint64 does not fit int64 and is refused, naming the column, as is every type
no list holds. A null is an absent feature (an empty list stays a present, empty one).
Reading is the package's pure-Python ``tfrecord_loader``: sequential, no random access.
Its loader opens local paths only, so a shard on object storage is read as an fsspec
stream framed here (length, CRC, record, CRC: the format's four fields) and each record
parsed with the package's own ``example_pb2`` and ``extract_feature_dict``.
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.types as pat

from formats.base import RemoteFile, UnsupportedType, open_binary
from formats.registry import register
from formats.sharded import ShardedAdapter, parts_from_rows, row_values
from formats.tensor_columns import check_schema, from_parts, storage_type, to_parts


def _number_type(t: pa.DataType, layout: str) -> pa.DataType:
    """The number type of a column's values (its storage type for dates and times)."""
    return storage_type(t) if layout == "scalar" else t.value_type


def feature_kind(t: pa.DataType, layout: str) -> str:
    """The Example list a column's values go to: "int", "float" or "byte"."""
    if layout == "bytes":
        return "byte"
    base = _number_type(t, layout)
    if pat.is_float64(base):
        return "byte"  # exact bytes: float_list would round to float32
    return "float" if pat.is_floating(base) else "int"


@register
class TfRecordAdapter(ShardedAdapter):
    """tf.train.Example records in shard files via the tfrecord package."""

    name = "tfrecord"
    format = "TFRecord"
    engine = "tfrecord"
    codecs = ("none", "gzip")
    extension = "tfrecord.d"
    requires = ("tfrecord", "crc32c")
    extra = "tfrecord"
    libraries = ("tfrecord", "crc32c", "protobuf")
    shard_suffix = {"none": ".tfrecord", "gzip": ".tfrecord.gz"}

    def check_schema(self, schema: pa.Schema) -> list[str]:
        layouts = check_schema(schema, self.format)
        for field, layout in zip(schema, layouts, strict=True):
            if layout != "bytes" and pat.is_uint64(_number_type(field.type, layout)):
                raise UnsupportedType(
                    field.name, field.type, self.format, "int64_list is signed 64-bit"
                )
        return layouts

    def _write_shard(
        self, file: Path, table: pa.Table, start: int, layouts: list[str], codec: str
    ) -> None:
        from tfrecord.writer import TFRecordWriter

        kinds = [feature_kind(f.type, lay) for f, lay in zip(table.schema, layouts, strict=True)]
        columns = []
        for i, layout in enumerate(layouts):
            parts = to_parts(table.column(i), layout, table.schema.field(i), self.format)
            columns.append(row_values(parts, layout, table.num_rows))
        writer = TFRecordWriter.__new__(TFRecordWriter)  # its __init__ only opens a plain file
        with open_binary(file, "wb") as out:
            writer.file = gzip.GzipFile(fileobj=out, mode="wb") if codec == "gzip" else out
            try:
                for r in range(table.num_rows):
                    datum = {
                        name: (_feature_value(values[r], kind), kind)
                        for name, kind, values in zip(
                            table.schema.names, kinds, columns, strict=True
                        )
                        if values[r] is not None
                    }
                    writer.write(datum)
            finally:
                if codec == "gzip":
                    writer.file.close()  # the gzip trailer; ``out`` closes after

    def _read_shard_file(self, file: Any, schema: pa.Schema, codec: str) -> pa.Table:
        from tfrecord.reader import tfrecord_loader

        compression = "gzip" if codec == "gzip" else None
        if isinstance(file, RemoteFile):
            records = list(remote_examples(file, compression))
        else:
            records = list(tfrecord_loader(str(file), None, compression_type=compression))
        return records_to_table(records, schema, self.format)


def remote_examples(file: RemoteFile, compression: str | None) -> Any:
    """Every Example of a remote shard, streamed: the framing the package's iterator reads
    (8-byte length, 4-byte CRC, the record, 4-byte CRC), its parser for the record."""
    from tfrecord import example_pb2
    from tfrecord.reader import extract_feature_dict

    mapping = {"byte": "bytes_list", "float": "float_list", "int": "int64_list"}
    with file.open_input() as raw:
        stream = gzip.GzipFile(fileobj=raw, mode="rb") if compression == "gzip" else raw
        while header := stream.read(12):
            if len(header) != 12:
                raise RuntimeError("Failed to read the record size.")
            (length,) = struct.unpack("<Q", header[:8])
            record = stream.read(length)
            if len(record) != length or len(stream.read(4)) != 4:
                raise RuntimeError("Failed to read the record.")
            example = example_pb2.Example()
            example.ParseFromString(record)
            yield extract_feature_dict(example.features, None, mapping)


def _feature_value(value: Any, kind: str) -> Any:
    """A row's value as the tfrecord writer takes it (a list, or one bytes value)."""
    if isinstance(value, bytes):
        return value
    if kind == "byte":  # float64 numbers: their exact little-endian bytes
        return np.asarray(value, "<f8").tobytes()
    numbers = np.atleast_1d(value)
    return (numbers.astype(np.int64) if numbers.dtype == bool else numbers).tolist()


def records_to_table(
    records: list[dict[str, Any]], schema: pa.Schema, format_name: str
) -> pa.Table:
    """Parsed Examples (feature name -> numpy array or bytes) as an Arrow table."""
    layouts = check_schema(schema, format_name)
    arrays = []
    for field, layout in zip(schema, layouts, strict=True):
        kind = feature_kind(field.type, layout)
        dtype = (
            np.dtype(np.uint8)
            if layout == "bytes"
            else np.dtype(_number_type(field.type, layout).to_pandas_dtype())
        )
        values = [_row_value(r.get(field.name), layout, kind) for r in records]
        width = field.type.list_size if layout == "tensor" else 0
        arrays.append(from_parts(field.type, layout, parts_from_rows(values, layout, dtype, width)))
    return pa.Table.from_arrays(arrays, schema=schema)


def _row_value(value: Any, layout: str, kind: str) -> Any:
    """One feature back as the row value parts_from_rows takes."""
    if value is None or layout == "bytes":
        return value
    if kind == "byte":
        numbers = np.frombuffer(value if isinstance(value, bytes) else b"", "<f8")
        return numbers[0] if layout == "scalar" else numbers
    return value[0] if layout == "scalar" else value
