"""Appenders: how a dataset grows by small batches, for the logging workload.

``FormatAdapter.open_appender`` hands one out; ``append(batch)`` adds rows, ``close()``
finishes the output. The shapes shared by several adapters live here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

if TYPE_CHECKING:
    from formats.base import FormatAdapter


class Appender:
    """Adds batches to one growing output; ``close`` makes it complete (footers, handles)."""

    def append(self, batch: pa.Table) -> None:
        """Add ``batch``'s rows after the ones already written."""
        raise NotImplementedError

    def close(self) -> None:
        """Finish the output; after this a reader sees every appended row."""


class FilePerBatch(Appender):
    """One new file per batch in a directory: each append is durable and readable at once."""

    def __init__(self, adapter: FormatAdapter, path: str | os.PathLike, codec: str) -> None:
        self.adapter, self.dir, self.codec, self.count = adapter, Path(path), codec, 0
        self.dir.mkdir(parents=True)

    def append(self, batch: pa.Table) -> None:
        """``adapter.write`` the batch as the next numbered part."""
        part = self.dir / f"part-{self.count:06d}.{self.adapter.extension}"
        self.adapter.write(batch, part, self.codec)
        self.count += 1


class StreamAppender(Appender):
    """A file kept open: ``write(batch, handle, first)`` then a flush, so readers see it."""

    def __init__(self, path: str | os.PathLike, write: Any, opener: Any = None) -> None:
        # an Arrow file: Arrow writers (write_csv) and plain bytes both go into it
        self.handle = (opener or (lambda p: pa.OSFile(os.fspath(p), "wb")))(path)
        self.write, self.first = write, True

    def append(self, batch: pa.Table) -> None:
        """Write the batch and flush it to the OS (a crash keeps every flushed row)."""
        self.write(batch, self.handle, self.first)
        self.first = False
        self.handle.flush()

    def close(self) -> None:
        """Close the file."""
        self.handle.close()


class WriterAppender(Appender):
    """A long-lived Arrow writer (ParquetWriter, IPC file writer): one row group or record
    batch per append, and nothing readable until ``close`` writes the footer."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def append(self, batch: pa.Table) -> None:
        """One row group / record batch holding exactly this batch's rows."""
        self.writer.write_table(batch, max(batch.num_rows, 1))

    def close(self) -> None:
        """Write the footer: only now is the file a valid one."""
        self.writer.close()
