"""Protobuf schema derived from an Arrow schema at run time: no hand-written .proto per dataset.

Each Arrow column becomes one field of a proto3 ``Row`` message (structs nest messages,
lists become ``repeated``). A *plan* per field says how its values travel and what Arrow
type they come back as; the writer derives plans from the table (its types and its
data: which columns hold nulls or negatives), the reader rebuilds them from the stored
descriptor plus the stored Arrow schema, so the file describes itself.
"""

from __future__ import annotations

import dataclasses
import keyword
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NoReturn

import pyarrow as pa
import pyarrow.compute as pc
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from formats.base import UnsupportedType

_F = descriptor_pb2.FieldDescriptorProto
PACKAGE = "fmtbench"
ROW = "Row"
#: The header record's magic: a stream without it is not one of ours.
MAGIC = "fmtbench-protobuf-stream/1"

#: Arrow storage type of the Python values -> (plain, zigzag) protobuf field type.
_PROTO_TYPES: dict[pa.DataType, tuple[int, int]] = {
    pa.int8(): (_F.TYPE_INT32, _F.TYPE_SINT32),
    pa.int16(): (_F.TYPE_INT32, _F.TYPE_SINT32),
    pa.int32(): (_F.TYPE_INT32, _F.TYPE_SINT32),
    pa.int64(): (_F.TYPE_INT64, _F.TYPE_SINT64),
    pa.uint8(): (_F.TYPE_UINT32, _F.TYPE_UINT32),
    pa.uint16(): (_F.TYPE_UINT32, _F.TYPE_UINT32),
    pa.uint32(): (_F.TYPE_UINT32, _F.TYPE_UINT32),
    pa.uint64(): (_F.TYPE_UINT64, _F.TYPE_UINT64),
    pa.float32(): (_F.TYPE_FLOAT, _F.TYPE_FLOAT),
    pa.float64(): (_F.TYPE_DOUBLE, _F.TYPE_DOUBLE),
    pa.bool_(): (_F.TYPE_BOOL, _F.TYPE_BOOL),
    pa.string(): (_F.TYPE_STRING, _F.TYPE_STRING),
    pa.binary(): (_F.TYPE_BYTES, _F.TYPE_BYTES),
}
_SIGNED = {pa.int8(), pa.int16(), pa.int32(), pa.int64()}


@dataclass(frozen=True)
class Plan:
    """How one Arrow field travels as one protobuf field, and the Arrow type it returns as."""

    name: str  # protobuf field name (a safe identifier)
    arrow: pa.DataType  # the exact Arrow type restored on read
    kind: str  # "scalar" | "struct" | "list"
    nullable: bool = False  # nulls travel: proto3 optional, message presence or a list wrapper
    storage: pa.DataType | None = None  # scalar: Arrow type of the Python values protobuf holds
    signed: bool = False  # scalar: zigzag (sint) encoding pays off, the data has negatives
    wrapped: bool = False  # list: held in a message with ``repeated items`` (null or nested)
    children: tuple[Plan, ...] = ()  # struct: its fields; list: (item,)


def storage_type(t: pa.DataType) -> pa.DataType | None:
    """The Arrow type whose Python values a protobuf scalar field holds for ``t`` (None: none)."""
    if pa.types.is_dictionary(t):
        return storage_type(t.value_type)
    if t in _PROTO_TYPES:
        return t
    if pa.types.is_float16(t):
        return pa.float32()  # exact superset; cast back on read
    if pa.types.is_null(t):
        return pa.bool_()  # an optional field never set
    if _any_of(t, "large_string", "string_view", "decimal"):
        return pa.string()  # decimals as their exact text
    if _any_of(t, "large_binary", "binary_view", "fixed_size_binary"):
        return pa.binary()
    if pa.types.is_date32(t) or pa.types.is_time32(t):
        return pa.int32()  # days / time-of-day in the type's unit
    if pa.types.is_temporal(t):
        return pa.int64()  # timestamp, date64, time64, duration: integers in the type's unit
    return None


def _any_of(t: pa.DataType, *kinds: str) -> bool:
    """Whether ``t`` is one of the ``pa.types.is_<kind>`` families."""
    return any(getattr(pa.types, f"is_{kind}")(t) for kind in kinds)


def _is_list(t: pa.DataType) -> bool:
    return _any_of(t, "list", "large_list", "fixed_size_list")


