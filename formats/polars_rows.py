"""The row-oriented formats through polars: CSV, JSON Lines and Avro (formats/polars_engine.py
has the shared adapter and the column formats).

Text readers tokenise every byte, so only projection (columns converted) and streaming are
native; take and scan read everything, then gather or filter inside polars. polars has no
lazy Avro scan (2.1): ``read_avro`` is eager, with a column projection that skips decoding
the other fields (every byte is still read: Avro is row-oriented).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from formats import source_hints
from formats.base import FormatReadError, Option, UnsupportedType
from formats.families import AVRO, CSV, JSON_LINES
from formats.polars_engine import PolarsAdapter, reading, to_arrow
from formats.registry import register

if TYPE_CHECKING:
    import polars as pl

PathLike = str | os.PathLike

#: Avro's own codec names (as avro-fastavro's, so one --codecs value fits both engines).
_POLARS_CODEC = {"null": "uncompressed", "deflate": "deflate", "snappy": "snappy"}


# -- text: CSV and JSON Lines ------------------------------------------------------------
def _binary_inside(type_: pa.DataType) -> bool:
    if pa.types.is_binary(type_) or pa.types.is_large_binary(type_):
        return True
    if pa.types.is_binary_view(type_) or pa.types.is_fixed_size_binary(type_):
        return True
    return any(_binary_inside(type_.field(i).type) for i in range(type_.num_fields))


def polars_types(schema: pa.Schema) -> dict[str, Any]:
    """Column name -> polars dtype for the types the text stands for (zoned as UTC)."""
    import polars as pl

    out: dict[str, Any] = {}
    for field in schema:
        type_ = source_hints.written_type(field.type)
        if pa.types.is_dictionary(type_):
            type_ = type_.value_type
        try:
            empty = pa.schema([(field.name, type_)]).empty_table()
            out[field.name] = pl.from_arrow(empty).dtypes[0]
        except BaseException as exc:  # polars cannot hold it (a Rust panic): inference
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            continue
    return out


class PolarsText(PolarsAdapter):
    """Text formats: polars' writers compress themselves; its readers detect the codec."""

    orientation = "row"
    encoding = "text"
    codecs = ("none", "gzip", "zstd")  # none: polars' default
    #: Projection is pushed into the parser: every byte is tokenised, only these columns
    #: are converted (as csv-pandas' usecols). Streaming batches are native; take and scan
    #: read everything (text has no chunk index or statistics).
    native = frozenset({"read_columns", "iter_batches"})
    option_specs = {
        "compression_level": Option(None, int, help="gzip/zstd level; none: polars' default"),
        "schema": source_hints.SCHEMA_OPTION,
    }

    def read_kwargs(self) -> dict[str, Any]:
        """With schema=declared: ``schema_overrides``, the source's types as polars holds
        them (a type polars cannot hold is left to its inference)."""
        declared = self._declared()
        if not declared:
            return {}
        return {"schema_overrides": {n: self.parsed_as(t) for n, t in declared.items()}}

    def finish(self, frame: Any) -> Any:
        """Cast the columns read as another type than declared (see ``parsed_as``)."""
        import polars as pl

        declared = self._declared()
        casts = [pl.col(n).cast(t) for n, t in declared.items() if self.parsed_as(t) != t]
        return frame.with_columns(casts) if casts else frame

    def _declared(self) -> dict[str, Any]:
        declared = source_hints.declared_schema(self)
        return polars_types(declared) if declared is not None else {}

    def parsed_as(self, dtype: Any) -> Any:
        """The type the reader is asked to parse a declared ``dtype`` as (CSV: itself)."""
        return dtype

    def compression(self, codec: str) -> dict[str, Any]:
        """The writer's compression keywords (the codec is in the name, not the extension)."""
        level = self.options["compression_level"]
        return {
            "compression": "uncompressed" if codec == "none" else codec,
            "compression_level": None if codec == "none" else level,
            "check_extension": False,
        }


@register
class CsvPolars(PolarsText):
    """CSV through polars' multithreaded parser and writer."""

    name = "csv-polars"
    readers, data_suffixes = CSV.readers, CSV.data_suffixes
    format = "CSV"
    extension = "csv"
    scanner = "scan_csv"
    reader = "read_csv"

    def write_frame(self, table: pa.Table, path: PathLike, codec: str) -> None:
        """DataFrame.write_csv: null is an empty cell, the empty string is ``""``."""
        import polars as pl

        pl.from_arrow(table).write_csv(path, **self.compression(codec))

    def check_read(self, table: pa.Table, path: PathLike) -> None:
        """polars decodes a binary header lossily; a CSV of ours is UTF-8 text, so refuse."""
        if any("\ufffd" in n or "\x00" in n for n in table.column_names):
            raise FormatReadError(path, self.format, "the header is not UTF-8 text")


