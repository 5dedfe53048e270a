"""Apache Iceberg through pyiceberg: a SQLite ``SqlCatalog`` whose database lives inside the
table's own directory (``catalog.db``), beside a local warehouse of Parquet data files and
metadata (JSON + Avro manifests). No catalog server is needed, and deleting the directory
deletes the catalog with the table. On object storage the warehouse is the table's
``s3://`` prefix (pyiceberg's pyarrow FileIO) and the SQLite file stays on local disk, in
the run's own work dir (formats/table_store.py ``local_twin``): SQLite cannot live on S3.
Reads through pyiceberg's scan (manifest statistics prune files) or polars'
``scan_iceberg`` (which plans through pyiceberg).

pyiceberg writes format v2, which has no nanosecond timestamps: such columns are refused
(UnsupportedType naming them). It has no row-level update and no file compaction; those
gaps are filled the way its users fill them and said so in the results (formats/tables.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from formats.base import (
    Filter,
    FormatAdapter,
    FormatReadError,
    UnsupportedType,
    exists,
    remove_path,
)
from formats.polars_engine import PolarsAdapter
from formats.registry import register
from formats.table_reads import check_batch_size, files_io, rebatch
from formats.table_store import is_remote, local_twin, parts_of, relative
from formats.tables import PathLike, TableFiles, TableOps, register_table, split_files

NAMESPACE, TABLE = "fmtbench", "t"
CATALOG_FILE = "catalog.db"
#: fmtbench codec -> pyiceberg's write.parquet.compression-codec.
_CODECS = {"zstd": "zstd", "snappy": "snappy", "uncompressed": "uncompressed"}
_PYICEBERG_OPS = {
    "==": "EqualTo",
    "!=": "NotEqualTo",
    "<": "LessThan",
    "<=": "LessThanOrEqual",
    ">": "GreaterThan",
    ">=": "GreaterThanOrEqual",
}


#: Location.storage_options key -> pyiceberg's pyarrow FileIO property.
_S3_PROPERTIES = {
    "aws_endpoint": "s3.endpoint",
    "aws_region": "s3.region",
    "aws_access_key_id": "s3.access-key-id",
    "aws_secret_access_key": "s3.secret-access-key",
    "aws_session_token": "s3.session-token",
}


def catalog_file(path: PathLike) -> Path:
    """The SQLite database: inside the table's directory, or on local disk for a remote one."""
    if is_remote(path):
        return local_twin(path, "-" + CATALOG_FILE)
    return Path(path).resolve() / CATALOG_FILE


def catalog(path: PathLike) -> Any:
    """The SQLite catalog of the table at ``path``; its warehouse is the table's place.

    Remote: the S3 settings go to the catalog (its FileIO), never into table properties,
    so no credential is written into the table's metadata.
    """
    from pyiceberg.catalog.sql import SqlCatalog

    db = f"sqlite:///{catalog_file(path)}"
    if not is_remote(path):
        return SqlCatalog("fmtbench", uri=db, warehouse=Path(path).resolve().as_uri())
    options = path.storage_options
    props = {_S3_PROPERTIES[k]: v for k, v in options.items() if k in _S3_PROPERTIES}
    props["py-io-impl"] = "pyiceberg.io.pyarrow.PyArrowFileIO"
    return SqlCatalog("fmtbench", uri=db, warehouse=path.uri, **props)


def load(path: PathLike) -> Any:
    """The table at ``path``; anything else is a FormatReadError (never a new catalog)."""
    if not exists(path):
        raise FileNotFoundError(2, "No such table", str(path))
    if not catalog_file(path).is_file():
        raise FormatReadError(path, "Apache Iceberg", f"no {CATALOG_FILE} (SQLite catalog)")
    try:
        return catalog(path).load_table(f"{NAMESPACE}.{TABLE}")
    except Exception as exc:  # noqa: BLE001 - sqlite, SQLAlchemy and pyiceberg errors alike
        raise FormatReadError(path, "Apache Iceberg", exc) from exc


def iceberg_expr(predicate: Filter) -> Any:
    """The filter as a pyiceberg expression (its string grammar has no arithmetic)."""
    from pyiceberg import expressions

    value = predicate.value.item() if isinstance(predicate.value, np.generic) else predicate.value
    return getattr(expressions, _PYICEBERG_OPS[predicate.op])(predicate.column, value)


