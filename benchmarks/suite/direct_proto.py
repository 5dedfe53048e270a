"""Protobuf called as its documentation shows: one message per row, ``SerializeToString`` /
``FromString`` per record, varint length prefixes (``writeDelimitedTo``'s layout).

The message class comes from the adapter's schema derivation, once and untimed (a user
writes a .proto file); values go to and from Arrow through the adapter's column
conversions, so what differs from the adapter is the protobuf part: per-record parsing
against the adapter's one-call batch parse.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pyarrow as pa


def protobuf_calls(table: pa.Table) -> dict[str, Callable]:
    """write / read / read_column for the protobuf adapter's files, textbook style."""
    from google.protobuf.internal.encoder import _VarintBytes

    from formats import proto_format as pf
    from formats import proto_schema

    plans = proto_schema.derive_plans(table, "Protobuf")
    row_cls, _ = proto_schema.message_classes(proto_schema.build_file(plans).SerializeToString())

    def write(t: pa.Table, p: Path) -> None:
        columns = [
            pf._encode(c.combine_chunks(), plan) for c, plan in zip(t.columns, plans, strict=True)
        ]
        names = [plan.name for plan in plans]
        with open(p, "wb") as f:
            for values in zip(*columns, strict=True):
                kwargs = {n: v for n, v in zip(names, values, strict=True) if v is not None}
                body = row_cls(**kwargs)
                data = body.SerializeToString()
                f.write(_VarintBytes(len(data)) + data)

    def read(p: Path, columns: list[str] | None = None) -> pa.Table:
        stat = os.stat(p)
        schema, cls, stream_plans = _layout(str(p), stat.st_mtime_ns, stat.st_size)
        rows = [cls.FromString(body) for body in _records(Path(p).read_bytes())[1:]]
        picked = [i for i, f in enumerate(schema) if columns is None or f.name in columns]
        arrays = [pf._decode_field(rows, stream_plans[i]) for i in picked]
        return pa.table(arrays, names=[schema.field(i).name for i in picked])

    return {"write": write, "read": read, "read_column": lambda p, c: read(p, [c])}


@cache
def _layout(path: str, mtime_ns: int, size: int) -> tuple[pa.Schema, type, list]:
    """The Arrow schema, Row class and read plans from the file's header record (untimed
    after the first call: a user has the class already)."""
    from formats import proto_schema

    header_body = _records(Path(path).read_bytes(), limit=1)[0]
    header = proto_schema.header_class().FromString(header_body)
    schema = pa.ipc.read_schema(pa.py_buffer(header.arrow_schema))
    row_cls, _ = proto_schema.message_classes(header.row_file)
    return schema, row_cls, proto_schema.read_plans(row_cls.DESCRIPTOR, schema)


def _records(data: bytes, limit: int | None = None) -> list[bytes]:
    """The bodies of the length-delimited records (protobuf's own varint decoder)."""
    from google.protobuf.internal.decoder import _DecodeVarint32

    out, pos = [], 0
    while pos < len(data) and (limit is None or len(out) < limit):
        size, pos = _DecodeVarint32(data, pos)
        out.append(data[pos : pos + size])
        pos += size
    return out
