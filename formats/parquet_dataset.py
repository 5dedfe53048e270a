"""A plain directory of Parquet files read through ``pyarrow.dataset``: the baseline with no
table format. A commit is one more file; an update, delete or merge rewrites every file
the change touches, one file at a time (a reader between two rewrites sees half a change:
there is no transaction); there are no versions to travel back to.

Files are named ``part-NNNNNN.parquet`` in commit order, so reads return rows in the
order they were written. On object storage the directory is a prefix reached through
pyarrow's S3 filesystem; a rewrite is one PUT of the whole object (S3 has no rename, and a
PUT replaces an object atomically).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from formats.base import Filter, FormatAdapter, FormatReadError, remove_path
from formats.registry import register
from formats.table_reads import DatasetReads
from formats.table_store import is_remote
from formats.tables import PathLike, TableFiles, TableOps, register_table

_PART = re.compile(r"^part-(\d{6})\.parquet$")
_ROW = "__fmtbench_row"


def where(path: PathLike) -> tuple[Any, str]:
    """(pyarrow filesystem, the directory's path in it): local disk or the S3 prefix."""
    if is_remote(path):
        return path.filesystem, path.fs_path.rstrip("/")
    return pafs.LocalFileSystem(), os.path.abspath(path)


def parts(path: PathLike, must_exist: bool = True) -> list[str]:
    """The dataset's files (paths in ``where``'s filesystem) in commit order;
    FileNotFoundError when there is no directory and ``must_exist``."""
    fs, base = where(path)
    if fs.get_file_info(base).type != pafs.FileType.Directory:
        if must_exist:
            raise FileNotFoundError(2, "No such dataset directory", str(path))
        return []
    found = fs.get_file_info(pafs.FileSelector(base))
    names = sorted(f.base_name for f in found if f.is_file and _PART.match(f.base_name))
    return [f"{base}/{name}" for name in names]


def write_part(table: pa.Table, path: PathLike, codec: str = "snappy") -> str:
    """``table`` as the next file of the directory, in place only when complete."""
    found = parts(path, must_exist=False)
    number = int(_PART.match(found[-1].rsplit("/", 1)[-1])[1]) + 1 if found else 0
    target = f"{where(path)[1]}/part-{number:06d}.parquet"
    replace_file(table, path, target, codec)
    return target


def replace_file(table: pa.Table, path: PathLike, target: str, codec: str = "snappy") -> None:
    """Locally: write to a hidden name, then rename; on S3: one PUT, which replaces the
    object atomically. Either way a reader sees the old file or the new one."""
    fs, _ = where(path)
    if is_remote(path):
        pq.write_table(table, target, compression=codec, write_page_index=True, filesystem=fs)
        return
    head, _, name = target.rpartition("/")
    scratch = f"{head}/.{name}.{uuid.uuid4().hex}.tmp"  # one per writer
    pq.write_table(table, scratch, compression=codec, write_page_index=True)
    os.replace(scratch, target)


def _delete(path: PathLike, part: str) -> None:
    """Remove one file. On S3 through the location (s3fs, checked against the run's prefix):
    pyarrow's delete_file would then PUT a ``folder/`` marker, which the prefix refuses."""
    if is_remote(path):
        (path / part.rsplit("/", 1)[-1]).remove()
    else:
        os.remove(part)


@register
class ParquetDataset(DatasetReads, FormatAdapter):
    """A directory of Parquet files through pyarrow.dataset, with no transaction log; files
    are read in commit order (read, read_columns, iter_batches: formats/table_reads.py)."""

    name = "parquet-dataset"
    format = "Parquet directory"
    engine = "pyarrow.dataset"
    orientation = "column"
    encoding = "binary"
    codecs = ("snappy", "zstd", "none")
    extension = "parquetdir"
    native = frozenset({"read_columns", "scan", "iter_batches"})
    writes_directory = True
    in_default_run = False
    remote_access = frozenset({"arrow-fs"})
    libraries: ClassVar[tuple[str, ...]] = ("pyarrow",)
    readers: ClassVar[frozenset[str]] = frozenset({"pandas", "duckdb", "spark", "polars"})
    unsafe: ClassVar[str] = ""
    data_suffixes: ClassVar[tuple[str, ...]] = ()

    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        """A fresh directory holding one file."""
        codec = self.resolve_codec(codec)
        remove_path(path)
        if not is_remote(path):  # object storage has no folders to make
            os.makedirs(path)
        write_part(table, path, codec)

    def scan(self, path: str | os.PathLike, predicate: Filter) -> pa.Table:
        """Row-group statistics skip data inside each file; every file's footer is read."""
        dataset = self._dataset(path)
        self.last_io = {"files_total": len(dataset.files)}
        return dataset.to_table(filter=predicate.to_arrow())

    def _dataset(self, path: PathLike) -> Any:
        """The files as one dataset; a directory without Parquet parts is a FormatReadError."""
        import pyarrow.dataset as ds

        self.last_io = {}
        files = parts(path)
        if not files:
            raise FormatReadError(path, self.format, "no part-NNNNNN.parquet file in it")
        try:
            return ds.dataset(files, format="parquet", filesystem=where(path)[0])
        except (pa.ArrowException, OSError) as exc:
            raise FormatReadError(path, self.format, exc) from exc


def _evaluate(table: pa.Table, predicate: Filter) -> pa.Array:
    """Boolean array of ``predicate`` over ``table`` (nulls false), via a row-number filter."""
    numbered = table.append_column(_ROW, pa.array(np.arange(table.num_rows, dtype=np.int64)))
    hit = numbered.filter(predicate.to_arrow()).column(_ROW)
    return pc.is_in(numbered.column(_ROW), value_set=hit.combine_chunks())


def _keyed(table: pa.Table, rows: pa.Table, key: Sequence[str]) -> pa.Array:
    """Boolean array: which rows of ``table`` have a key present in ``rows``."""
    numbered = table.select(list(key)).append_column(
        _ROW, pa.array(np.arange(table.num_rows, dtype=np.int64))
    )
    hit = numbered.join(rows.select(list(key)), keys=list(key), join_type="inner").column(_ROW)
    return pc.is_in(numbered.column(_ROW), value_set=hit.combine_chunks())


@register_table("parquet-dataset")
class ParquetDatasetOps(TableOps):
    """What a user without a table format does: new files, and touched files rewritten."""

    time_travel_refusal = "a plain Parquet directory keeps no versions (no time travel)"
    compact_note = "every file read and rewritten as one file, the old ones deleted"
    vacuum_note = "nothing to remove: rewrites replace files in place"

    def append_commit(self, path: PathLike, table: pa.Table) -> None:
        """One more file."""
        write_part(table, path)

    def _rewrite(self, path: PathLike, change: Any) -> None:
        """Each file whose rows ``change(table)`` alters (returns None when untouched)."""
        fs, _ = where(path)
        for part in parts(path):
            changed = change(pq.read_table(part, filesystem=fs))
            if changed is not None:
                replace_file(changed, path, part)

    def update(self, path: PathLike, predicate: Filter, column: str, delta: int | float) -> None:
        """Rewrite the files holding matching rows with ``column`` changed."""

        def change(table: pa.Table) -> pa.Table | None:
            hit = _evaluate(table, predicate)
            if not pc.any(hit).as_py():
                return None
            i = table.schema.get_field_index(column)
            field = table.schema.field(i)
            moved = pc.add(table.column(i), pa.scalar(delta).cast(field.type))
            return table.set_column(i, field, pc.if_else(hit, moved, table.column(i)))

        self._rewrite(path, change)

    def delete(self, path: PathLike, predicate: Filter) -> None:
        """Rewrite the files holding matching rows without them."""

        def change(table: pa.Table) -> pa.Table | None:
            hit = _evaluate(table, predicate)
            return table.filter(pc.invert(hit)) if pc.any(hit).as_py() else None

        self._rewrite(path, change)

    def merge(self, path: PathLike, rows: pa.Table, key: Sequence[str]) -> None:
        """Matched rows leave their files (rewritten); every source row lands in a new file."""

        def change(table: pa.Table) -> pa.Table | None:
            hit = _keyed(table, rows, key)
            return table.filter(pc.invert(hit)) if pc.any(hit).as_py() else None

        self._rewrite(path, change)
        write_part(rows, path)

    def history(self, path: PathLike) -> int:
        """No versions are kept."""
        return 0

    def read_back(self, path: PathLike, versions_back: int) -> pa.Table:
        """Refused: there is nothing to go back to."""
        self.check_back(path, versions_back)
        raise AssertionError("unreachable: check_back refuses")

    def compact(self, path: PathLike) -> dict[str, Any]:
        """All files into one: written first, then the old ones removed."""
        fs, _ = where(path)
        old = parts(path)
        table = pa.concat_tables([pq.read_table(p, filesystem=fs) for p in old])
        new = write_part(table, path)
        for part in old:
            _delete(path, part)
        return {"files_removed": len(old), "files_added": 1, "file": new.rsplit("/", 1)[-1]}

    def vacuum(self, path: PathLike) -> dict[str, Any]:
        """Nothing to do: no file outlives a rewrite."""
        return {"files_deleted": 0}

    def files(self, path: PathLike) -> TableFiles:
        """Every part file is live data; there is no metadata."""
        fs, _ = where(path)
        found = parts(path)
        size = sum(f.size for f in fs.get_file_info(found))
        return TableFiles(len(found), size, 0, 0, len(found), size)