def refuse_nanoseconds(table: pa.Table, format_name: str) -> None:
    """Format v2 (what pyiceberg writes) has microsecond timestamps only."""
    for field in table.schema:
        if pa.types.is_timestamp(field.type) and field.type.unit == "ns":
            raise UnsupportedType(
                field.name, field.type, format_name,
                "Iceberg v2 has no nanosecond timestamps (v3 has; pyiceberg cannot write it)",
            )  # fmt: skip


@register
class IcebergAdapter(FormatAdapter):
    """Iceberg tables via pyiceberg and a SQLite catalog kept in the table's directory."""

    name = "iceberg"
    format = "Apache Iceberg"
    engine = "pyiceberg"
    orientation = "column"
    encoding = "binary"
    codecs = tuple(_CODECS)
    extension = "iceberg"
    requires = ("pyiceberg", "sqlalchemy")
    extra = "iceberg"
    native = frozenset({"read_columns", "scan", "iter_batches"})
    writes_directory = True
    in_default_run = False
    #: pyiceberg's pyarrow FileIO on an s3:// warehouse; the SQLite catalog stays local
    remote_access = frozenset({"uri"})
    libraries: ClassVar[tuple[str, ...]] = ("pyiceberg", "sqlalchemy")
    readers: ClassVar[frozenset[str]] = frozenset({"polars", "spark", "warehouse"})
    unsafe: ClassVar[str] = ""
    data_suffixes: ClassVar[tuple[str, ...]] = ()

    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        """A fresh catalog and table; one append (snapshot 1) holds every row."""
        codec = self.resolve_codec(codec)
        refuse_nanoseconds(table, self.format)
        remove_path(path)
        if is_remote(path):
            catalog_file(path).unlink(missing_ok=True)
        else:
            Path(path).mkdir(parents=True)
        cat = catalog(path)
        cat.create_namespace(NAMESPACE)
        props = {"write.parquet.compression-codec": _CODECS[codec]}
        cat.create_table(f"{NAMESPACE}.{TABLE}", schema=table.schema, properties=props).append(
            table
        )

    def read(self, path: str | os.PathLike) -> pa.Table:
        """The current snapshot, every column."""
        return self._scan(path).to_arrow()

    def read_columns(self, path: str | os.PathLike, columns: Sequence[str]) -> pa.Table:
        """Only ``columns`` are read from each data file, in the order asked."""
        return self._scan(path, selected_fields=tuple(columns)).to_arrow().select(list(columns))

    def scan(self, path: str | os.PathLike, predicate: Filter) -> pa.Table:
        """Manifest statistics prune data files; the rest are filtered row by row."""
        total = len(load(path).inspect.files())
        scan = self._scan(path, row_filter=iceberg_expr(predicate))
        kept = len(list(scan.plan_files()))
        table = scan.to_arrow()
        self.last_io = files_io(total, kept)
        return table

    def iter_batches(self, path: str | os.PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """pyiceberg's batch reader, cut to at most ``batch_size`` rows."""
        check_batch_size(batch_size)
        yield from rebatch(self._scan(path).to_arrow_batch_reader(), batch_size)

    def _scan(self, path: PathLike, **kwargs: Any) -> Any:
        self.last_io = {}
        return load(path).scan(**kwargs)


@register
class IcebergPolars(PolarsAdapter):
    """Iceberg tables read by polars' ``scan_iceberg`` (planned by pyiceberg; written by it)."""

    name = "iceberg-polars"
    orientation = "column"
    encoding = "binary"
    format = "Apache Iceberg"
    codecs = tuple(_CODECS)
    extension = "iceberg"
    requires = ("polars", "pyiceberg", "sqlalchemy")
    extra = "iceberg"
    native = frozenset({"read_columns", "scan", "iter_batches"})
    writes_directory = True
    in_default_run = False
    remote_access = frozenset({"uri"})
    prepared_by = "iceberg"
    scanner = "scan_iceberg"
    reader = "scan_iceberg"
    libraries: ClassVar[tuple[str, ...]] = ("polars", "pyiceberg", "sqlalchemy")
    readers: ClassVar[frozenset[str]] = IcebergAdapter.readers
    unsafe: ClassVar[str] = ""
    data_suffixes: ClassVar[tuple[str, ...]] = ()

    def refuse(self, table: pa.Table) -> None:
        """The writer is pyiceberg's: its refusals, before any file is made."""
        refuse_nanoseconds(table, self.format)

    def write_frame(self, table: pa.Table, path: PathLike, codec: str) -> None:
        """The library's writer, so both engines read the same table."""
        IcebergAdapter().write(table, path, codec)

    def lazy(self, path: PathLike) -> Any:
        """``scan_iceberg`` on the loaded table; polars plans it through pyiceberg (the
        faster polars_iceberg planner is not installed: the variable silences its warning)."""
        import polars as pl

        os.environ.setdefault("POLARS_ICEBERG_PLANNER", "pyiceberg")
        # polars reads the data files with its own object_store client, not the FileIO
        options = dict(path.storage_options) if is_remote(path) else None
        return pl.scan_iceberg(load(path), storage_options=options)

    def read(self, path: PathLike) -> pa.Table:
        """``scan_iceberg(...).collect()``: polars has no eager Iceberg reader."""
        return self.collect(path)


@register_table("iceberg")
class IcebergTableOps(TableOps):
    """Each change is one snapshot; pyiceberg rewrites touched files (copy-on-write:
    ``write.delete.mode=merge-on-read`` warns and falls back)."""

    merge_cap = 1_000
    merge_cap_reason = (
        "pyiceberg's upsert builds one predicate per row: with a two-column key it took "
        "minutes at ~4,000 rows and crashed the interpreter at ~12,000"
    )
    compact_note = "no rewrite_data_files in pyiceberg: the whole table overwritten (one snapshot)"
    vacuum_note = "expire_snapshots(): snapshots leave the metadata; no file is deleted"

    def append_commit(self, path: PathLike, table: pa.Table) -> None:
        """Table.append: one new data file, one snapshot."""
        load(path).append(table)

    def update(self, path: PathLike, predicate: Filter, column: str, delta: int | float) -> None:
        """No update API: scan the matching rows, change them in Arrow, and write them back
        with ``overwrite(rows, overwrite_filter=predicate)`` (one snapshot)."""
        tbl = load(path)
        expr = iceberg_expr(predicate)
        rows = tbl.scan(row_filter=expr).to_arrow()
        i = rows.schema.get_field_index(column)
        changed = pc.add(rows.column(i), pa.scalar(delta).cast(rows.schema.field(i).type))
        tbl.overwrite(rows.set_column(i, rows.schema.field(i), changed), overwrite_filter=expr)

    def delete(self, path: PathLike, predicate: Filter) -> None:
        """Table.delete with an expression (copy-on-write)."""
        load(path).delete(iceberg_expr(predicate))

    def merge(self, path: PathLike, rows: pa.Table, key: Sequence[str]) -> None:
        """Table.upsert keyed on ``key`` (callers cap the rows: see merge_cap_reason)."""
        load(path).upsert(rows, join_cols=list(key))

    def _log(self, path: PathLike) -> list[int]:
        """Snapshot ids in commit order, the current one last."""
        return [entry.snapshot_id for entry in load(path).history()]

    def history(self, path: PathLike) -> int:
        """Snapshots before the current one."""
        return max(len(self._log(path)) - 1, 0)

    def read_back(self, path: PathLike, versions_back: int) -> pa.Table:
        """scan(snapshot_id=...) of the snapshot ``versions_back`` before the current."""
        self.check_back(path, versions_back)
        snapshot = self._log(path)[-1 - versions_back]
        return load(path).scan(snapshot_id=snapshot).to_arrow()

    def compact(self, path: PathLike) -> dict[str, Any]:
        """The whole table read and overwritten: the only rewrite pyiceberg offers."""
        tbl = load(path)
        before = len(tbl.inspect.files())
        tbl.overwrite(tbl.scan().to_arrow())
        return {"files_removed": before, "files_added": len(load(path).inspect.files())}

    def vacuum(self, path: PathLike) -> dict[str, Any]:
        """Expire every snapshot but the current (metadata only: files stay on disk)."""
        tbl = load(path)
        current = tbl.metadata.current_snapshot_id
        old = [s.snapshot_id for s in tbl.snapshots() if s.snapshot_id != current]
        if old:
            tbl.maintenance.expire_snapshots().by_ids(old).commit()
        return {"snapshots_expired": len(old), "files_deleted": 0}

    def files(self, path: PathLike) -> TableFiles:
        """Live files from the manifests; metadata is the JSON/Avro metadata and the catalog."""
        uris = load(path).inspect.files().column("file_path").to_pylist()
        live = {relative(path, u) for u in uris}
        return split_files(path, live, _is_metadata)


def _is_metadata(name: str) -> bool:
    """JSON/Avro metadata, and the catalog when it lives in the table's directory."""
    parts = parts_of(name)
    return "metadata" in parts or parts[-1] == CATALOG_FILE
