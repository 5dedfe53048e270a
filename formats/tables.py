"""Table formats' transactions: the protocol every table adapter implements (Delta, Iceberg,
Lance, and a plain Parquet directory as the baseline that has no transactions).

A table is the directory its adapter's ``write`` made. The suite's table operations
(benchmarks/suite/table_ops.py) call only these methods, so one module per library says
how it commits, changes rows, travels in time and compacts, and where it cannot (a
``*_refusal`` the cases are skipped with, or a note the results carry).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

import pyarrow as pa

from formats.base import Filter, FormatAdapter, FormatError
from formats.table_store import listing

PathLike = str | os.PathLike


class NoHistory(FormatError, ValueError):
    """Time travel further back than the table's history (or a library without any)."""


@dataclass(frozen=True)
class TableFiles:
    """What a table holds on disk: live data files and every metadata/log file."""

    data_files: int
    data_bytes: int
    metadata_files: int
    metadata_bytes: int
    #: Every file under the directory, live or not (old versions until a vacuum).
    all_files: int = 0
    all_bytes: int = 0

    def as_info(self, prefix: str = "") -> dict[str, int]:
        """The counts as results keys, e.g. ``data_files`` or ``after_data_files``."""
        return {f"{prefix}{k}": v for k, v in asdict(self).items()}


class TableOps:
    """One library's transactions on a table written by ``adapter``.

    Every change is one commit (one transaction) where the library has transactions; the
    Parquet baseline rewrites the files it touches, one at a time, as a user without a
    table format would.
    """

    #: Why this library cannot read an old version ("" when it can).
    time_travel_refusal: ClassVar[str] = ""
    #: Most rows one merge may carry (None: no cap) and why, for the results.
    merge_cap: ClassVar[int | None] = None
    merge_cap_reason: ClassVar[str] = ""
    #: What compact and vacuum really do with this library (results carry it).
    compact_note: ClassVar[str] = ""
    vacuum_note: ClassVar[str] = ""
    #: How row-level changes are written: "copy-on-write" or "merge-on-read".
    change_mode: ClassVar[str] = "copy-on-write"

    def __init__(self, adapter: FormatAdapter) -> None:
        self.adapter = adapter

    def append_commit(self, path: PathLike, table: pa.Table) -> None:
        """Add ``table``'s rows as one commit."""
        raise NotImplementedError

    def update(self, path: PathLike, predicate: Filter, column: str, delta: int | float) -> None:
        """``column = column + delta`` on the rows matching ``predicate``, as one commit."""
        raise NotImplementedError

    def delete(self, path: PathLike, predicate: Filter) -> None:
        """Remove the rows matching ``predicate``, as one commit."""
        raise NotImplementedError

    def merge(self, path: PathLike, rows: pa.Table, key: Sequence[str]) -> None:
        """Upsert: rows whose ``key`` exists replace them, the others are inserted."""
        raise NotImplementedError

    def history(self, path: PathLike) -> int:
        """How many versions back the table can be read (0: only the current one)."""
        raise NotImplementedError

    def read_back(self, path: PathLike, versions_back: int) -> pa.Table:
        """The table as it was ``versions_back`` commits ago (NoHistory when too far)."""
        raise NotImplementedError

    def compact(self, path: PathLike) -> dict[str, Any]:
        """Rewrite small files into fewer large ones; returns what the library reports."""
        raise NotImplementedError

    def vacuum(self, path: PathLike) -> dict[str, Any]:
        """Remove files no live version needs; returns what the library reports."""
        raise NotImplementedError

    def files(self, path: PathLike) -> TableFiles:
        """Live data files and metadata files with their bytes."""
        raise NotImplementedError

    def check_back(self, path: PathLike, versions_back: int) -> None:
        """NoHistory naming the table's depth when ``versions_back`` exceeds it."""
        if self.time_travel_refusal:
            raise NoHistory(self.time_travel_refusal)
        depth = self.history(path)
        if versions_back > depth:
            raise NoHistory(
                f"{self.adapter.name}: {versions_back} versions back is past the table's "
                f"history ({depth} versions); pass --versions-back {max(depth, 1)} or fewer"
            )


_TABLES: dict[str, type[TableOps]] = {}


def register_table(adapter_name: str) -> Callable[[type[TableOps]], type[TableOps]]:
    """Class decorator: ``ops`` are the table transactions of the adapter ``adapter_name``."""

    def add(ops: type[TableOps]) -> type[TableOps]:
        _TABLES[adapter_name] = ops
        return ops

    return add


def table_ops(adapter: FormatAdapter) -> TableOps | None:
    """The adapter's table transactions, or None when it writes no table."""
    ops = _TABLES.get(adapter.name)
    return ops(adapter) if ops is not None else None


def table_refusal(adapter: FormatAdapter) -> str:
    """Why the table operations cannot run on ``adapter`` ("" when they can)."""
    if adapter.name in _TABLES:
        return ""
    writer = adapter.prepared_by
    if writer in _TABLES:
        return f"{adapter.name} reads tables only; their changes are measured through {writer}"
    return (
        f"{adapter.name} is not a table format "
        f"(table operations run on {', '.join(sorted(_TABLES))})"
    )


def split_files(
    path: PathLike, live_data: set[str], is_metadata: Callable[[str], bool]
) -> TableFiles:
    """TableFiles from a listing of the table (local or remote): ``live_data`` are the live
    data files' names relative to the table; metadata is every name ``is_metadata`` accepts."""
    found = [(name, size) for name, (_, size) in listing(path).items()]
    data = [n for name, n in found if name in live_data]
    meta = [n for name, n in found if is_metadata(name)]
    return TableFiles(
        data_files=len(data),
        data_bytes=sum(data),
        metadata_files=len(meta),
        metadata_bytes=sum(meta),
        all_files=len(found),
        all_bytes=sum(n for _, n in found),
    )


def check_key(table: pa.Table, key: Sequence[str]) -> None:
    """ValueError when ``key`` names a missing column or does not identify one row."""
    missing = [k for k in key if k not in table.column_names]
    if missing:
        raise ValueError(f"merge key {', '.join(missing)} is not a column of the table")
    groups = table.select(list(key)).group_by(list(key)).aggregate([])
    if groups.num_rows != table.num_rows:
        raise ValueError(f"merge key ({', '.join(key)}) is not unique in the table")