@register
class JsonLinesPolars(PolarsText):
    """JSON Lines through polars' parallel NDJSON reader and writer."""

    name = "jsonl-polars"
    readers, data_suffixes = JSON_LINES.readers, JSON_LINES.data_suffixes
    format = "JSON Lines"
    extension = "jsonl"
    scanner = "scan_ndjson"
    reader = "read_ndjson"

    def refuse(self, table: pa.Table) -> None:
        """write_ndjson panics on binary (polars 2.1: "not yet implemented"): refuse first."""
        for field in table.schema:
            if _binary_inside(field.type):
                hint = "JSON is text; encode the bytes (e.g. base64) into a string column first"
                raise UnsupportedType(field.name, field.type, self.format, hint)

    def parsed_as(self, dtype: Any) -> Any:
        """polars' NDJSON reader panics on narrow integers and refuses decimals from text
        (polars 2.1): those are parsed as Int64 / String and cast; time is left as text."""
        import polars as pl

        if dtype in (pl.Int8, pl.Int16, pl.UInt8, pl.UInt16):
            return pl.Int64
        if isinstance(dtype, pl.Decimal) or dtype == pl.Time:
            return pl.String
        return dtype

    def finish(self, frame: Any) -> Any:
        """As PolarsText, but time stays the text it was written as (no cast from text)."""
        import polars as pl

        declared = self._declared()
        casts = [
            pl.col(n).cast(t)
            for n, t in declared.items()
            if self.parsed_as(t) != t and t != pl.Time
        ]
        return frame.with_columns(casts) if casts else frame

    def write_frame(self, table: pa.Table, path: PathLike, codec: str) -> None:
        """DataFrame.write_ndjson: one object per line."""
        import polars as pl

        pl.from_arrow(table).write_ndjson(path, **self.compression(codec))


# -- Avro ----------------------------------------------------------------------------------
#: Integer types Avro's int (32-bit) or long (64-bit) holds every value of.
_AVRO_WIDER = {
    pa.int8(): pa.int32(),
    pa.int16(): pa.int32(),
    pa.uint8(): pa.int32(),
    pa.uint16(): pa.int32(),
    pa.uint32(): pa.int64(),
}


def _avro_ints(table: pa.Table) -> pa.Table:
    """``table`` with its top-level narrow integers as Avro's int or long."""
    wider = [pa.field(f.name, _AVRO_WIDER.get(f.type, f.type), f.nullable) for f in table.schema]
    if all(f.type == w.type for f, w in zip(table.schema, wider, strict=True)):
        return table
    return table.cast(pa.schema(wider, table.schema.metadata))


@register
class AvroPolars(PolarsAdapter):
    """Avro through polars: decoded into columns in Rust, no per-record Python objects."""

    name = "avro-polars"
    readers, data_suffixes = AVRO.readers, AVRO.data_suffixes
    format = "Avro"
    orientation = "row"
    encoding = "binary"
    codecs = tuple(_POLARS_CODEC)  # null (uncompressed): write_avro's default
    extension = "avro"
    #: As avro-fastavro's: the projection skips decoding the other fields.
    native = frozenset({"read_columns"})
    reader = "read_avro"

    def write_frame(self, table: pa.Table, path: PathLike, codec: str) -> None:
        """DataFrame.write_avro. Avro has two integer types, int and long, and polars'
        writer only those: narrower integers are widened (every value kept; the round trip
        says retyped). Types it lacks otherwise (uint64, ns timestamps, Categorical in 2.1)
        fail there and are refused by column name."""
        import polars as pl

        pl.from_arrow(_avro_ints(table)).write_avro(path, compression=_POLARS_CODEC[codec])

    def lazy(self, path: PathLike) -> pl.LazyFrame:
        """The whole file read eagerly (no scan_avro), as a frame take and scan work on."""
        import polars as pl

        return pl.read_avro(path).lazy()

    def read_columns(self, path: PathLike, columns: Sequence[str]) -> pa.Table:
        """Only ``columns`` are decoded; polars returns file order, so reorder."""
        import polars as pl

        with reading(path, self.format):
            return to_arrow(pl.read_avro(path, columns=list(columns)).select(list(columns)))
