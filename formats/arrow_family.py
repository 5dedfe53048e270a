"""Columnar files through pyarrow: Parquet, Feather (the Arrow IPC file) and ORC.

All three store columns apart (projection is native) and cut rows into chunks: row groups,
record batches, stripes, so ``take`` reads only the chunks holding the rows. Only Parquet
has statistics pyarrow prunes by, so only its ``scan`` is native. fastparquet shares helpers.
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from formats import base
from formats.base import (
    Availability,
    Filter,
    FormatAdapter,
    FormatReadError,
    Option,
    UnsupportedType,
    regroup,
    removing_on_error,
)
from formats.families import ARROW_IPC, ORC, PARQUET
from formats.multifile import DatasetIO, PyarrowDatasetIO
from formats.registry import register

try:
    from pyarrow import orc
except ImportError:  # some pyarrow builds lack ORC: that adapter then says it is unavailable
    orc = None

PathLike = str | os.PathLike
Writer = Callable[[pa.Table, PathLike], None]
Indices = Sequence[int] | np.ndarray

#: What pyarrow raises when a file is not of the format (corrupt, truncated, foreign).
READ_ERRORS = (pa.ArrowException, OSError)


# -- shared helpers ------------------------------------------------------------------
@contextlib.contextmanager
def reading(
    path: PathLike, format_name: str, errors: tuple[type[Exception], ...] = READ_ERRORS
) -> Iterator[None]:
    """Turn a library's read failure into FormatReadError; a missing file stays missing."""
    try:
        yield
    except FileNotFoundError:
        raise
    except errors as exc:
        raise FormatReadError(path, format_name, exc) from exc


def on_fs(call: Callable, *args: Any, **kwargs: Any) -> Any:
    """``call(..., path, filesystem=fs)``: the path argument (a table may come first) as a
    pyarrow path plus the filesystem holding it (None: local disk)."""
    *head, path = args
    where, fs = base.arrow_where(path)
    return call(*head, where, filesystem=fs, **kwargs)


def to_sink(write: Callable, table: pa.Table, path: PathLike) -> None:
    """``write(table, sink)``: local paths as they are, remote files as an output stream."""
    if not isinstance(path, base.RemoteFile):
        return write(table, path)
    with base.arrow_output(path) as sink:
        write(table, sink)


def locate(indices: Indices, chunk_rows: Sequence[int]) -> tuple[list[int], np.ndarray]:
    """The chunks holding ``indices``, and where each index lands once those chunks are joined."""
    wanted = np.asarray(indices, dtype=np.int64).reshape(-1)
    rows = np.asarray(chunk_rows, dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(rows)])
    if wanted.size and (wanted.min() < 0 or wanted.max() >= starts[-1]):
        raise IndexError(f"row index out of range for {int(starts[-1])} rows")
    unique, inverse = np.unique(wanted, return_inverse=True)
    # side="right" skips empty chunks, whose start equals the next chunk's.
    chunk_of = np.searchsorted(starts, unique, side="right") - 1
    chunks = np.unique(chunk_of)
    joined_starts = np.cumsum(rows[chunks]) - rows[chunks]
    local = unique - starts[chunk_of] + joined_starts[np.searchsorted(chunks, chunk_of)]
    return chunks.tolist(), local[inverse]


def split_batches(batches: Iterable[pa.RecordBatch], batch_size: int) -> Iterator[pa.RecordBatch]:
    """Zero-copy slices of at most ``batch_size`` rows, whatever the file's chunking."""
    check_batch_size(batch_size)
    for batch in batches:
        for start in range(0, batch.num_rows, batch_size):
            yield batch.slice(start, batch_size)


