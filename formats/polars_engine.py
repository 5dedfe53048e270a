"""The formats polars reads and writes, through polars: the shared adapter, Parquet and Feather.

Users choosing a format read it with polars far more than with a pure-Python library, so the
benchmark must show the format through this engine too (issue 10). Reads go through polars'
lazy ``scan_*`` frames, so projection and predicates are pushed into the reader, and end as
a ``pyarrow.Table`` through ``DataFrame.to_arrow(compat_level=newest)``: polars' own memory
(string and binary views, large lists) is handed over without a copy. CSV, JSON Lines and
Avro are in ``polars_rows.py``.

polars holds some Arrow types differently (strings as string_view, lists as large_list,
dictionaries as Categorical): the fidelity matrix reports those as "changed". A type polars
cannot hold as itself (time32 and time64[us] as time64[ns], date64 as a timestamp, a second
duration as milliseconds, fixed-size binary as binary) is refused on write, naming the column,
rather than silently written as something else: the fidelity table does not hold those types.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pyarrow as pa

from formats import base
from formats.arrow_family import PARQUET_ROW_GROUP_ROWS, batch_row_counts, locate
from formats.base import Filter, FormatAdapter, FormatReadError, Option, UnsupportedType
from formats.registry import register
from formats.retype import cast_back, same_kind

if TYPE_CHECKING:
    import polars as pl

PathLike = str | os.PathLike
Indices = Sequence[int] | np.ndarray

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


# -- the shared adapter ----------------------------------------------------------------
class PolarsAdapter(FormatAdapter):
    """One format through polars: writes from Arrow, lazy scans, Arrow back without a copy."""

    engine = "polars"
    requires = ("polars",)
    extra = "polars"
    #: Buffers are shared, not copied (tests check the addresses). The cost is per chunk:
    #: ~1 ms for a Parquet or IPC read of 600k rows, ~50 ms for CSV (14 chunks a column)
    #: and ~0.5 s for JSON Lines (144 chunks a column) on a loaded 2-core machine.
    arrow_handover = "zero-copy"
    #: polars' scan function for the format (e.g. "scan_parquet"), and its eager reader.
    scanner: ClassVar[str]
    reader: ClassVar[str]

    def write(self, table: pa.Table, path: PathLike, codec: str | None = None) -> None:
        """Check what polars would change, then the format's polars writer."""
        codec = self.resolve_codec(codec)
        check_polars_types(table, self.format)
        self.refuse(table)
        write = functools.partial(self.write_frame, codec=codec)
        write(table, path)

    def refuse(self, table: pa.Table) -> None:
        """Raise UnsupportedType before polars would panic on a type (none by default)."""

    def write_frame(self, table: pa.Table, path: PathLike, codec: str) -> None:
        """Convert (zero-copy where polars can) and write; each format fills this in."""
        raise NotImplementedError

    def lazy(self, path: PathLike) -> pl.LazyFrame:
        """The file as a lazy frame: nothing is read until collect."""
        import polars as pl

        return self.finish(getattr(pl, self.scanner)(path, **self.read_kwargs()))

    def read_kwargs(self) -> dict[str, Any]:
        """Keywords for both the eager reader and the scan (text: the declared types)."""
        return {}

    def finish(self, frame: Any) -> Any:
        """The frame (eager or lazy) as read; text casts declared types its reader cannot
        parse directly."""
        return frame

    def collect(self, path: PathLike, query: Any = lambda lf: lf) -> pa.Table:
        """``query`` on the lazy frame, collected and handed over to Arrow."""
        self.last_io = {}
        with reading(path, self.format):
            table = to_arrow(query(self.lazy(path)).collect())
        self.check_read(table, path)
        return table

    def check_read(self, table: pa.Table, path: PathLike) -> None:
        """A last check that what polars parsed is really this format (CSV overrides)."""

    def read(self, path: PathLike) -> pa.Table:
        """The whole file through polars' eager reader (``read_parquet``, ...), as users call it."""
        import polars as pl

        self.last_io = {}
        with reading(path, self.format):
            table = to_arrow(self.finish(getattr(pl, self.reader)(path, **self.read_kwargs())))
        self.check_read(table, path)
        return table

    def read_columns(self, path: PathLike, columns: Sequence[str]) -> pa.Table:
        """Projection pushed into the reader: only ``columns`` are decoded."""
        return self.collect(path, lambda lf: lf.select(list(columns)))

    def take(self, path: PathLike, indices: Indices) -> pa.Table:
        """Emulated: the whole file is read, then gathered inside polars (pyarrow 26 has no
        take kernel for the string_view columns polars hands over)."""
        wanted = np.asarray(indices, dtype=np.int64)
        return self.collect(path, lambda lf: lf.gather(wanted))

    def scan(self, path: PathLike, predicate: Filter) -> pa.Table:
        """The predicate pushed into the reader (skipping chunks where it has statistics)."""
        return self.collect(path, lambda lf: lf.filter(polars_expr(predicate)))

    def iter_batches(self, path: PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """polars' streaming engine hands out frames of ``batch_size`` rows, one at a time."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        with reading(path, self.format):
            for frame in self.lazy(path).collect_batches(chunk_size=batch_size):
                yield from to_arrow(frame).to_batches(max_chunksize=batch_size)


def take_by_slices(
    adapter: PolarsAdapter,
    path: PathLike,
    indices: Indices,
    chunk_rows: Callable[[PathLike], list[int]],
) -> pa.Table:
    """Rows at ``indices``, reading only the chunks (row groups, batches) that hold them.

    polars' ``LazyFrame.gather`` reads the whole file (measured: no pushdown), but a
    ``slice`` is pushed into the reader and skips the chunks outside it, so each needed
    chunk is one slice, and the chunks' rows are gathered after. The chunk sizes come
    from the file's footer through pyarrow: polars does not expose them.
    """
    import polars as pl

    with reading(path, adapter.format):
        rows = chunk_rows(path)
    chunks, local = locate(indices, rows)
    starts = np.concatenate([[0], np.cumsum(rows)])
    if chunks:
        slices = [adapter.lazy(path).slice(int(starts[c]), int(rows[c])) for c in chunks]
        # the query ignores the plain scan collect() offers: it joins its own sliced scans
        table = adapter.collect(path, lambda _: pl.concat(slices).gather(local))
    else:
        table = adapter.collect(path, lambda lf: lf.head(0))
    adapter.last_io = {"row_groups_read": len(chunks), "row_groups_total": len(rows)}
    return table


# -- Parquet ---------------------------------------------------------------------------
def parquet_row_groups(path: PathLike) -> list[int]:
    """Rows per row group, from the footer alone (polars does not expose it)."""
    import pyarrow.parquet as pq

    meta = pq.read_metadata(path)
    return [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]


@register
class ParquetPolars(PolarsAdapter):
    """Parquet through polars' Rust reader and writer: projection, statistics, row-group take."""

    name = "parquet-polars"
    format = "Parquet"
    orientation = "column"
    encoding = "binary"
    # zstd first: it is write_parquet's default (polars chose it over snappy for size).
    codecs = ("zstd", "snappy", "none", "gzip", "lz4", "brotli")
    extension = "parquet"
    scanner = "scan_parquet"
    reader = "read_parquet"
    native = frozenset({"read_columns", "take", "scan", "iter_batches"})
    option_specs = {
        # pyarrow-parquet's value (DuckDB's default), not polars' own, so both engines write
        # the same layout and row-group skipping shows on datasets under a million rows.
        "row_group_size": Option(PARQUET_ROW_GROUP_ROWS, int, minimum=1, help="rows per group"),
        "compression_level": Option(None, int, help="codec level; none: polars' default"),
        "statistics": Option(True, bool, help="write min/max statistics (scan pruning)"),
    }

    def write_frame(self, table: pa.Table, path: PathLike, codec: str) -> None:
        """DataFrame.write_parquet with the declared knobs."""
        import polars as pl

        pl.from_arrow(table).write_parquet(
            path,
            compression="uncompressed" if codec == "none" else codec,
            compression_level=self.options["compression_level"],
            statistics=self.options["statistics"],
            row_group_size=self.options["row_group_size"],
        )

    def take(self, path: PathLike, indices: Indices) -> pa.Table:
        """Only the row groups holding ``indices`` are read (one pushed-down slice each)."""
        return take_by_slices(self, path, indices, parquet_row_groups)


# -- Feather / Arrow IPC file ------------------------------------------------------------
def ipc_batches(path: PathLike) -> list[int]:
    """Rows per record batch of an IPC file (through a memory map: one narrow column)."""
    import pyarrow.ipc as ipc

    with pa.memory_map(os.fspath(path)) as source:
        return batch_row_counts(source, ipc.open_file(source).schema)


@register
class FeatherPolars(PolarsAdapter):
    """The Arrow IPC file through polars: projection and record-batch take.

    polars 2.1's scan_ipc reads the buffers into its own memory: no buffer of the result
    lies in a mapping of the file (checked in /proc/self/maps), unlike pyarrow's feather.
    """

    name = "feather-polars"
    in_default_run = False  # --formats all or by name; see README "Engines"
    format = "Feather"
    orientation = "column"
    encoding = "binary"
    codecs = ("none", "lz4", "zstd")  # none: write_ipc's default (and the mappable one)
    extension = "arrow"
    scanner = "scan_ipc"
    reader = "read_ipc"
    #: No statistics in IPC: a predicate is evaluated over every batch, so scan is emulated.
    native = frozenset({"read_columns", "take", "iter_batches"})
    option_specs = {
        "record_batch_size": Option(None, int, minimum=1, help="rows per batch; none: polars'")
    }

    def write_frame(self, table: pa.Table, path: PathLike, codec: str) -> None:
        """DataFrame.write_ipc (Feather v2), views and all (CompatLevel.newest)."""
        import polars as pl

        pl.from_arrow(table).write_ipc(
            path,
            compression="uncompressed" if codec == "none" else codec,
            record_batch_size=self.options["record_batch_size"],
        )

    def take(self, path: PathLike, indices: Indices) -> pa.Table:
        """Only the record batches holding ``indices`` are read (one pushed-down slice each)."""
        return take_by_slices(self, path, indices, ipc_batches)
