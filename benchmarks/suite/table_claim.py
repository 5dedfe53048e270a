"""Bad places for tables, refused before any work: a folder that cannot be written, and a
table folder another live run is already using (two writers that did not mean to be).

The longevity and two-writers scripts make their tables under ``--workdir``; each claims
that folder with a lock file created with O_EXCL (pid and host inside), so a second run
pointed at it stops with one line instead of interleaving its commits with the first's.
A lock left by a run that died is taken over. ``fmtbench run`` needs none of this: each
run makes its own folder inside ``--workdir`` and owns its results path (run/claim.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

from benchmarks.datasets.owned import pid_alive
from benchmarks.errors import UsageError

LOCK_FILE = ".fmtbench-tables.lock"


def check_writable(directory: Path, flag: str) -> None:
    """UsageError naming ``flag`` when ``directory`` cannot be created or written."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory):
            pass
    except OSError as exc:
        cause = exc.strerror or str(exc)
        raise UsageError(
            f"{flag} {directory}: cannot write there ({cause}); pass {flag} on a writable "
            f"folder, e.g. {flag} {Path(tempfile.gettempdir()) / 'fmtbench-tables'}"
        ) from None


def _holder(lock: Path) -> dict:
    with contextlib.suppress(OSError, ValueError):
        return json.loads(lock.read_text())
    return {}


@contextlib.contextmanager
def claim_table_dir(directory: Path, flag: str = "--workdir") -> Iterator[Path]:
    """Own ``directory`` for the block; UsageError when another live run owns it."""
    check_writable(directory, flag)
    lock = directory / LOCK_FILE
    me = {"pid": os.getpid(), "host": socket.gethostname()}
    for _ in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _holder(lock)
            if not holder:  # created this instant, its owner not yet written
                break
            alive = holder.get("host") == me["host"] and pid_alive(holder.get("pid", -1))
            if alive or holder.get("host") not in (None, me["host"]):
                raise UsageError(
                    f"{flag} {directory}: another run (pid {holder.get('pid', '?')} on "
                    f"{holder.get('host', '?')}) is making tables there; pass another "
                    f"{flag}, or wait for it to finish"
                ) from None
            lock.unlink(missing_ok=True)  # its run died: take the folder over
            continue
        with os.fdopen(fd, "w") as f:
            json.dump(me, f)
        break
    else:
        raise UsageError(f"{flag} {directory}: another run claimed it just now; pass another")
    if not _holder(lock) == me:
        raise UsageError(f"{flag} {directory}: another run claimed it just now; pass another")
    try:
        yield directory
    finally:
        lock.unlink(missing_ok=True)
