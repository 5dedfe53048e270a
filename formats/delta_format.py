"""Delta Lake through deltalake (delta-rs): a directory of Parquet files and a ``_delta_log``
of JSON commits; read through delta-rs' Arrow dataset (file skipping from the log's
min/max statistics) or through polars' ``scan_delta``.

delta-rs stores timestamp[ns] as microseconds, truncating the values: the fidelity matrix
measures and reports that as a change (no refusal, since the library writes it).
Row-level changes are copy-on-write: delta-rs rewrites the touched files even when
deletion vectors are enabled, so fmtbench offers no merge-on-read knob for Delta.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, ClassVar

import pyarrow as pa

from formats.base import Filter, FormatAdapter, FormatReadError, exists, remove_path
from formats.polars_engine import PolarsAdapter
from formats.registry import register
from formats.table_reads import DatasetReads, files_io
from formats.table_store import parts_of, relative, uri_and_options
from formats.tables import PathLike, TableFiles, TableOps, register_table, split_files

#: fmtbench codec -> delta-rs WriterProperties compression.
_CODECS = {"snappy": "SNAPPY", "zstd": "ZSTD", "uncompressed": "UNCOMPRESSED"}


def _open(path: PathLike, version: int | None = None) -> Any:
    """The DeltaTable at ``path`` (local or object storage); anything that is not one is a
    FormatReadError."""
    from deltalake import DeltaTable

    if not exists(path):
        raise FileNotFoundError(2, "No such table", str(path))
    uri, options = uri_and_options(path)
    try:
        return DeltaTable(uri, version=version, storage_options=options)
    except Exception as exc:  # noqa: BLE001 - delta-rs raises its own TableNotFoundError etc.
        raise FormatReadError(path, "Delta Lake", exc) from exc


def delta_sql(predicate: Filter) -> str:
    """The filter as delta-rs (DataFusion) SQL, the column quoted."""
    column = '"' + predicate.column.replace('"', '""') + '"'
    return column + predicate.to_sql()[len(predicate.column) :]


@register
class DeltaAdapter(DatasetReads, FormatAdapter):
    """Delta Lake tables via delta-rs; projection and filters go through its dataset
    (read, read_columns, iter_batches: formats/table_reads.py)."""

    name = "delta"
    format = "Delta Lake"
    engine = "deltalake"
    orientation = "column"
    encoding = "binary"
    codecs = tuple(_CODECS)
    extension = "delta"
    requires = ("deltalake",)
    extra = "delta"
    native = frozenset({"read_columns", "scan", "iter_batches"})
    writes_directory = True
    in_default_run = False
    #: delta-rs' object_store: commits are conditional PUTs (If-None-Match), no lock needed
    remote_access = frozenset({"uri"})
    libraries: ClassVar[tuple[str, ...]] = ("deltalake",)
    readers: ClassVar[frozenset[str]] = frozenset({"polars", "spark", "pandas"})
    unsafe: ClassVar[str] = ""
    data_suffixes: ClassVar[tuple[str, ...]] = ()

    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        """A fresh table: version 0 holds every row (one commit)."""
        from deltalake import WriterProperties, write_deltalake

        codec = self.resolve_codec(codec)
        remove_path(path)
        props = WriterProperties(compression=_CODECS[codec])
        uri, options = uri_and_options(path)
        write_deltalake(uri, table, mode="error", writer_properties=props, storage_options=options)

    def scan(self, path: str | os.PathLike, predicate: Filter) -> pa.Table:
        """Files whose log statistics rule the predicate out are not opened."""
        dataset = self._dataset(path)
        expression = predicate.to_arrow()
        kept = sum(1 for _ in dataset.get_fragments(filter=expression))
        self.last_io = files_io(len(dataset.files), kept)
        return dataset.to_table(filter=expression)

    def _dataset(self, path: PathLike) -> Any:
        """delta-rs' pyarrow dataset of the live files (statistics as fragment guarantees)."""
        self.last_io = {}
        try:
            return _open(path).to_pyarrow_dataset()
        except FormatReadError:
            raise
        except Exception as exc:  # noqa: BLE001 - a protocol the library cannot read
            raise FormatReadError(path, self.format, exc) from exc


