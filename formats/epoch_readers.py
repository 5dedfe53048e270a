"""A file opened once per training epoch, batches and units read from the open handle.

A training loop opens its dataset once per epoch (once per loader worker) and fetches
every batch from that handle. Going through the adapter's path-based contract instead
(``adapter.take(path, rows)`` per batch) reopens the file for every batch: Lance re-reads
its manifest, Parquet its footer, Feather decodes a column of every record batch to find
their row counts, HDF5 its superblock, Zarr its group metadata, the shard formats their
schema and shard list (a GET each on object storage). That times the open, not the read,
and no real loader does it.

``open_reader(adapter, path)`` is a context manager yielding an ``EpochReader``: ``take``
(rows in the requested order) and ``read_shard`` (one unit: row group, fragment, record
batch, chunk of rows or shard file). Formats without a reader of their own get
``PathReader``, the adapter's own calls per batch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.ipc as ipc
import pyarrow.parquet as pq

from formats import base
from formats.array_store import ArrayFile, ArrayStoreAdapter
from formats.arrow_family import Feather, ParquetPyarrow, locate, on_fs, reading
from formats.base import FormatAdapter, FormatReadError
from formats.lance_format import _READ_ERRORS, LanceAdapter, check_bounds, plain_schema
from formats.sharded import ShardedAdapter, child
from formats.tensor_columns import sorted_unique


class EpochReader(Protocol):
    """What the loader reads an epoch through."""

    def take(self, indices: np.ndarray) -> pa.Table:
        """The rows at ``indices``, in that order."""
        ...

    def read_shard(self, shard: int) -> pa.Table:
        """Every row of unit ``shard`` (see ``shard_rows`` on the adapter)."""
        ...


class PathReader:
    """The fallback: each call through the adapter's path-based contract."""

    def __init__(self, adapter: FormatAdapter, path: Any) -> None:
        self.adapter, self.path = adapter, path

    def take(self, indices: np.ndarray) -> pa.Table:
        return self.adapter.take(self.path, indices)

    def read_shard(self, shard: int) -> pa.Table:
        read = getattr(self.adapter, "read_shard", None)
        return read(self.path, shard) if read is not None else self.adapter.read(self.path)


class _Calls:
    """A reader from two functions (the open handle lives in their closures)."""

    def __init__(
        self, take: Callable[[np.ndarray], pa.Table], shard: Callable[[int], pa.Table]
    ) -> None:
        self.take, self.read_shard = take, shard


# -- the formats' readers -------------------------------------------------------------
@contextlib.contextmanager
def _array_reader(adapter: ArrayStoreAdapter, path: Any) -> Iterator[EpochReader]:
    """HDF5 file, Zarr group or NumPy memory maps opened once; fancy indexing per batch."""
    step = adapter.options.get("chunk_rows", 1024)
    with adapter._reading(path) as f:
        yield _Calls(lambda rows: _array_take(f, rows), lambda u: _array_unit(f, u, step))


def _array_take(f: ArrayFile, indices: np.ndarray) -> pa.Table:
    unique, inverse = sorted_unique(indices, f.rows)
    return f.table(None, unique).take(pa.array(inverse))


def _array_unit(f: ArrayFile, shard: int, step: int) -> pa.Table:
    return f.table(None, slice(shard * step, (shard + 1) * step))


@contextlib.contextmanager
def _lance_reader(adapter: LanceAdapter, path: Any) -> Iterator[EpochReader]:
    """One open dataset (its manifest read once), ``ds.take`` per batch."""
    ds = adapter._open(path)
    rows = ds.count_rows()
    fragments: list[Any] = []

    def take(indices: np.ndarray) -> pa.Table:
        wanted = np.asarray(indices, dtype=np.int64)
        check_bounds(wanted, rows)
        with reading(path, adapter.format, _READ_ERRORS):
            return _plain(ds.take(wanted))

    def shard(unit: int) -> pa.Table:
        with reading(path, adapter.format, _READ_ERRORS):
            if not fragments:
                fragments.extend(ds.get_fragments())
            return _plain(fragments[unit].to_table())

    yield _Calls(take, shard)


def _plain(table: pa.Table) -> pa.Table:
    schema = plain_schema(table.schema)
    return table if schema is None else pa.Table.from_arrays(table.columns, schema=schema)


@contextlib.contextmanager
def _parquet_reader(adapter: ParquetPyarrow, path: Any) -> Iterator[EpochReader]:
    """One open ParquetFile (its footer parsed once); row groups read from it."""
    with reading(path, adapter.format), on_fs(pq.ParquetFile, path) as file:
        meta = file.metadata
        counts = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]

        def take(indices: np.ndarray) -> pa.Table:
            groups, local = locate(indices, counts)
            return file.read_row_groups(groups, use_threads=True).take(pa.array(local))

        yield _Calls(take, file.read_row_group)


@contextlib.contextmanager
def _feather_reader(adapter: Feather, path: Any) -> Iterator[EpochReader]:
    """One open IPC file, its record batches' row counts found once.

    A plain file, not a memory map: batches are read (copied) as a loader would get them,
    and resident memory does not grow by the file's size over the epoch.
    """
    with reading(path, adapter.format), base.arrow_input(path) as source:
        reader = ipc.open_file(source)
        counts = [reader.get_batch(i).num_rows for i in range(reader.num_record_batches)]

        def take(indices: np.ndarray) -> pa.Table:
            groups, local = locate(indices, counts)
            table = pa.Table.from_batches([reader.get_batch(i) for i in groups], reader.schema)
            return table.take(pa.array(local))

        def shard(unit: int) -> pa.Table:
            return pa.Table.from_batches([reader.get_batch(unit)], reader.schema)

        yield _Calls(take, shard)


@contextlib.contextmanager
def _shard_reader(adapter: ShardedAdapter, path: Any) -> Iterator[EpochReader]:
    """Schema and shard list fetched once (one GET each on object storage), not per shard."""
    schema, meta = adapter._meta(path)
    names = [name for name, _ in meta["shards"]]

    def shard(unit: int) -> pa.Table:
        try:
            return adapter._read_shard_file(child(path, names[unit]), schema, meta["codec"])
        except (OSError, ValueError, RuntimeError, KeyError) as exc:
            raise FormatReadError(path, adapter.format, exc) from exc

    yield _Calls(lambda rows: adapter.take(path, rows), shard)


#: Reader per adapter class; an adapter whose class is not here (or overrides what the
#: reader would replace) is read through ``PathReader``.
READERS: dict[type, Callable[[Any, Any], contextlib.AbstractContextManager[EpochReader]]] = {
    ArrayStoreAdapter: _array_reader,
    LanceAdapter: _lance_reader,
    ParquetPyarrow: _parquet_reader,
    Feather: _feather_reader,
    ShardedAdapter: _shard_reader,
}


def reader_for(adapter: FormatAdapter) -> Callable[[Any, Any], Any] | None:
    """The reader of the adapter's class, if it reads the way that class does."""
    for cls, make in READERS.items():
        if isinstance(adapter, cls) and all(
            getattr(type(adapter), m, None) is getattr(cls, m, None) for m in ("take", "read_shard")
        ):
            return make
    return None


@contextlib.contextmanager
def open_reader(adapter: FormatAdapter, path: Any) -> Iterator[EpochReader]:
    """The adapter's file opened for one epoch (or ``PathReader`` when it has no reader)."""
    make = reader_for(adapter)
    if make is None:
        yield PathReader(adapter, path)
        return
    with make(adapter, path) as reader:
        yield reader