def proto_names(names: Sequence[str]) -> list[str]:
    """Safe, unique protobuf field names (the original Arrow names live in the Arrow schema)."""
    taken: set[str] = set()
    out = []
    for name in names:
        base = re.sub(r"\W", "_", name, flags=re.ASCII)
        if not base[:1].isalpha():  # never a leading "_": synthetic oneofs and types use it
            base = f"f{base}"
        if keyword.iskeyword(base):
            base += "_"
        candidate, n = base, 1
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        taken.add(candidate)
        out.append(candidate)
    return out


# -- writer side: plans from the table ---------------------------------------------------------
def derive_plans(table: pa.Table, format_name: str) -> list[Plan]:
    """One plan per column; UnsupportedType names the column protobuf cannot represent."""
    plans = []
    for name, field, column in zip(
        proto_names(table.column_names), table.schema, table.columns, strict=True
    ):

        def fail(hint: str, field: pa.Field = field) -> NoReturn:
            raise UnsupportedType(field.name, field.type, format_name, hint)

        plans.append(_plan(name, field.type, column.chunks, fail))
    return plans


def _has_nulls(arrays: list[pa.Array]) -> bool:
    """Nulls anywhere, including null values inside a dictionary."""
    dict_nulls = (a.dictionary.null_count for a in arrays if isinstance(a, pa.DictionaryArray))
    return any(a.null_count for a in arrays) or any(dict_nulls)


def _plan(name: str, t: pa.DataType, arrays: list, fail: Callable, item: bool = False) -> Plan:
    """The plan of one field; ``item`` means an element of a repeated field (never null)."""
    if pa.types.is_struct(t):
        names = proto_names([f.name for f in t])
        kids = [
            _plan(n, f.type, [a.field(i) for a in arrays], fail)
            for i, (n, f) in enumerate(zip(names, t, strict=True))
        ]
        return Plan(name, t, "struct", nullable=not item, children=tuple(kids))
    if _is_list(t):
        flat = [a.flatten() for a in arrays]
        if _has_nulls(flat):
            fail("a null inside a list (repeated fields cannot hold nulls)")
        child = _plan("items", t.value_type, flat, fail, item=True)
        nullable = not item and _has_nulls(arrays)
        return Plan(name, t, "list", nullable, wrapped=nullable or item, children=(child,))
    storage = storage_type(t)
    if storage is None:
        fail("no protobuf field type for it")
    nullable = not item and _has_nulls(arrays)
    return Plan(name, t, "scalar", nullable, storage, _negative(storage, arrays))


def _negative(storage: pa.DataType, arrays: list[pa.Array]) -> bool:
    """Whether a signed column holds negatives: zigzag then costs 1-2 bytes, not 10."""
    if storage not in _SIGNED:
        return False
    lows = (pc.min(a.cast(storage)).as_py() for a in arrays if len(a))
    return any(low is not None and low < 0 for low in lows)


# -- descriptor: plans -> FileDescriptorProto ----------------------------------------------------
def build_file(plans: Sequence[Plan]) -> descriptor_pb2.FileDescriptorProto:
    """The proto3 file holding ``Row``: one field per column, numbered in column order."""
    fdp = descriptor_pb2.FileDescriptorProto(
        name="fmtbench_row.proto", package=PACKAGE, syntax="proto3"
    )
    _add_fields(fdp.message_type.add(name=ROW), plans, f".{PACKAGE}.{ROW}")
    return fdp


def _add_fields(msg: descriptor_pb2.DescriptorProto, plans: Sequence[Plan], scope: str) -> None:
    for number, plan in enumerate(plans, 1):
        # json_name pinned: proto3 refuses fields whose derived camelCase names collide
        field = msg.field.add(name=plan.name, number=number, json_name=plan.name)
        field.label = _F.LABEL_OPTIONAL
        _type_field(field, msg, plan, scope)


def _type_field(field: Any, owner: Any, plan: Plan, scope: str) -> None:
    """Give ``field`` (declared in ``owner``, whose full name is ``scope``) the type of ``plan``."""
    repeated = field.label == _F.LABEL_REPEATED
    if plan.kind == "scalar":
        field.type = _PROTO_TYPES[plan.storage][plan.signed]
        if plan.nullable and not repeated:  # proto3 ``optional``: a synthetic oneof
            field.proto3_optional, field.oneof_index = True, len(owner.oneof_decl)
            owner.oneof_decl.add(name=f"_{field.name}")
        return
    if plan.kind == "list" and not plan.wrapped:
        field.label = _F.LABEL_REPEATED
        _type_field(field, owner, plan.children[0], scope)
        return
    nested = owner.nested_type.add(name=f"__T{field.number}")  # "__": never a field name
    field.type, field.type_name = _F.TYPE_MESSAGE, f"{scope}.{nested.name}"
    kids = plan.children
    if plan.kind == "list":  # the wrapper: one ``repeated items`` field
        kids = (dataclasses.replace(plan, name="items", nullable=False, wrapped=False),)
    _add_fields(nested, kids, field.type_name)


