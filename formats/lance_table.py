"""Lance datasets as a table format: every write is a version, deletes write deletion files
(merge-on-read: the data files stay until compaction), ``merge_insert`` upserts by key.

The adapter itself is formats/lance_format.py; this module only adds the table protocol.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from formats.base import Filter
from formats.lance_format import lance_sql
from formats.table_store import parts_of, uri_and_options
from formats.tables import PathLike, TableFiles, TableOps, register_table, split_files


def _dataset(path: PathLike, version: int | None = None) -> Any:
    """The dataset at ``path`` (local or object storage, through object_store options)."""
    import lance

    uri, options = uri_and_options(path)
    return lance.dataset(uri, version=version, storage_options=options)


@register_table("lance")
class LanceTableOps(TableOps):
    """Versions in ``_versions``, deletion files in ``_deletions``, fragments in ``data``."""

    change_mode = "merge-on-read"
    compact_note = "optimize.compact_files(): fragments merged, deletion files applied"
    vacuum_note = "cleanup_old_versions(older_than=0): old versions' files deleted"

    def append_commit(self, path: PathLike, table: pa.Table) -> None:
        """write_dataset(mode="append"): one new fragment, one version."""
        import lance

        uri, options = uri_and_options(path)
        lance.write_dataset(table, uri, mode="append", storage_options=options)

    def update(self, path: PathLike, predicate: Filter, column: str, delta: int | float) -> None:
        """LanceDataset.update with SQL: changed rows are rewritten into a new fragment and
        deleted from their old ones."""
        ds = _dataset(path)
        where = lance_sql(predicate, ds.schema.field(predicate.column).type)
        ds.update({column: f"`{column}` + {delta!r}"}, where=where)

    def delete(self, path: PathLike, predicate: Filter) -> None:
        """A deletion file per touched fragment; no data file is rewritten."""
        ds = _dataset(path)
        ds.delete(lance_sql(predicate, ds.schema.field(predicate.column).type))

    def merge(self, path: PathLike, rows: pa.Table, key: Sequence[str]) -> None:
        """merge_insert on ``key``: matched rows updated, the others inserted."""
        builder = _dataset(path).merge_insert(list(key))
        builder.when_matched_update_all().when_not_matched_insert_all().execute(rows)

    def history(self, path: PathLike) -> int:
        """Versions before the latest that are still on disk."""
        ds = _dataset(path)
        return sum(1 for v in ds.versions() if v["version"] < ds.version)

    def read_back(self, path: PathLike, versions_back: int) -> pa.Table:
        """lance.dataset(path, version=latest - k)."""
        self.check_back(path, versions_back)
        return _dataset(path, _dataset(path).version - versions_back).to_table()

    def compact(self, path: PathLike) -> dict[str, Any]:
        """optimize.compact_files(); its metrics say how many files were replaced."""
        m = _dataset(path).optimize.compact_files()
        return {"files_added": m.files_added, "files_removed": m.files_removed}

    def vacuum(self, path: PathLike) -> dict[str, Any]:
        """Every version but the latest removed, with the files only they used."""
        stats = _dataset(path).cleanup_old_versions(older_than=dt.timedelta(0))
        return {"files_deleted": stats.data_files_removed + stats.deletion_files_removed}

    def files(self, path: PathLike) -> TableFiles:
        """Live data files of the latest version's fragments (deletion files count as
        metadata, as manifests and transactions do)."""
        live = {
            f"data/{f.path}"
            for fragment in _dataset(path).get_fragments()
            for f in fragment.data_files()
        }
        return split_files(path, live, lambda name: parts_of(name)[0] != "data")
