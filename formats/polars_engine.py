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

import functools
import os
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pyarrow as pa

from formats.arrow_family import PARQUET_ROW_GROUP_ROWS, batch_row_counts, locate
from formats.base import Filter, FormatAdapter, Option
from formats.families import ARROW_IPC, PARQUET
from formats.multifile import DatasetIO
from formats.polars_arrow import (  # noqa: F401  (re-exported: the polars adapters use them)
    check_polars_types,
    polars_expr,
    polars_view,
    reading,
    to_arrow,
)
from formats.registry import register

if TYPE_CHECKING:
    import polars as pl

PathLike = str | os.PathLike
Indices = Sequence[int] | np.ndarray


# -- the shared adapter ----------------------------------------------------------------
class PolarsAdapter(FormatAdapter):
    """One format through polars: writes from Arrow, lazy scans, Arrow back without a copy."""

    engine = "polars"
    libraries = ("polars",)
    thread_env = ("POLARS_MAX_THREADS",)  # polars sizes its pool once, at import
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
    readers, data_suffixes = PARQUET.readers, PARQUET.data_suffixes
    overhead_limit = 1.10
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

    def dataset_io(self) -> DatasetIO:
        """polars' PartitionBy sink and hive-aware scan_parquet (multifile_polars.py)."""
        from formats.multifile_polars import PolarsParquetIO

        return PolarsParquetIO(self)

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
    readers, data_suffixes = ARROW_IPC.readers, ARROW_IPC.data_suffixes
    data_label = ARROW_IPC.label
    overhead_limit = 1.10
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
