"""Parquet through fastparquet, the pandas-native engine.

fastparquet reads and writes pandas DataFrames, so from Arrow every write pays
``Table.to_pandas`` and every read pays ``Table.from_pandas``: that conversion is part of
using fastparquet from Arrow and is timed with it, as a user would pay it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from typing import Any

import pyarrow as pa

from formats.arrow_family import (
    PARQUET_ROW_GROUP_ROWS,
    Indices,
    PathLike,
    check_batch_size,
    locate,
    reading,
)
from formats.base import Filter, FormatAdapter, Option, UnsupportedType
from formats.families import PARQUET
from formats.registry import register

#: fastparquet's names; "lz4" is LZ4_RAW, the codec other readers (pyarrow) call lz4.
_CODECS = {
    "snappy": "SNAPPY",
    "none": None,
    "gzip": "GZIP",
    "zstd": "ZSTD",
    "lz4": "LZ4_RAW",
    "brotli": "BROTLI",
}
#: fastparquet raises plain Python errors (ValueError, TypeError, its own) on foreign files.
_ANY_ERROR: tuple[type[Exception], ...] = (Exception,)


def _nullable_dtype(type_: pa.DataType) -> Any:
    """pandas' masked dtypes for ints and bools, so nulls do not turn them into floats."""
    import pandas as pd

    if pa.types.is_integer(type_):
        return pd.api.types.pandas_dtype(str(type_).replace("int", "Int").replace("uInt", "UInt"))
    if pa.types.is_boolean(type_):
        return pd.BooleanDtype()
    return None


_STORABLE = (
    pa.types.is_integer,
    pa.types.is_float32,
    pa.types.is_float64,
    pa.types.is_boolean,
    pa.types.is_string,
    pa.types.is_large_string,
    pa.types.is_binary,
    pa.types.is_large_binary,
    pa.types.is_timestamp,
    pa.types.is_date,
)


def fastparquet_refusal(type_: pa.DataType) -> str:
    """Why fastparquet cannot store this Arrow type faithfully (empty when it can)."""
    if pa.types.is_dictionary(type_):
        return fastparquet_refusal(type_.value_type)
    if pa.types.is_timestamp(type_) and type_.unit == "s":
        return "fastparquet writes seconds as milliseconds, then cannot read them back as seconds"
    if any(check(type_) for check in _STORABLE):
        return ""
    if pa.types.is_nested(type_):
        return "fastparquet writes nested columns only as JSON text"
    if pa.types.is_decimal(type_):
        return "fastparquet stores Python Decimals as float64 and loses digits"
    return f"fastparquet has no mapping for Arrow {type_}"


def to_arrow(frame: Any) -> pa.Table:
    """The DataFrame fastparquet returns, as Arrow (its index is not data)."""
    return pa.Table.from_pandas(frame, preserve_index=False)


