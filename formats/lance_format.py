"""Lance through pylance: a directory of versioned fragments, read with native projection,
take by row number, filtered scans and batch streaming.

Lance picks a column's compression from the field metadata key ``lance-encoding:compression``;
the adapter sets it on write and removes it on read, so tables come back as they went in.
"""

from __future__ import annotations

import datetime as dt
import decimal
import errno
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from formats.base import (
    Filter,
    FormatAdapter,
    FormatReadError,
    RemoteFile,
    exists,
    remove_path,
    removing_on_error,
)
from formats.multifile import DatasetIO, PathLike, rows_per_file
from formats.registry import register

if TYPE_CHECKING:
    from lance import LanceDataset

#: Field metadata through which Lance chooses a column's compression scheme.
COMPRESSION_KEY = b"lance-encoding:compression"

#: What Lance raises for a directory that is not a dataset or a corrupt data file.
_READ_ERRORS = (OSError, ValueError, RuntimeError)


@register
class LanceAdapter(FormatAdapter):
    """Lance datasets via pylance; every access pattern is pushed down to Lance."""

    name = "lance"
    libraries = ("pylance",)
    format = "Lance"
    engine = "pylance"
    orientation = "column"
    encoding = "binary"
    # "default" lets Lance choose per column (bitpacking, dictionaries, ...); the others force
    # one general-purpose scheme on every column through the field metadata.
    codecs = ("default", "zstd", "lz4", "none")
    extension = "lance"
    requires = ("lance",)
    extra = "lance"
    native = frozenset({"read_columns", "take", "scan", "iter_batches"})
    writes_directory = True
    remote_access = frozenset({"uri"})
    append_modes = ("append",)

    def dataset_io(self) -> DatasetIO:
        """Lance's own fragments (below): one dataset of N data files."""
        return LanceDatasetIO(self)

    def _appender(self, path: str | os.PathLike, schema: pa.Schema, mode: str, codec: str) -> Any:
        """Each append commits a new version of one dataset (Lance's mode="append")."""
        from formats.appenders import Appender

        class _Versions(Appender):
            def __init__(self) -> None:
                self.created = False

            def append(self, batch: pa.Table) -> None:
                import lance

                mode = "append" if self.created else "create"
                lance.write_dataset(with_codec(batch, codec), str(path), mode=mode)
                self.created = True

        return _Versions()

    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        """Write a fresh dataset: Lance's mode="overwrite" keeps the old version's files on disk."""
        codec = self.resolve_codec(codec)
        remove_path(path)
        _write(with_codec(table, codec), path)

    def write_batches(
        self,
        schema: pa.Schema,
        batches: Iterable[pa.RecordBatch],
        path: str | os.PathLike,
        codec: str | None = None,
    ) -> None:
        """lance.write_dataset from a RecordBatchReader: Lance pulls and flushes pages."""
        import lance

        codec = self.resolve_codec(codec)
        remove_path(path)
        target = with_codec(schema.empty_table(), codec).schema
        stream = (pa.RecordBatch.from_arrays(b.columns, schema=target) for b in batches)
        reader = pa.RecordBatchReader.from_batches(target, stream)
        with removing_on_error(path):
            lance.write_dataset(reader, str(path), mode="create")

    def iter_column_batches(
        self, path: str | os.PathLike, column: str, batch_size: int
    ) -> Iterator[pa.RecordBatch]:
        """Only the column's pages are read, ``batch_size`` rows at a time."""
        ds = self._open(path)
        yield from ds.to_batches(columns=[column], batch_size=batch_size)
        self._record(ds)

    def read(self, path: str | os.PathLike) -> pa.Table:
        """The whole dataset; a corrupt data file is a FormatReadError too."""
        ds = self._open(path)
        try:
            table = ds.to_table()
        except _READ_ERRORS as exc:
            raise FormatReadError(path, self.format, exc) from exc
        return self._done(ds, table)

    def read_columns(self, path: str | os.PathLike, columns: Sequence[str]) -> pa.Table:
        """Only the named columns' pages are read."""
        ds = self._open(path)
        return self._done(ds, ds.to_table(columns=list(columns)))

    def take(self, path: str | os.PathLike, indices: Sequence[int] | np.ndarray) -> pa.Table:
        """Lance's take keeps the requested order and repeats duplicates (see the tests)."""
        ds = self._open(path)
        wanted = np.asarray(indices, dtype=np.int64)
        check_bounds(wanted, ds.count_rows())  # Lance's own message names a "rowaddr"
        return self._done(ds, ds.take(wanted))

    def scan(self, path: str | os.PathLike, predicate: Filter) -> pa.Table:
        """Lance evaluates the filter and only materialises the other columns for matching rows."""
        ds = self._open(path)
        column_type = ds.schema.field(predicate.column).type
        return self._done(ds, ds.to_table(filter=lance_sql(predicate, column_type)))

    def iter_batches(self, path: str | os.PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """Lance streams batches of at most ``batch_size`` rows."""
        ds = self._open(path)
        schema = plain_schema(ds.schema)
        for batch in ds.to_batches(batch_size=batch_size):
            if schema is not None:
                batch = pa.RecordBatch.from_arrays(batch.columns, schema=schema)
            yield batch
        self._record(ds)

    # -- the training loader's units: fragments -----------------------------------------
    def shard_rows(self, path: str | os.PathLike) -> list[int]:
        """Rows per fragment (the unit a streaming Lance loader reads)."""
        return [f.count_rows() for f in self._open(path).get_fragments()]

    def read_shard(self, path: str | os.PathLike, shard: int) -> pa.Table:
        """One fragment, all columns."""
        ds = self._open(path)
        return self._done(ds, ds.get_fragments()[shard].to_table())

    # -- helpers ----------------------------------------------------------------------
    def _open(self, path: str | os.PathLike) -> LanceDataset:
        """Open lazily (only the manifest is read); not-a-dataset becomes FormatReadError."""
        import lance

        if not exists(path):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
        try:
            uri, storage_options = _uri(path)
            return lance.dataset(uri, storage_options=storage_options)
        except _READ_ERRORS as exc:
            raise FormatReadError(path, self.format, exc) from exc

    def _done(self, ds: LanceDataset, table: pa.Table) -> pa.Table:
        """Record what was read and drop the codec metadata the writer added."""
        self._record(ds)
        schema = plain_schema(table.schema)
        return table if schema is None else pa.Table.from_arrays(table.columns, schema=schema)

    def _record(self, ds: LanceDataset) -> None:
        """Lance counts the bytes its object store read for this dataset, manifest included."""
        self.last_io = {"bytes_read": int(ds.io_stats_snapshot().read_bytes)}


def check_bounds(indices: np.ndarray, rows: int) -> None:
    """Out-of-range rows raise IndexError, as Arrow's take does, not a library-specific error."""
    if indices.size and (indices.min() < 0 or indices.max() >= rows):
        raise IndexError(
            f"row indices must lie in [0, {rows}); got {indices.min()}..{indices.max()}"
        )


def _write(table: pa.Table, path: str | os.PathLike) -> None:
    """One plain Lance write; mode="create" because the caller removed any old dataset."""
    import lance

    uri, storage_options = _uri(path)
    lance.write_dataset(table, uri, mode="create", storage_options=storage_options)


def _uri(path: str | os.PathLike) -> tuple[str, dict[str, str] | None]:
    """(URI, storage_options) as Lance takes them; no options on local disk."""
    if isinstance(path, RemoteFile):
        return path.uri, path.storage_options
    return str(path), None


def with_codec(table: pa.Table, codec: str) -> pa.Table:
    """``table`` with every column asking Lance for ``codec`` (zero-copy: metadata only)."""
    if codec == "default":
        return table
    fields = [
        f.with_metadata({**(f.metadata or {}), COMPRESSION_KEY: codec.encode()})
        for f in table.schema
    ]
    return pa.Table.from_arrays(table.columns, schema=pa.schema(fields, table.schema.metadata))


def plain_schema(schema: pa.Schema) -> pa.Schema | None:
    """``schema`` without the compression metadata, or None when there is none to remove."""
    if not any(f.metadata and COMPRESSION_KEY in f.metadata for f in schema):
        return None
    fields = [
        f.with_metadata({k: v for k, v in (f.metadata or {}).items() if k != COMPRESSION_KEY})
        for f in schema
    ]
    return pa.schema(fields, schema.metadata)


def lance_sql(predicate: Filter, column_type: pa.DataType) -> str:
    """The filter as Lance SQL: unlike pyarrow expressions it takes timestamps and dictionaries."""
    # Lance's pyarrow-expression path fails on timestamp literals and on dictionary columns
    # ("Substrait is only capable of representing unsafe casts"); its SQL parser takes both.
    value = predicate.value.item() if isinstance(predicate.value, np.generic) else predicate.value
    column = f"`{predicate.column}`"
    compared = column
    if _is_number(value) and not fits(value, column_type):
        # Arrow compares int64 < 10.5 (or float32 > 0.1) in double; Lance would refuse or
        # round the literal, so cast the column instead.
        compared = f"CAST({column} AS {'DOUBLE' if isinstance(value, float) else 'BIGINT'})"
    op = "=" if predicate.op == "==" else predicate.op
    sql = f"{compared} {op} {sql_literal(value)}"
    if predicate.op in (">", ">=") and pa.types.is_floating(column_type):
        # Lance orders NaN above every number, so x > v keeps NaN where Arrow drops it.
        sql += f" AND NOT isnan({column})"
    return sql


def sql_literal(value: Any) -> str:
    """A Python value as a Lance (DataFusion) SQL literal."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, dt.datetime):
        return f"TIMESTAMP '{value.isoformat()}'"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"Lance SQL has no literal for {value!r}")
    if isinstance(value, int | float | decimal.Decimal):
        return str(value)
    raise TypeError(f"no Lance SQL literal for {type(value).__name__} value {value!r}")


def _is_number(value: Any) -> bool:
    """Plain ints and floats; bool is an int subclass but never a number here."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def fits(value: Any, type_: pa.DataType) -> bool:
    """Whether ``value`` survives conversion to ``type_`` unchanged (0.1 in float32 does not)."""
    try:
        return pa.scalar(value, type_).as_py() == value
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return False


# -- Lance: fragments ------------------------------------------------------------------
class LanceDatasetIO(DatasetIO):
    """Lance writes one dataset of N fragments (``max_rows_per_file``) and reads it with
    its own reader; it has no hive partitioning, so ``--partition-by`` is refused."""

    partition_refusal = "Lance has no hive-style partitioning (a dataset is one table of fragments)"

    def write(
        self, table: pa.Table, directory: PathLike, codec: str, files: int | None,
        partition_by: str | None,
    ) -> None:  # fmt: skip
        """lance.write_dataset with max_rows_per_file: one fragment (data file) per N rows."""
        import lance

        remove_path(directory)
        per_file = rows_per_file(table.num_rows, files) or max(table.num_rows, 1)
        lance.write_dataset(
            with_codec(table, codec), os.fspath(directory), mode="create",
            max_rows_per_file=per_file, max_rows_per_group=min(per_file, 1024),
        )  # fmt: skip

    def count_files(self, directory: PathLike) -> int:
        """Fragments of the dataset's latest version (one data file each here)."""
        import lance

        return len(lance.dataset(os.fspath(directory)).get_fragments())

    def _count(self, directory: PathLike) -> None:
        self.last_io = {"files_total": self.count_files(directory)}

    def _via(self, call: Callable[..., pa.Table], directory: PathLike, *args: Any) -> pa.Table:
        table = call(directory, *args)
        self._count(directory)
        return table

    def read(self, directory: PathLike, partition_by: str | None) -> pa.Table:
        """The adapter's own read: a Lance dataset is already a directory of fragments."""
        return self._via(self.adapter.read, directory)

    def read_columns(
        self, directory: PathLike, columns: Sequence[str], partition_by: str | None
    ) -> pa.Table:
        """Lance's projection over every fragment."""
        return self._via(self.adapter.read_columns, directory, columns)

    def take(self, directory: PathLike, indices: np.ndarray) -> pa.Table:
        """Lance's take by row number across fragments."""
        return self._via(self.adapter.take, directory, indices)

    def scan(self, directory: PathLike, predicate: Filter, partition_by: str | None) -> pa.Table:
        """Lance's filtered scan over every fragment (no partition to prune)."""
        return self._via(self.adapter.scan, directory, predicate)