def check_batch_size(batch_size: int) -> None:
    """Refuse a batch size that would loop forever or yield nothing."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")


def narrowest_field(schema: pa.Schema) -> int:
    """Index of the cheapest column to decode: the narrowest primitive one, else the first."""
    widths = [t.bit_width if pa.types.is_primitive(t) else 1 << 20 for t in schema.types]
    return int(np.argmin(widths))


class PyarrowColumnar(FormatAdapter):
    """What the pyarrow column formats share: metadata, built codecs, read errors."""

    engine = "pyarrow"
    libraries = ("pyarrow",)
    orientation = "column"
    encoding = "binary"

    def available_codecs(self) -> tuple[str, ...]:
        """Codecs this pyarrow build was compiled with (ORC's zlib is Arrow's gzip library)."""

        def built(codec: str) -> bool:
            return codec == "none" or pa.Codec.is_available({"zlib": "gzip"}.get(codec, codec))

        return tuple(c for c in self.codecs if built(c))

    def _reading(self, path: PathLike) -> contextlib.AbstractContextManager[None]:
        """Forget the last operation's I/O, and name file and format if reading fails."""
        self.last_io = {}
        return reading(path, self.format)

    def _project(self, path: PathLike, columns: Sequence[str], read: Callable) -> pa.Table:
        """``read(path, columns)``; a column the file lacks is a KeyError, not a foreign file."""
        try:
            with self._reading(path):
                return read(path, list(columns))
        except FormatReadError:
            missing: set[str] = set()
            with contextlib.suppress(*READ_ERRORS):  # unreadable schema: the file is foreign
                missing = set(columns) - set(self.schema_of(path).names)
            if missing:
                raise KeyError(f"{path} has no column {sorted(missing)[0]!r}") from None
            raise

    #: Reads a file's schema from its footer only (to name a missing column).
    schema_of: Callable[[PathLike], pa.Schema]


# -- Parquet -------------------------------------------------------------------------
def row_group_io(metadata: pq.FileMetaData, groups: list[int]) -> dict[str, int]:
    """What reading ``groups`` costs, from the footer: how many, and their compressed bytes."""
    columns = range(metadata.num_columns)
    size = sum(
        metadata.row_group(g).column(c).total_compressed_size for g in groups for c in columns
    )
    read = {"row_groups_read": len(groups), "row_groups_total": metadata.num_row_groups}
    return read | {"bytes_read": size}


#: Rows per Parquet row group: DuckDB's default (122,880). pyarrow's own default (1Mi rows)
#: gives one row group to every dataset under a million rows, so row-group skipping (take,
#: scan) could never show on the default datasets. Both Parquet engines use this value, so
#: they write comparable files; the direct-call comparison script passes it too.
PARQUET_ROW_GROUP_ROWS = 122_880


