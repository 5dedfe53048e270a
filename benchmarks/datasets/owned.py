"""Scratch directories and child processes owned by a live process, and nothing else.

A run or a generator killed by SIGKILL or SIGHUP cannot clean up after itself; each
scratch directory therefore records its owner's pid, and the next start removes the
directories whose owner is gone. Child processes get SIGKILL when their parent dies.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
from pathlib import Path

OWNER_FILE = "owner.pid"


def pid_alive(pid: int) -> bool:
    """True while a process with this pid exists (ours or another user's)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owned_tempdir(prefix: str, parent: str | os.PathLike | None = None) -> Path:
    """``mkdtemp`` that records this process as the owner, for ``sweep_stale``."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    (path / OWNER_FILE).write_text(str(os.getpid()))
    return path


def sweep_stale(parent: str | os.PathLike | None, prefix: str) -> list[Path]:
    """Remove ``PARENT/PREFIX*`` directories whose recorded owner process is gone."""
    root = Path(parent) if parent else Path(tempfile.gettempdir())
    removed = []
    with contextlib.suppress(OSError):
        for path in root.glob(prefix + "*"):
            try:
                pid = int((path / OWNER_FILE).read_text().strip())
            except (OSError, ValueError):
                continue  # not one of ours, or still being created: leave it
            if pid != os.getpid() and not pid_alive(pid):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def die_with_parent() -> None:
    """``preexec_fn``: the child gets SIGKILL if its parent dies, even by kill -9."""
    import ctypes

    # not Linux: no prctl; the child then finishes on its own
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
