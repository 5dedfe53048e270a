"""Arrow columns as plain numpy arrays: what the array formats (HDF5, Zarr, NumPy) store.

A column takes one of four layouts: ``scalar`` (a fixed-width type: a 1-D array),
``tensor`` (fixed_size_list of numbers: a 2-D array), ``ragged`` (list of numbers: values +
offsets) and ``bytes`` (string or binary: uint8 values + offsets). Top-level nulls become a
boolean ``valid`` array beside the data (zeros stand where a value is null), as ML code keeps
a mask; a null inside a list and every other type (decimal, struct, dictionary, lists of
strings, ...) are refused with UnsupportedType naming the column. Each file keeps the Arrow
schema, so dates, timestamps and string vs binary come back as they went in. No object
array is ever made: those cannot be memory-mapped and load by running pickle.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from formats.base import UnsupportedType

#: Parts a layout stores, besides ``valid`` (present only when the column has nulls).
PARTS = {"scalar": ("data",), "tensor": ("data",), "ragged": ("values", "offsets")}
PARTS["bytes"] = PARTS["ragged"]

#: Fetches one stored part of a column: (part name, rows or value positions) -> numpy, or
#: None when the part is absent (no ``valid``: the column has no nulls).
Fetch = Callable[[str, Any], "np.ndarray | None"]


def _temporal_storage(t: pa.DataType) -> pa.DataType | None:
    """The integer type a date/time/timestamp/duration is stored as (same width), else None."""
    if pat.is_date32(t) or pat.is_time32(t):
        return pa.int32()
    if pat.is_date64(t) or pat.is_time64(t) or pat.is_timestamp(t) or pat.is_duration(t):
        return pa.int64()
    return None


def _is_number(t: pa.DataType) -> bool:
    return pat.is_integer(t) or pat.is_floating(t) or pat.is_boolean(t)


def storage_type(t: pa.DataType) -> pa.DataType:
    """The Arrow type whose buffers numpy stores for a scalar type (dates as ints)."""
    return _temporal_storage(t) or t


def layout_of(field: pa.Field, format_name: str) -> str:
    """The layout of ``field``; UnsupportedType (naming it) for types no layout holds."""
    t = field.type
    if _is_number(t) or _temporal_storage(t) is not None:
        return "scalar"
    if pat.is_fixed_size_list(t) and _is_number(t.value_type):
        return "tensor"
    if (pat.is_list(t) or pat.is_large_list(t)) and _is_number(t.value_type):
        return "ragged"
    if pat.is_string(t) or pat.is_large_string(t) or pat.is_binary(t) or pat.is_large_binary(t):
        return "bytes"
    raise UnsupportedType(field.name, t, format_name, _why_not(t))


def _why_not(t: pa.DataType) -> str:
    """The refusal's hint: what a user would convert the column to."""
    if pat.is_dictionary(t):
        return "no dictionary arrays; decode it (cast to its value type) first"
    if pat.is_nested(t):
        return "only fixed-size and variable-length lists of numbers are arrays here"
    return "nothing here holds it losslessly; cast it to a number or string first"


def check_schema(schema: pa.Schema, format_name: str) -> list[str]:
    """The layout of every column, refusing the first one no layout holds."""
    return [layout_of(f, format_name) for f in schema]


def safe_names(schema: pa.Schema) -> list[str]:
    """Names for the stored arrays: the column's own when plain and unique, else ``col{i}``."""
    names = [
        n if re.fullmatch(r"[A-Za-z0-9_-]+", n) else f"col{i}" for i, n in enumerate(schema.names)
    ]
    if len({n.lower() for n in names}) < len(names):
        return [f"col{i}" for i in range(len(names))]
    return names


def serialize_schema(schema: pa.Schema) -> bytes:
    """The schema as Arrow IPC bytes, kept in the file beside the arrays."""
    return schema.serialize().to_pybytes()


def deserialize_schema(data: bytes) -> pa.Schema:
    """Inverse of ``serialize_schema``."""
    return pa.ipc.read_schema(pa.py_buffer(data))


# -- Arrow -> numpy ------------------------------------------------------------------------
def to_parts(
    column: pa.ChunkedArray | pa.Array, layout: str, field: pa.Field, format_name: str
) -> dict[str, np.ndarray]:
    """The numpy arrays a column is stored as (``valid`` only when it has nulls)."""
    arr = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if layout in ("tensor", "ragged"):
        _no_inner_nulls(arr, field, format_name)
    parts = _LAYOUT_WRITERS[layout](arr)
    if arr.null_count:
        parts["valid"] = np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    return parts


def _scalar_parts(arr: pa.Array) -> dict[str, np.ndarray]:
    stored = arr.view(storage_type(arr.type)) if _temporal_storage(arr.type) else arr
    zero = False if pat.is_boolean(stored.type) else 0
    filled = stored.fill_null(pa.scalar(zero, stored.type)) if stored.null_count else stored
    return {"data": np.asarray(filled.to_numpy(zero_copy_only=False))}


def _tensor_parts(arr: pa.Array) -> dict[str, np.ndarray]:
    size = arr.type.list_size
    values = arr.values.slice(arr.offset * size, len(arr) * size)  # .values ignores the offset
    data = values.to_numpy(zero_copy_only=False)
    return {"data": np.asarray(data).reshape(len(arr), size)}