@register
class ParquetPyarrow(PyarrowColumnar):
    """Parquet through pyarrow, the reference: projection, row-group take, statistics pruning."""

    name = "parquet-pyarrow"
    format = "Parquet"
    readers, data_suffixes = PARQUET.readers, PARQUET.data_suffixes
    dask_format = "parquet"
    overhead_limit = 1.10
    codecs = ("snappy", "none", "gzip", "zstd", "lz4", "brotli")  # snappy: pyarrow's default
    extension = "parquet"
    native = frozenset({"read_columns", "take", "scan", "iter_batches"})
    schema_of = staticmethod(pq.read_schema)
    remote_access = frozenset({"arrow-fs"})
    append_modes = ("row-group-per-batch", "file-per-batch")

    option_specs = {
        # DuckDB's default, not pyarrow's 1Mi: with 1Mi every default dataset would be one
        # row group and row-group skipping (take, scan) could never show.
        "row_group_size": Option(PARQUET_ROW_GROUP_ROWS, int, minimum=1, help="rows per group"),
        "compression_level": Option(None, int, help="codec level; none: the codec's default"),
        "use_dictionary": Option(True, bool, help="dictionary-encode columns"),
        "data_page_size": Option(None, int, minimum=1024, help="bytes per data page"),
        # pyarrow's default (off): writing it cost 1.23x the write time of pq.write_table
        "write_page_index": Option(
            False, bool, help="write the page index so readers can skip pages (pyarrow: off)"
        ),
    }

    def dataset_io(self) -> DatasetIO:
        """pyarrow.dataset: write_dataset and a pruning Dataset reader."""
        return PyarrowDatasetIO(self, "parquet")

    def write(self, table: pa.Table, path: PathLike, codec: str | None = None) -> None:
        """One pq.write_table call with pyarrow's defaults but the row group size; the page
        index only when the write_page_index knob asks for it."""
        write = functools.partial(
            pq.write_table,
            compression=self.resolve_codec(codec),
            row_group_size=self.options["row_group_size"],
            compression_level=self.options["compression_level"],
            use_dictionary=self.options["use_dictionary"],
            data_page_size=self.options["data_page_size"],
            write_page_index=self.options["write_page_index"],
        )
        on_fs(write, table, path)

    def write_batches(
        self, schema: pa.Schema, batches: Iterable[pa.RecordBatch], path: PathLike,
        codec: str | None = None,
    ) -> None:  # fmt: skip
        """A ParquetWriter fed one row group at a time: the same file layout as ``write``."""
        rows = self.options["row_group_size"]
        with (
            removing_on_error(path),
            pq.ParquetWriter(
                path,
                schema,
                compression=self.resolve_codec(codec),
                compression_level=self.options["compression_level"],
                use_dictionary=self.options["use_dictionary"],
                data_page_size=self.options["data_page_size"],
                write_page_index=self.options["write_page_index"],
            ) as writer,
        ):
            for group in regroup(batches, rows):
                writer.write_table(group, row_group_size=rows)

    def iter_column_batches(
        self, path: PathLike, column: str, batch_size: int
    ) -> Iterator[pa.RecordBatch]:
        """Only the column's chunks are decoded, one row group's worth at a time."""
        check_batch_size(batch_size)
        with self._reading(path), pq.ParquetFile(path, pre_buffer=False) as file:
            yield from file.iter_batches(batch_size=batch_size, columns=[column])

    def _appender(self, path: PathLike, schema: pa.Schema, mode: str, codec: str) -> Any:
        """A ParquetWriter kept open: a row group per append, the footer on close."""
        from formats.appenders import WriterAppender

        options = {k: v for k, v in self.options.items() if k != "row_group_size"}
        return WriterAppender(pq.ParquetWriter(path, schema, compression=codec, **options))

    def read(self, path: PathLike) -> pa.Table:
        """pq.read_table: multithreaded, pre-buffered."""
        with self._reading(path):
            return on_fs(pq.read_table, path)

    def read_columns(self, path: PathLike, columns: Sequence[str]) -> pa.Table:
        """Only the chunks of ``columns`` are fetched and decoded."""
        return self._project(path, columns, lambda p, c: on_fs(pq.read_table, p, columns=c))

    def take(self, path: PathLike, indices: Indices) -> pa.Table:
        """Read only the row groups holding ``indices`` (located from the footer's row counts)."""
        with self._reading(path), on_fs(pq.ParquetFile, path) as file:
            metadata = file.metadata
            counts = [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]
            groups, local = locate(indices, counts)
            table = file.read_row_groups(groups, use_threads=True)
        self.last_io = row_group_io(metadata, groups)
        return table.take(pa.array(local))

    def scan(self, path: PathLike, predicate: Filter) -> pa.Table:
        """Row groups whose statistics cannot match are skipped; the rest are filtered exactly."""
        import pyarrow.dataset as ds  # imported here: it loads pandas, hundreds of ms
        import pyarrow.fs as pafs

        expression = predicate.to_arrow()
        with self._reading(path):
            where, fs = base.arrow_where(path)
            fragment = ds.ParquetFileFormat().make_fragment(
                where if fs else os.path.abspath(where), filesystem=fs or pafs.LocalFileSystem()
            )
            fragment.ensure_complete_metadata()
        kept = fragment.subset(filter=expression)
        table = kept.to_table(filter=expression)
        groups = [g.id for g in kept.row_groups]
        self.last_io = row_group_io(fragment.metadata, groups)
        return table

    def iter_batches(self, path: PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """Batches decoded one at a time, so memory stays at one row group's worth.

        pre_buffer=False: with it, pyarrow caches every row group's bytes up front, so
        resident memory grew by the whole file (measured: +297 MB for a 231 MB file).
        """
        check_batch_size(batch_size)
        with self._reading(path), on_fs(pq.ParquetFile, path, pre_buffer=False) as file:
            yield from file.iter_batches(batch_size=batch_size)

    #: The training loader's global shuffle: row groups in random order, rows permuted in each.
    epoch_global = "shards"

    def shard_rows(self, path: PathLike) -> list[int]:
        """Rows per row group (the unit a Parquet loader reads), from the footer."""
        with self._reading(path), on_fs(pq.ParquetFile, path) as file:
            meta = file.metadata
            return [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]

    def read_shard(self, path: PathLike, shard: int) -> pa.Table:
        """One row group, decoded."""
        with self._reading(path), on_fs(pq.ParquetFile, path) as file:
            return file.read_row_group(shard)


# -- Feather (Arrow IPC file) --------------------------------------------------------
def batch_row_counts(source: pa.NativeFile, schema: pa.Schema) -> list[int]:
    """Rows per record batch; the IPC footer does not list them, so decode one narrow column."""
    fields = [narrowest_field(schema)] if len(schema) else None
    reader = ipc.open_file(source, options=ipc.IpcReadOptions(included_fields=fields))
    return [reader.get_batch(i).num_rows for i in range(reader.num_record_batches)]


@register
class Feather(PyarrowColumnar):
    """Feather v2, the Arrow IPC file: Arrow's own layout on disk, read through a memory map.

    lz4 is the default because it is pyarrow.feather's default (what write_feather does when
    asked nothing), like snappy for Parquet; "none" is the codec for zero-copy reads.
    """

    name = "feather"
    format = "Feather"
    readers, data_suffixes = ARROW_IPC.readers, ARROW_IPC.data_suffixes
    data_label = ARROW_IPC.label
    overhead_limit = 1.10
    codecs = ("lz4", "none", "zstd")
    extension = "arrow"
    native = frozenset({"read_columns", "take", "iter_batches"})
    schema_of = staticmethod(lambda path: ipc.open_file(base.arrow_input(path, True)).schema)
    remote_access = frozenset({"arrow-fs"})

    append_modes = ("row-group-per-batch", "file-per-batch")
    #: Rows per record batch (pyarrow's default): the unit take reads.
    option_specs = {"batch_rows": Option(64 * 1024, int, minimum=1, help="rows per batch")}

    def dataset_io(self) -> DatasetIO:
        """pyarrow.dataset over Arrow IPC files."""
        return PyarrowDatasetIO(self, "ipc")

    def write(self, table: pa.Table, path: PathLike, codec: str | None = None) -> None:
        """feather.write_feather (v2) in batches of ``batch_rows``."""
        codec = self.resolve_codec(codec)
        write = functools.partial(
            feather.write_feather,
            compression="uncompressed" if codec == "none" else codec,
            chunksize=self.options["batch_rows"],
        )
        to_sink(write, table, path)

    def write_batches(
        self, schema: pa.Schema, batches: Iterable[pa.RecordBatch], path: PathLike,
        codec: str | None = None,
    ) -> None:  # fmt: skip
        """An IPC file writer fed batches of ``batch_rows``: the layout ``write`` makes."""
        codec = self.resolve_codec(codec)
        options = ipc.IpcWriteOptions(compression=None if codec == "none" else codec)
        rows = self.options["batch_rows"]
        with removing_on_error(path), ipc.new_file(str(path), schema, options=options) as writer:
            for group in regroup(batches, rows):
                writer.write_table(group, max_chunksize=rows)

    def iter_column_batches(
        self, path: PathLike, column: str, batch_size: int
    ) -> Iterator[pa.RecordBatch]:
        """Only the column's buffers are read, one record batch at a time (no memory map,
        so pages read are not counted as resident memory of the process)."""
        with self._reading(path), pa.OSFile(os.fspath(path)) as source:
            reader = ipc.open_file(source)
            index = reader.schema.get_field_index(column)
            if index < 0:
                raise KeyError(f"{path} has no column {column!r}")
            options = ipc.IpcReadOptions(included_fields=[index])
            reader = ipc.open_file(source, options=options)
            batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
            yield from split_batches(batches, batch_size)

    def _appender(self, path: PathLike, schema: pa.Schema, mode: str, codec: str) -> Any:
        """An IPC file writer kept open: a record batch per append, the footer on close."""
        from formats.appenders import WriterAppender

        options = ipc.IpcWriteOptions(compression=None if codec == "none" else codec)
        return WriterAppender(ipc.new_file(os.fspath(path), schema, options=options))

    def read(self, path: PathLike) -> pa.Table:
        """Memory-mapped: uncompressed buffers are used in place, not copied."""
        with self._reading(path), base.arrow_input(path, memory_map=True) as source:
            return feather.read_table(source, memory_map=True)

    def read_columns(self, path: PathLike, columns: Sequence[str]) -> pa.Table:
        """Only the buffers of ``columns`` are read (a plain read: faster than a map for a few)."""

        def read(p: PathLike, c: list[str]) -> pa.Table:
            with base.arrow_input(p) as source:
                return feather.read_table(source, columns=c)

        return self._project(path, columns, read)

    def take(self, path: PathLike, indices: Indices) -> pa.Table:
        """Decode only the record batches holding ``indices``."""
        with self._reading(path), base.arrow_input(path, memory_map=True) as source:
            reader = ipc.open_file(source)
            batch_rows = batch_row_counts(source, reader.schema)
            groups, local = locate(indices, batch_rows)
            table = pa.Table.from_batches([reader.get_batch(i) for i in groups], reader.schema)
        self.last_io = {"row_groups_read": len(groups), "row_groups_total": len(batch_rows)}
        return table.take(pa.array(local))

    def iter_batches(self, path: PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """One record batch read and decoded at a time, sliced to ``batch_size``.

        A plain file, not a memory map: every mapped page read stays resident, so a map
        would grow the process by the file's size however small the batches.
        """
        with self._reading(path), base.arrow_input(path) as source:
            reader = ipc.open_file(source)
            batches = (reader.get_batch(i) for i in range(reader.num_record_batches))
            yield from split_batches(batches, batch_size)

    def shard_rows(self, path: PathLike) -> list[int]:
        """Rows per record batch (the unit a streaming loader reads)."""
        with self._reading(path), base.arrow_input(path, True) as source:
            reader = ipc.open_file(source)
            return [reader.get_batch(i).num_rows for i in range(reader.num_record_batches)]

    def read_shard(self, path: PathLike, shard: int) -> pa.Table:
        """One record batch, copied out of the file (a mapped batch would cost nothing)."""
        with self._reading(path), base.arrow_input(path) as source:
            return pa.Table.from_batches([ipc.open_file(source).get_batch(shard)])


# -- ORC -----------------------------------------------------------------------------
_NS_LIMIT = {"s": 10**9, "ms": 10**6, "us": 10**3}


def _nested_types(type_: pa.DataType) -> Iterator[pa.DataType]:
    yield type_
    for i in range(type_.num_fields):
        yield from _nested_types(type_.field(i).type)


def orc_refusal(field: pa.Field, column: pa.ChunkedArray) -> str:
    """Why ORC would not give this column back (empty when it would): checks pyarrow skips."""
    # a zoned timestamp is stored: ORC keeps the instant and gives it back as UTC, the same
    # loss the text formats have, so the fidelity check rates it "changed" for all of them
    if pa.types.is_timestamp(field.type) and field.type.unit in _NS_LIMIT:
        bounds = pc.min_max(column.cast(pa.int64()))
        limit = (2**63 - 1) // _NS_LIMIT[field.type.unit]
        low, high = bounds["min"].as_py(), bounds["max"].as_py()
        if low is not None and (low < -limit or high > limit):
            return "pyarrow reads ORC timestamps as nanoseconds, which cannot hold these values"
    return ""


def stripe_row_counts(file: orc.ORCFile) -> list[int]:
    """Rows per stripe; pyarrow does not expose the stripe footers, so decode one narrow column."""
    schema = file.schema
    column = [schema.field(narrowest_field(schema)).name] if len(schema) else None
    return [file.read_stripe(i, columns=column).num_rows for i in range(file.nstripes)]


@register
class OrcPyarrow(PyarrowColumnar):
    """ORC through pyarrow: projection and stripe take; pyarrow does not prune stripes on scan."""

    name = "orc-pyarrow"
    format = "ORC"
    readers, data_suffixes = ORC.readers, ORC.data_suffixes
    dask_format = "orc"
    overhead_limit = 1.10
    codecs = ("none", "snappy", "zlib", "zstd", "lz4")  # none: pyarrow.orc's default
    extension = "orc"
    native = frozenset({"read_columns", "take", "iter_batches"})
    schema_of = staticmethod(lambda path: orc.ORCFile(path).schema)
    append_modes = ("file-per-batch",)  # ORCWriter cuts stripes by size, not per append

    #: Target stripe size in bytes (pyarrow's default): the unit take reads.
    option_specs = {
        "stripe_size": Option(64 * 1024 * 1024, int, minimum=1024, help="bytes per stripe")
    }

    remote_access = frozenset({"arrow-fs"})

    def available(self) -> Availability:
        """pyarrow wheels may be built without ORC; say so instead of failing on first use."""
        if orc is None:
            return Availability(False, "this pyarrow was built without ORC support")
        return Availability(True)

    def write(self, table: pa.Table, path: PathLike, codec: str | None = None) -> None:
        """orc.write_table, after refusing what pyarrow would write but not give back."""
        codec = self.resolve_codec(codec)
        for field, column in zip(table.schema, table.columns, strict=True):
            reason = orc_refusal(field, column)
            if reason:
                raise UnsupportedType(field.name, field.type, self.format, reason)
        write = functools.partial(
            orc.write_table,
            compression="uncompressed" if codec == "none" else codec,
            stripe_size=self.options["stripe_size"],
        )
        to_sink(write, table, path)

    def write_batches(
        self, schema: pa.Schema, batches: Iterable[pa.RecordBatch], path: PathLike,
        codec: str | None = None,
    ) -> None:  # fmt: skip
        """An ORCWriter fed chunks; the writer cuts stripes of ``stripe_size`` itself."""
        codec = self.resolve_codec(codec)
        with removing_on_error(path):
            writer = orc.ORCWriter(
                str(path),
                compression="uncompressed" if codec == "none" else codec,
                stripe_size=self.options["stripe_size"],
            )
            try:
                for chunk in regroup(batches, 65_536):
                    for field, column in zip(chunk.schema, chunk.columns, strict=True):
                        reason = orc_refusal(field, column)
                        if reason:
                            raise UnsupportedType(field.name, field.type, self.format, reason)
                    writer.write(chunk)
            finally:
                writer.close()

    def read(self, path: PathLike) -> pa.Table:
        """orc.read_table (the ORC reader is single-threaded)."""
        with self._reading(path):
            return on_fs(orc.read_table, path)

    def read_columns(self, path: PathLike, columns: Sequence[str]) -> pa.Table:
        """Only the streams of ``columns`` are read; ORC returns file order, so reorder."""
        return self._project(
            path, columns, lambda p, c: on_fs(orc.read_table, p, columns=c).select(c)
        )

    def take(self, path: PathLike, indices: Indices) -> pa.Table:
        """Decode only the stripes holding ``indices``."""
        with self._reading(path), base.arrow_input(path) as source:
            file = orc.ORCFile(source)
            stripes, local = locate(indices, stripe_row_counts(file))
            batches = [file.read_stripe(i) for i in stripes]
        table = pa.Table.from_batches(batches, file.schema)
        self.last_io = {"row_groups_read": len(stripes), "row_groups_total": file.nstripes}
        return table.take(pa.array(local))

    def iter_batches(self, path: PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """One stripe decoded at a time, sliced to ``batch_size``."""
        with self._reading(path), base.arrow_input(path) as source:
            file = orc.ORCFile(source)
            stripes = (file.read_stripe(i) for i in range(file.nstripes))
            yield from split_batches(stripes, batch_size)
