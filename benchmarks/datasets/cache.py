"""Synthetic tables that are slow to make, kept on disk after the first time.

``images`` encodes every picture with Pillow: 50,000 of them take ~30-45 s here, and every
worker process of a run, every ``fmtbench datasets`` and every memory probe would pay it
again. The table is deterministic for its key (family, rows, seed, argument, generator
version, Pillow's version), so it is written once as an uncompressed Arrow IPC file into
the data cache (beside TPC-H's) and read back in well under a second. A scratch file and a
rename: an interrupted or concurrent writer never leaves a half file behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from benchmarks.datasets.owned import owned_tempdir, sweep_stale


def cache_path(data_dir: Path, name: str, key: tuple) -> Path:
    """The cache file of one table: ``<data_dir>/synthetic/<name>-<digest>.arrow``."""
    digest = hashlib.sha1(repr(key).encode()).hexdigest()[:16]
    return data_dir / "synthetic" / f"{name}-{digest}.arrow"


def cached_table(path: Path, build: Callable[[], pa.Table]) -> pa.Table:
    """The table at ``path`` when present, else ``build()`` written there first."""
    if path.is_file():
        try:
            with pa.OSFile(str(path)) as f:
                return pa.ipc.open_file(f).read_all()
        except (OSError, pa.ArrowInvalid):
            path.unlink(missing_ok=True)  # a damaged file is made again
    table = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sweep_stale(path.parent, ".writing-")  # left by a writer killed outright
        scratch = owned_tempdir(".writing-", path.parent)
    except OSError:
        return table  # an unwritable cache only costs the next load the generation again
    try:
        part = scratch / path.name
        with pa.OSFile(str(part), "wb") as sink, pa.ipc.new_file(sink, table.schema) as w:
            w.write_table(table)
        os.replace(part, path)
    except OSError:
        pass
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return table
