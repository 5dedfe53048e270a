"""Where a table lives, in the terms each table library speaks: a local directory, or an
object-storage prefix handed over as a ``RemoteFile`` (benchmarks/storage's ``Location``).

The table adapters (Delta, Iceberg, Lance, the Parquet directory) and the table
operations list, size and identify a table's files through this module only, so every
one of them works the same on local disk and on ``--storage s3-local`` / ``s3://``,
and never names a file outside the table's own directory or prefix.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from formats.base import RemoteFile

PathLike = str | os.PathLike
#: A file's identity: it changes when the file is rewritten (local: inode, mtime, size;
#: object storage: ETag, size).
Ident = tuple[Any, ...]


def is_remote(path: Any) -> bool:
    """Whether ``path`` is an object-storage location rather than a local path."""
    return isinstance(path, RemoteFile)


def uri_and_options(path: Any) -> tuple[str, dict[str, str] | None]:
    """(URI, object_store options) as delta-rs and Lance take them; no options locally."""
    if is_remote(path):
        return path.uri, dict(path.storage_options)
    return os.fspath(path), None


def listing(path: Any) -> dict[str, tuple[Ident, int]]:
    """Every file under the table: relative POSIX name -> (identity, bytes).

    Empty when the table is not there. On object storage one LIST (s3fs, no cache).
    """
    if is_remote(path):
        prefix = path.fs_path.rstrip("/") + "/"
        try:
            found = path.fsspec.find(prefix, detail=True)
        except FileNotFoundError:
            return {}
        return {
            name[len(prefix) :]: ((info.get("ETag"), info["size"]), int(info["size"]))
            for name, info in found.items()
            if name.startswith(prefix) and info.get("type") != "directory"
        }
    root = Path(path)
    if not root.is_dir():
        return {}
    files: dict[str, tuple[Ident, int]] = {}
    for p in root.rglob("*"):
        if p.is_file():
            st = p.stat()
            files[p.relative_to(root).as_posix()] = ((st.st_ino, st.st_mtime_ns), st.st_size)
    return files


def relative(path: Any, uri: str) -> str:
    """A file URI or path a library reported, relative to the table (POSIX separators).

    Raises ValueError for a file outside the table: the accounting never counts it.
    """
    if is_remote(path):
        base = path.uri.rstrip("/") + "/"
        if not uri.startswith(base):
            raise ValueError(f"{uri} is not under the table {path.uri}")
        return uri[len(base) :]
    local = Path(uri.removeprefix("file://")).resolve()
    return local.relative_to(Path(path).resolve()).as_posix()


def parts_of(name: str) -> tuple[str, ...]:
    """The folders and file name of a relative name."""
    return PurePosixPath(name).parts


def scratch_dir(path: Any) -> Path:
    """A local folder for what cannot live on object storage (Iceberg's SQLite catalog):
    the run's local work dir when the location carries it, the system temp dir otherwise."""
    base = getattr(path, "scratch", None) or tempfile.gettempdir()
    folder = Path(base) / ".fmtbench-catalogs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def local_twin(path: Any, suffix: str) -> Path:
    """A local file that belongs to the remote table ``path`` (one per table URI)."""
    digest = hashlib.sha1(path.uri.encode()).hexdigest()[:16]  # noqa: S324 - a name, not security
    return scratch_dir(path) / f"{path.name}-{digest}{suffix}"