def _ragged_parts(arr: pa.Array) -> dict[str, np.ndarray]:
    offsets = arr.offsets.to_numpy().astype(np.int64)
    values = arr.values.slice(int(offsets[0]), int(offsets[-1] - offsets[0]))
    data = np.asarray(values.to_numpy(zero_copy_only=False))
    return {"values": data, "offsets": offsets - offsets[0]}


def _bytes_parts(arr: pa.Array) -> dict[str, np.ndarray]:
    if not len(arr):
        return {"values": np.zeros(0, np.uint8), "offsets": np.zeros(1, np.int64)}
    wide = arr.cast(pa.large_binary())
    _, offsets_buf, data_buf = wide.buffers()
    offsets = np.frombuffer(offsets_buf, np.int64)[wide.offset : wide.offset + len(wide) + 1]
    data = np.frombuffer(data_buf, np.uint8) if data_buf is not None else np.zeros(0, np.uint8)
    start, stop = int(offsets[0]), int(offsets[-1])
    return {"values": data[start:stop].copy(), "offsets": offsets - start}


def _no_inner_nulls(arr: pa.Array, field: pa.Field, format_name: str) -> None:
    """A null inside a list has no array value: refused, naming the column."""
    inner = pc.list_flatten(arr) if not pat.is_fixed_size_list(arr.type) else arr.flatten()
    if inner.null_count:
        raise UnsupportedType(field.name, field.type, format_name, "a null inside a list")


_LAYOUT_WRITERS = {
    "scalar": _scalar_parts,
    "tensor": _tensor_parts,
    "ragged": _ragged_parts,
    "bytes": _bytes_parts,
}


# -- numpy -> Arrow ------------------------------------------------------------------------
def from_parts(t: pa.DataType, layout: str, parts: dict[str, np.ndarray | None]) -> pa.Array:
    """The Arrow array of type ``t`` from its stored parts (already in memory)."""
    valid = parts.get("valid")
    null = None if valid is None else ~np.asarray(valid, dtype=bool)
    mask = None if null is None else pa.array(null)
    if layout == "scalar":
        stored = pa.array(np.asarray(parts["data"]), type=storage_type(t), mask=null)
        return stored.view(t) if _temporal_storage(t) else stored
    if layout == "tensor":
        data = np.asarray(parts["data"])
        flat = pa.array(data.reshape(-1), type=t.value_type)
        return pa.FixedSizeListArray.from_arrays(flat, t.list_size, mask=mask)
    offsets = np.asarray(parts["offsets"], dtype=np.int64)
    if layout == "ragged":
        values = pa.array(np.asarray(parts["values"]), type=t.value_type)
        kind = pa.LargeListArray if pat.is_large_list(t) else pa.ListArray
        width = np.int64 if pat.is_large_list(t) else np.int32
        return kind.from_arrays(pa.array(offsets.astype(width)), values, mask=mask)
    validity = None if mask is None else pa.array(np.asarray(valid, dtype=bool)).buffers()[1]
    raw = pa.Array.from_buffers(
        pa.large_binary(),
        len(offsets) - 1,
        [validity, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(parts["values"]))],
    )
    return raw.cast(t)


def read_column(
    field: pa.Field, layout: str, fetch: Fetch, rows: Any = slice(None), ragged: Any = None
) -> pa.Array:
    """A whole column (``rows`` a slice) or the rows at sorted, unique positions.

    ``ragged(rows)`` -> (values, offsets) replaces the values + offsets reads for a format
    that stores variable-length rows itself (HDF5's vlen).
    """
    parts: dict[str, np.ndarray | None] = {"valid": fetch("valid", rows)}
    if layout in ("scalar", "tensor"):
        parts["data"] = fetch("data", rows)
        return from_parts(field.type, layout, parts)
    gathered = ragged(rows) if ragged is not None else _gather_ranges(fetch, rows)
    parts["values"], parts["offsets"] = gathered
    return from_parts(field.type, layout, parts)


def _gather_ranges(fetch: Fetch, rows: Any) -> tuple[np.ndarray, np.ndarray]:
    """Values and rebased offsets of the rows asked for, in one read of the values."""
    if isinstance(rows, slice):
        start, stop, _ = rows.indices(1 << 62)
        offsets = fetch("offsets", slice(start, None if rows.stop is None else stop + 1))
        values = fetch("values", slice(int(offsets[0]), int(offsets[-1])))
        return values, offsets - offsets[0]
    rows = np.asarray(rows, dtype=np.int64)
    wanted = np.unique(np.concatenate([rows, rows + 1]))
    got = fetch("offsets", wanted)
    starts, ends = got[np.searchsorted(wanted, rows)], got[np.searchsorted(wanted, rows + 1)]
    lengths = ends - starts
    new_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    if not new_offsets[-1]:
        return fetch("values", slice(0, 0)), new_offsets
    positions = np.repeat(starts - new_offsets[:-1], lengths) + np.arange(new_offsets[-1])
    return fetch("values", positions), new_offsets


def sorted_unique(indices: Any, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """(sorted unique positions, where each requested index lands in them); IndexError when
    out of range. Array libraries read increasing positions (h5py insists on it)."""
    wanted = np.asarray(indices, dtype=np.int64).reshape(-1)
    if wanted.size and (wanted.min() < 0 or wanted.max() >= rows):
        raise IndexError(f"row indices must lie in [0, {rows}); got {wanted.min()}..{wanted.max()}")
    unique, inverse = np.unique(wanted, return_inverse=True)
    return unique, inverse
