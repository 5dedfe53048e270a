"""Avro object container files through polars' Rust reader and writer.

polars has no lazy Avro scan (2.1): ``read_avro`` is eager, with a column projection that
skips decoding the other fields (every byte is still read: Avro is row-oriented). take and
scan read everything, then gather or filter inside polars; the hand-over to Arrow is
zero-copy as for the other polars adapters (formats/polars_engine.py).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pyarrow as pa

from formats.polars_engine import PolarsAdapter, reading, to_arrow
from formats.registry import register

if TYPE_CHECKING:
    import polars as pl

PathLike = str | os.PathLike

#: Avro's own codec names (as avro-fastavro's, so one --codecs value fits both engines).
_POLARS_CODEC = {"null": "uncompressed", "deflate": "deflate", "snappy": "snappy"}


@register
class AvroPolars(PolarsAdapter):
    """Avro through polars: decoded into columns in Rust, no per-record Python objects."""

    name = "avro-polars"
    format = "Avro"
    orientation = "row"
    encoding = "binary"
    codecs = tuple(_POLARS_CODEC)  # null (uncompressed): write_avro's default
    extension = "avro"
    #: As avro-fastavro's: the projection skips decoding the other fields.
    native = frozenset({"read_columns"})

    def write_frame(self, table: pa.Table, path: PathLike, codec: str) -> None:
        """DataFrame.write_avro; types its writer lacks (int8, int16, uint64, ns timestamps,
        Categorical in 2.1) fail there and are refused by column name."""
        import polars as pl

        pl.from_arrow(table).write_avro(path, compression=_POLARS_CODEC[codec])

    def lazy(self, path: PathLike) -> pl.LazyFrame:
        """The whole file read eagerly (no scan_avro), as a frame take and scan work on."""
        import polars as pl

        return pl.read_avro(path).lazy()

    def read_columns(self, path: PathLike, columns: Sequence[str]) -> pa.Table:
        """Only ``columns`` are decoded; polars returns file order, so reorder."""
        import polars as pl

        with reading(path, self.format):
            return to_arrow(pl.read_avro(path, columns=list(columns)).select(list(columns)))
