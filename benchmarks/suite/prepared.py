"""What a case's operation runs on, set up outside any timer: the prepared file (the
dataset written once per key) and the engines' thread pools.

Shared by the timed run (execute.py) and the fresh memory probe (fresh.py), which rebuilds
the case in a child process, so neither imports the other.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

import formats
from benchmarks.datasets.stream import StreamSource
from benchmarks.suite import multifile
from benchmarks.suite.cases import Case
from benchmarks.suite.groups import member_folder
from benchmarks.suite.ops import case_dir, keep_files
from formats.base import path_bytes, remove_path


class PreparedFiles:
    """The dataset written once per (dataset, rows, adapter, codec, layout), outside any timer.

    Only the files of the cases being timed are kept (unless ``--keep-files``): the latest
    one, or every file of the group set by ``keep_only`` (a group's cases are timed
    together, suite/groups.py). A large dataset written to fourteen formats would
    otherwise fill the disk. Each layout's file lives in its own folder: two engines of a
    format write files of the same name.
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._paths: dict[tuple, Path] = {}
        self._keep: set[tuple] = set()

    def keep_only(self, cases: list[Case]) -> None:
        """Keep the files of ``cases`` (a group); remove the others' now."""
        self._keep = {_file_key(c) for c in cases}
        self._drop_except(self._keep)

    def _drop_except(self, keys: set[tuple]) -> None:
        for key in [k for k in self._paths if k not in keys]:
            path = self._paths.pop(key)
            if not keep_files():
                remove_path(path)

    def get(self, case: Case, env_adapter: formats.FormatAdapter, table: Any, stem: str) -> Path:
        """Path of the file for ``case``, writing it if this key is new."""
        key = _file_key(case)
        if key not in self._paths:
            self._drop_except(self._keep)  # the latest file only, outside a kept group
            path = _folder(self.workdir, case) / env_adapter.file_name(stem, case.codec)
            writer = env_adapter
            if env_adapter.prepared_by:  # every engine of the format reads the same bytes
                writer = formats.get(env_adapter.prepared_by)
            if multifile.is_multifile(case):  # a directory, by the engine's dataset writer
                path = path.with_name(multifile.directory_name(env_adapter, case, stem))
                multifile.write_prepared(case, env_adapter, table, path)
            elif isinstance(table, StreamSource):  # --stream: never a whole table in memory
                writer.write_batches(table.schema, table.batches(), path, case.codec)
            else:
                writer.write(table, path, case.codec)
            self._paths[key] = path  # only once written: a failed write fails again
        return self._paths[key]

    def existing_bytes(self, case: Case) -> int | None:
        """Size of the file already written for ``case``'s key, or None if there is none."""
        path = self._paths.get(_file_key(case))
        return None if path is None else path_bytes(path)

    def adopt(self, case: Case, path: Path) -> None:
        """Take ``path`` as the file already written for ``case`` (a memory probe's parent
        wrote it)."""
        self._paths[_file_key(case)] = Path(path)


def _folder(root: Any, case: Case) -> Any:
    """The case's own folder under ``root`` (created when local), then case_dir's."""
    folder = root / member_folder(case)
    if isinstance(folder, Path):
        folder.mkdir(parents=True, exist_ok=True)
    return case_dir(folder, case)


def _file_key(case: Case) -> tuple:
    """What decides the prepared file's bytes: the same key, the same file."""
    return (
        case.dataset, case.rows, case.adapter, case.codec, case.options, case.files,
        case.partition_by,
    )  # fmt: skip


def apply_threads(threads: int | None, adapter: formats.FormatAdapter) -> Any:
    """Size the engines' thread pools for one case; returns the function that undoes it.

    pyarrow's CPU and IO pools are process-wide and resizable; an adapter whose engine
    has its own pool (DuckDB) takes it through ``set_threads``. polars fixes its pool at
    import, so the runner starts a worker per thread count with POLARS_MAX_THREADS set.
    """
    if threads is None:
        return lambda: None
    cpu, io = pa.cpu_count(), pa.io_thread_count()
    pa.set_cpu_count(threads)
    pa.set_io_thread_count(threads)
    setter = getattr(adapter, "set_threads", None)
    if setter is not None:
        setter(threads)

    def restore() -> None:
        pa.set_cpu_count(cpu)
        pa.set_io_thread_count(io)

    return restore
