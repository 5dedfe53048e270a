"""Arrow <-> polars: the type checks, the zero-copy hand-over, predicates and read errors
that the polars adapters (polars_engine.py, polars_rows.py) and polars' dataset reader
(multifile_polars.py) share. Kept apart so the dataset reader does not import the adapters.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from formats import base
from formats.base import Filter, FormatReadError, UnsupportedType
from formats.retype import cast_back, same_kind

if TYPE_CHECKING:
    import polars as pl

PathLike = str | os.PathLike

_POLARS_OPS = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}


# -- Arrow <-> polars ----------------------------------------------------------------
def polars_view(type_: pa.DataType) -> pa.DataType:
    """The Arrow type polars gives back for ``type_`` when it holds the values exactly."""
    if pa.types.is_string(type_) or pa.types.is_large_string(type_):
        return pa.string_view()
    if pa.types.is_binary(type_) or pa.types.is_large_binary(type_):
        return pa.binary_view()
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return pa.large_list(polars_view(type_.value_type))
    if pa.types.is_struct(type_):
        return pa.struct([pa.field(f.name, polars_view(f.type)) for f in type_])
    if pa.types.is_map(type_):
        return pa.map_(polars_view(type_.key_type), polars_view(type_.item_type))
    if pa.types.is_dictionary(type_) and polars_view(type_.value_type) == pa.string_view():
        return pa.dictionary(pa.uint32(), pa.string_view())  # Categorical
    return type_


def _nullable(type_: pa.DataType) -> pa.DataType:
    """``type_`` with every nested field nullable: polars does not track nullability."""
    if pa.types.is_struct(type_):
        return pa.struct([pa.field(f.name, _nullable(f.type)) for f in type_])
    if pa.types.is_large_list(type_):
        return pa.large_list(_nullable(type_.value_type))
    return type_


def check_polars_types(table: pa.Table, format_name: str) -> None:
    """UnsupportedType for the first column polars would hold as a different type, unless
    that type keeps every value (timestamp[s] held as [ms]: the round trip says retyped).

    Checked on the empty schema (no data moves) in one conversion, before anything is
    written; only a schema polars refuses outright is retried column by column, to name it.
    """
    import polars as pl

    errors = (pl.exceptions.PolarsError, pa.ArrowException, TypeError, ValueError)
    empty = table.schema.empty_table()
    try:
        held = to_arrow(pl.from_arrow(empty)).schema
    except errors:
        held = None
    for i, field in enumerate(table.schema):
        try:
            type_ = held.field(i).type if held else _held_alone(empty.select([i]))
        except errors as exc:
            reason = base.first_line(exc)
            raise UnsupportedType(field.name, field.type, format_name, reason) from None
        if _nullable(type_) != _nullable(polars_view(field.type)):
            if _holds_every_value(table.column(i), type_):
                continue
            hint = f"polars holds it as {type_}; cast the column first"
            raise UnsupportedType(field.name, field.type, format_name, hint)


def _holds_every_value(column: pa.ChunkedArray, held: pa.DataType) -> bool:
    """Whether ``held`` is the same kind as the column's type and a safe cast of these
    values into it loses nothing (no overflow, no truncation): only the type moves."""
    if not same_kind(column.type, held):
        return False
    again = cast_back(column, held)  # a safe cast: raises rather than truncate
    return again is not None and cast_back(again, column.type) is not None


def _held_alone(column: pa.Table) -> pa.DataType:
    import polars as pl

    return to_arrow(pl.from_arrow(column)).schema.field(0).type


def to_arrow(frame: pl.DataFrame) -> pa.Table:
    """The zero-copy hand-over; 128-bit integers (text readers infer them) become decimals."""
    import polars as pl

    wide = [n for n, t in frame.schema.items() if t in (pl.Int128, pl.UInt128)]
    if wide:  # pyarrow has no 128-bit integer type; decimal(38, 0) holds every value
        frame = frame.with_columns(pl.col(wide).cast(pl.Decimal(38, 0)))
    return frame.to_arrow(compat_level=pl.CompatLevel.newest())


def polars_expr(predicate: Filter) -> pl.Expr:
    """The one-column predicate as a polars expression (pushed into the scan)."""
    import polars as pl

    value = predicate.value.item() if isinstance(predicate.value, np.generic) else predicate.value
    return getattr(pl.col(predicate.column), _POLARS_OPS[predicate.op])(value)


@contextlib.contextmanager
def reading(path: PathLike, format_name: str) -> Iterator[None]:
    """polars' read failures as FormatReadError; a missing file or column stays what it is."""
    import polars as pl

    try:
        yield
    except FileNotFoundError:
        raise
    except pl.exceptions.ColumnNotFoundError as exc:
        raise KeyError(f"{path} has no column {base.first_line(exc)}") from None
    except pl.exceptions.OutOfBoundsError as exc:  # a take index past the end, as Arrow's
        raise IndexError(f"{path}: {base.first_line(exc)}") from None
    except (
        pl.exceptions.PolarsError,
        pl.exceptions.PanicException,
        pa.ArrowException,
        OSError,
    ) as exc:
        raise FormatReadError(path, format_name, exc) from exc
