"""Reads shared by the table adapters (Delta, Iceberg, the Parquet directory).

Each library hands out a pyarrow dataset (Delta, the Parquet directory) or a batch reader
(Iceberg) whose batches it sizes its own way; the adapter contract wants batches of at
most ``batch_size`` rows and scan's file counts under the same keys. Kept here once so
the three adapters differ only in how they open a table.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyarrow as pa

PathLike = str | os.PathLike


def check_batch_size(batch_size: int) -> None:
    """ValueError for a batch size below one row (the libraries would loop or crash)."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")


def rebatch(batches: Iterable[pa.RecordBatch], batch_size: int) -> Iterator[pa.RecordBatch]:
    """``batches`` cut to at most ``batch_size`` rows each, in order."""
    for batch in batches:
        yield from pa.Table.from_batches([batch]).to_batches(max_chunksize=batch_size)


def files_io(total: int, kept: int) -> dict[str, int]:
    """What a scan records in ``last_io``: files in the table, read, and skipped unread."""
    return {"files_total": total, "files_read": kept, "files_skipped": total - kept}


class DatasetReads:
    """read, read_columns and iter_batches of a table opened as one pyarrow dataset.

    Mixed in before FormatAdapter; the adapter says how to open the table (``_dataset``,
    which also clears ``last_io``) and keeps its own ``scan`` (how it counts skipped files
    differs per library).
    """

    def _dataset(self, path: PathLike) -> Any:
        raise NotImplementedError

    def read(self, path: PathLike) -> pa.Table:
        """Every live file of the table, multithreaded."""
        return self._dataset(path).to_table()

    def read_columns(self, path: PathLike, columns: Sequence[str]) -> pa.Table:
        """Only ``columns`` are decoded from each Parquet file."""
        return self._dataset(path).to_table(columns=list(columns))

    def iter_batches(self, path: PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """The dataset's batches, cut to at most ``batch_size`` rows."""
        check_batch_size(batch_size)
        yield from rebatch(self._dataset(path).to_batches(batch_size=batch_size), batch_size)