@register
class ParquetFastparquet(FormatAdapter):
    """Parquet through fastparquet; pandas in between, so ints with nulls use masked dtypes.

    Dates are written as timestamps (pandas has no date type) and NaN and null merge
    (pandas' float missing value): the fidelity matrix shows both.
    """

    name = "parquet-fastparquet"
    libraries = ("fastparquet",)
    readers, data_suffixes = PARQUET.readers, PARQUET.data_suffixes
    in_default_run = False  # --formats all or by name; see README "Engines"
    format = "Parquet"
    engine = "fastparquet"
    orientation = "column"
    encoding = "binary"
    # snappy, not fastparquet's own default (uncompressed), so both Parquet engines
    # are compared on the same file by default.
    codecs = ("snappy", "none", "gzip", "zstd", "lz4", "brotli")
    extension = "parquet"
    requires = ("fastparquet",)
    extra = "fastparquet"
    native = frozenset({"read_columns", "take", "scan", "iter_batches"})

    #: Rows per row group, the unit take and scan skip by (as parquet-pyarrow's).
    option_specs = {
        "row_group_size": Option(PARQUET_ROW_GROUP_ROWS, int, minimum=1, help="rows per group")
    }

    def write(self, table: pa.Table, path: PathLike, codec: str | None = None) -> None:
        """fastparquet.write of ``table.to_pandas()`` (masked ints, dates as datetime64)."""
        compression = _CODECS[self.resolve_codec(codec)]
        for field in table.schema:
            reason = fastparquet_refusal(field.type)
            if reason:
                raise UnsupportedType(field.name, field.type, self.format, reason)
        self._writer(compression)(table, path)

    def _writer(self, compression: str | None) -> Any:
        import fastparquet

        options: dict[str, Any] = {"compression": compression}
        if self.options["row_group_size"]:
            options["row_group_offsets"] = self.options["row_group_size"]

        def write(table: pa.Table, path: PathLike) -> None:
            frame = table.to_pandas(types_mapper=_nullable_dtype, date_as_object=False)
            fastparquet.write(os.fspath(path), frame, **options)

        return write

    def _open(self, path: PathLike) -> Any:
        import fastparquet

        self.last_io = {}
        with reading(path, self.format, _ANY_ERROR):
            return fastparquet.ParquetFile(os.fspath(path))

    def read(self, path: PathLike) -> pa.Table:
        """ParquetFile.to_pandas, then to Arrow."""
        file = self._open(path)
        with reading(path, self.format, _ANY_ERROR):
            return to_arrow(file.to_pandas())

    def read_columns(self, path: PathLike, columns: Sequence[str]) -> pa.Table:
        """Only the chunks of ``columns`` are read."""
        file = self._open(path)
        missing = set(columns) - set(file.columns)
        if missing:
            raise KeyError(f"{path} has no column {sorted(missing)[0]!r}")
        with reading(path, self.format, _ANY_ERROR):
            return to_arrow(file.to_pandas(columns=list(columns))).select(list(columns))

    def take(self, path: PathLike, indices: Indices) -> pa.Table:
        """Read only the row groups holding ``indices``."""
        file = self._open(path)
        groups, local = locate(indices, [rg.num_rows for rg in file.row_groups])
        table = self._read_groups(path, file, groups)
        self.last_io = self._io(file, groups)
        return table.take(pa.array(local))

    def scan(self, path: PathLike, predicate: Filter) -> pa.Table:
        """fastparquet's statistics prune row groups; the rest are filtered exactly in Arrow."""
        from fastparquet.api import filter_row_groups

        file = self._open(path)
        condition = [(predicate.column, predicate.op, predicate.value)]
        groups = filter_row_groups(file, condition, as_idx=True)
        with reading(path, self.format, _ANY_ERROR):
            table = to_arrow(file.to_pandas(filters=condition))
        self.last_io = self._io(file, groups)
        return table.filter(predicate.to_arrow())

    def iter_batches(self, path: PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """One row group decoded at a time, cut to ``batch_size``."""
        check_batch_size(batch_size)
        file = self._open(path)
        with reading(path, self.format, _ANY_ERROR):
            for frame in file.iter_row_groups():
                yield from to_arrow(frame).to_batches(max_chunksize=batch_size)

    def _read_groups(self, path: PathLike, file: Any, groups: list[int]) -> pa.Table:
        # ParquetFile selects row groups by int or slice only, so read them one by one.
        with reading(path, self.format, _ANY_ERROR):
            if not groups:
                return to_arrow(file[0:0].to_pandas())
            parts = [to_arrow(file[g].to_pandas()) for g in groups]
        return pa.concat_tables(parts, promote_options="permissive")

    @staticmethod
    def _io(file: Any, groups: list[int]) -> dict[str, int]:
        rows = file.row_groups
        size = sum(c.meta_data.total_compressed_size for g in groups for c in rows[g].columns)
        return {"row_groups_read": len(groups), "row_groups_total": len(rows), "bytes_read": size}
