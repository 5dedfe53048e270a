"""What a reader of a text format is told about the data: the same for every engine.

Text files do not carry their schema, so a reader left alone infers types (dates come back
as strings, an integral float column as int64) and must assume the worst about the bytes
(a newline inside any quoted value). The suite knows the source table; what each engine is
handed from it is one knob, ``schema``, the same for every text engine (like for like):

- ``file`` (the default): the file alone; each engine infers the types (DuckDB's sniffer,
  polars' and Arrow's inference). The CSV dialect the writers use is still stated.
- ``declared``: the source's column types, as a user who knows the data states them
  (Arrow's ``column_types`` / ``explicit_schema``, polars' ``schema_overrides``, DuckDB's
  ``columns =``); a type the engine cannot parse from text is left to its inference.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from formats.base import Option

#: Option help shared by every CSV engine.
NEWLINES_HELP = (
    "quoted values may hold line breaks (slower, quote-aware chunking); "
    "default: on only when a string column of the source holds one (on when unknown)"
)


#: The values of the ``schema`` knob every text engine declares.
SCHEMA_MODES = ("file", "declared")
#: The ``schema`` knob, shared by every text engine so all of them get the same thing.
SCHEMA_OPTION = Option(
    "file",
    str,
    choices=SCHEMA_MODES,
    help="what the reader is told: 'file' the file alone (types inferred, the default), "
    "'declared' the source's column types",
)


def declared_schema(adapter: Any) -> pa.Schema | None:
    """The source schema when ``adapter`` runs with ``schema=declared`` and knows it, else
    None (the reader infers from the file alone)."""
    if getattr(adapter, "options", {}).get("schema") != "declared":
        return None
    return getattr(adapter, "source_schema", None)


def cast_declared(table: pa.Table, schema: pa.Schema | None) -> pa.Table:
    """Text columns whose declared type the reader could not be told (JSON dates and times)
    cast to it afterwards, where Arrow's safe cast can; every other column as read."""
    if schema is None:
        return table
    for i, name in enumerate(table.column_names):
        if name not in schema.names:
            continue
        want = schema.field(name).type
        want = want.value_type if pat.is_dictionary(want) else want
        if not _string_like(table.column(i).type) or _string_like(want):
            continue
        try:
            table = table.set_column(i, name, table.column(i).cast(want))
        except (pa.ArrowException, NotImplementedError, TypeError):
            continue
    return table


def _string_like(type_: pa.DataType) -> bool:
    if pat.is_dictionary(type_):
        return _string_like(type_.value_type)
    return pat.is_string(type_) or pat.is_large_string(type_) or pat.is_string_view(type_)


def has_line_break(table: pa.Table) -> bool:
    """Whether any string value (or column name) holds a newline or carriage return.

    Either one ends a CSV row for Arrow's fast chunker; a quoted one is only read right
    with ``newlines_in_values``.
    """
    if any("\n" in name or "\r" in name for name in table.column_names):
        return True
    for field in table.schema:
        if not _string_like(field.type):
            continue
        column = table.column(field.name)
        if pat.is_dictionary(field.type):
            column = pa.chunked_array([c.dictionary for c in column.chunks], field.type.value_type)
        if pc.any(pc.match_substring_regex(column, "[\r\n]")).as_py():
            return True
    return False


def newlines_in_values(options: dict[str, Any], table: pa.Table) -> dict[str, Any]:
    """Decide ``newlines_in_values`` from ``table`` unless the run set it; the decision."""
    if options.get("newlines_in_values") is None:
        options["newlines_in_values"] = has_line_break(table)
    return {"newlines_in_values": options["newlines_in_values"]}


def written_type(type_: pa.DataType) -> pa.DataType:
    """The type the CSV/JSON writers' text stands for: zoned timestamps are written UTC."""
    if pat.is_timestamp(type_) and type_.tz is not None:
        return pa.timestamp(type_.unit, "UTC")
    return type_


def _arrow_csv_parses(type_: pa.DataType) -> bool:
    """Types Arrow's CSV reader converts text to (checked on pyarrow 26: not float16)."""
    flat = not pat.is_nested(type_) and "binary" not in str(type_)
    return flat and type_ != pa.float16()


def _pandas_csv_parses(type_: pa.DataType) -> bool:
    """Types pandas' read_csv turns into an ArrowDtype column (decimal, dictionary fail)."""
    kinds = (pat.is_integer, pat.is_floating, pat.is_boolean, pat.is_date, pat.is_time)
    if type_ == pa.float16():
        return False
    return any(k(type_) for k in kinds) or pat.is_timestamp(type_) or _string_like(type_)


def csv_column_types(
    schema: pa.Schema | None, columns: Sequence[str] | None = None, engine: str = "pyarrow"
) -> dict[str, pa.DataType]:
    """Column name -> type for a CSV reader (``columns``: only those), from the source schema.

    Types the engine cannot parse from text are left to its inference.
    """
    if schema is None:
        return {}
    parses = _pandas_csv_parses if engine == "pandas" else _arrow_csv_parses
    wanted = set(columns) if columns is not None else None
    return {
        f.name: written_type(f.type)
        for f in schema
        if (wanted is None or f.name in wanted) and parses(f.type)
    }


def json_read_type(type_: pa.DataType) -> pa.DataType:
    """The type to ask Arrow's JSON reader for a column written from ``type_``.

    It converts JSON numbers, bools and strings, and ISO strings to timestamps and decimal
    text to decimals; dates, times and dictionaries stay the text or values they were
    written as (it refuses to convert those strings).
    """
    if pat.is_dictionary(type_):
        return json_read_type(type_.value_type)
    if pat.is_date(type_) or pat.is_time(type_):
        return pa.string()
    if type_ == pa.float16():
        return pa.float32()
    return written_type(type_)