# -- reader side: plans from the stored descriptor and Arrow schema -----------------------------
def read_plans(row: Any, schema: pa.Schema) -> list[Plan]:
    """Plans rebuilt from the ``Row`` descriptor and the stored Arrow schema (ValueError: apart)."""
    if len(row.fields) != len(schema):
        raise ValueError(f"descriptor has {len(row.fields)} fields, schema {len(schema)}")
    return [_read_plan(fd, field.type) for fd, field in zip(row.fields, schema, strict=True)]


def _repeated(fd: Any) -> bool:
    if hasattr(fd, "is_repeated"):  # protobuf >= 6 deprecates ``label``
        return fd.is_repeated
    return fd.label == fd.LABEL_REPEATED


def _read_plan(fd: Any, t: pa.DataType, item: bool = False) -> Plan:
    """The plan of field ``fd`` holding Arrow type ``t``; ``item``: an element of ``fd``."""
    if pa.types.is_struct(t):
        fields = fd.message_type.fields
        if len(fields) != t.num_fields:
            raise ValueError(f"{fd.name}: struct fields do not match the descriptor")
        kids = tuple(_read_plan(sub, f.type) for sub, f in zip(fields, t, strict=True))
        return Plan(fd.name, t, "struct", nullable=not item, children=kids)
    if _is_list(t):
        inner = fd.message_type.fields[0] if item or not _repeated(fd) else fd
        wrapped = inner is not fd
        child = _read_plan(inner, t.value_type, item=True)
        return Plan(fd.name, t, "list", wrapped and not item, wrapped=wrapped, children=(child,))
    storage = storage_type(t)
    if storage is None or fd.type not in _PROTO_TYPES[storage]:
        raise ValueError(f"field {fd.name}: protobuf type {fd.type} does not hold {t}")
    nullable = not item and fd.has_presence
    return Plan(fd.name, t, "scalar", nullable, storage)


# -- message classes -----------------------------------------------------------------------------
@lru_cache(maxsize=64)
def message_classes(file_bytes: bytes) -> tuple[type, type]:
    """``Row`` and a ``Batch {repeated Row rows = 1}`` made at run time from a serialized file.

    Batch is not stored: a length-delimited stream becomes a Batch by inserting one tag byte
    before each record, so protobuf parses thousands of rows in one C call.
    """
    fdp = descriptor_pb2.FileDescriptorProto.FromString(file_bytes)
    batch = fdp.message_type.add(name="Batch")
    batch.field.add(
        name="rows",
        number=1,
        type=_F.TYPE_MESSAGE,
        label=_F.LABEL_REPEATED,
        type_name=f".{PACKAGE}.{ROW}",
    )
    pool = descriptor_pool.DescriptorPool()  # one pool per schema: no name clashes
    pool.Add(fdp)
    row = pool.FindMessageTypeByName(f"{PACKAGE}.{ROW}")
    found = pool.FindMessageTypeByName(f"{PACKAGE}.Batch")
    return message_factory.GetMessageClass(row), message_factory.GetMessageClass(found)


@lru_cache(maxsize=1)
def header_class() -> type:
    """The first record of every stream: magic, ``Row`` file descriptor, Arrow schema, row count."""
    fdp = descriptor_pb2.FileDescriptorProto(
        name="fmtbench_header.proto", package=f"{PACKAGE}.header", syntax="proto3"
    )
    msg = fdp.message_type.add(name="Header")
    fields = [
        ("magic", _F.TYPE_STRING),
        ("row_file", _F.TYPE_BYTES),
        ("arrow_schema", _F.TYPE_BYTES),
        ("num_rows", _F.TYPE_UINT64),  # a stream cut at a record boundary is still detected
    ]
    for number, (name, kind) in enumerate(fields, 1):
        msg.field.add(name=name, number=number, type=kind, label=_F.LABEL_OPTIONAL)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{PACKAGE}.header.Header"))