@register
class DeltaPolars(PolarsAdapter):
    """Delta tables read by polars' ``scan_delta`` / ``read_delta`` (written by delta-rs)."""

    name = "delta-polars"
    orientation = "column"
    encoding = "binary"
    format = "Delta Lake"
    codecs = tuple(_CODECS)
    extension = "delta"
    requires = ("polars", "deltalake")
    extra = "delta"
    native = frozenset({"read_columns", "scan", "iter_batches"})
    writes_directory = True
    in_default_run = False
    remote_access = frozenset({"uri"})
    prepared_by = "delta"
    scanner = "scan_delta"
    reader = "read_delta"
    libraries: ClassVar[tuple[str, ...]] = ("polars", "deltalake")
    readers: ClassVar[frozenset[str]] = DeltaAdapter.readers
    unsafe: ClassVar[str] = ""
    data_suffixes: ClassVar[tuple[str, ...]] = ()

    def write_frame(self, table: pa.Table, path: PathLike, codec: str) -> None:
        """The library's writer, so both engines read the same table."""
        DeltaAdapter().write(table, path, codec)

    def lazy(self, path: PathLike) -> Any:
        """``scan_delta``; a directory that is no Delta table is a FormatReadError."""
        import polars as pl

        _open(path)  # the same one-line error as the library's reader
        uri, options = uri_and_options(path)
        return pl.scan_delta(uri, storage_options=options)

    def read(self, path: PathLike) -> pa.Table:
        """``scan_delta(...).collect()`` (read_delta is the same scan, collected)."""
        return self.collect(path)


@register_table("delta")
class DeltaTableOps(TableOps):
    """Each change is one commit in ``_delta_log``; files are rewritten (copy-on-write)."""

    compact_note = "optimize.compact(): small files rewritten into target-size files"
    vacuum_note = "vacuum(retention_hours=0): unreferenced files deleted; older versions unreadable"

    def append_commit(self, path: PathLike, table: pa.Table) -> None:
        """write_deltalake(mode="append"): one new file, one commit."""
        from deltalake import write_deltalake

        uri, options = uri_and_options(path)
        write_deltalake(uri, table, mode="append", storage_options=options)

    def update(self, path: PathLike, predicate: Filter, column: str, delta: int | float) -> None:
        """DeltaTable.update with an SQL expression; touched files are rewritten."""
        quoted = '"' + column.replace('"', '""') + '"'
        where = delta_sql(predicate)
        _open(path).update(updates={column: f"{quoted} + {delta!r}"}, predicate=where)

    def delete(self, path: PathLike, predicate: Filter) -> None:
        """DeltaTable.delete with an SQL predicate."""
        _open(path).delete(delta_sql(predicate))

    def merge(self, path: PathLike, rows: pa.Table, key: Sequence[str]) -> None:
        """MERGE: matched rows updated, the others inserted."""
        on = " AND ".join(f't."{k}" = s."{k}"' for k in key)
        builder = _open(path).merge(rows, predicate=on, source_alias="s", target_alias="t")
        builder.when_matched_update_all().when_not_matched_insert_all().execute()

    def history(self, path: PathLike) -> int:
        """Versions are numbered from 0, so the latest number is how far back one can go."""
        return int(_open(path).version())

    def read_back(self, path: PathLike, versions_back: int) -> pa.Table:
        """DeltaTable(path, version=latest - k)."""
        self.check_back(path, versions_back)
        latest = _open(path).version()
        return _open(path, latest - versions_back).to_pyarrow_table()

    def compact(self, path: PathLike) -> dict[str, Any]:
        """optimize.compact(); its metrics say how many files were replaced."""
        m = _open(path).optimize.compact()
        return {"files_added": m["numFilesAdded"], "files_removed": m["numFilesRemoved"]}

    def vacuum(self, path: PathLike) -> dict[str, Any]:
        """Delete what no version newer than now needs (the default is a dry run)."""
        table = _open(path)
        gone = table.vacuum(retention_hours=0, enforce_retention_duration=False, dry_run=False)
        return {"files_deleted": len(gone)}

    def files(self, path: PathLike) -> TableFiles:
        """Live files from the log; metadata is everything under ``_delta_log``."""
        live = {relative(path, uri) for uri in _open(path).file_uris()}
        return split_files(path, live, lambda name: "_delta_log" in parts_of(name))
