"""Native libraries' own output kept off the terminal: Rust panics and log lines.

polars, Lance and Vortex write a panic's message (and, with ``RUST_BACKTRACE`` set, a
whole backtrace) straight to file descriptor 2 before Python sees the exception. What
fmtbench does with the exception is already one line (a fidelity cell, a case error);
the raw text is captured here while the library runs, and only its panic messages are
kept, for the caller to show in one line if it wants to.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator

_PANIC = re.compile(r"panicked at [^\n]*:\n([^\n]+)")


@contextlib.contextmanager
def contained() -> Iterator[list[str]]:
    """Capture everything written to fd 2 during the block; yields the panic messages
    (filled in on exit). Process-wide: meant for the CLI process, not for threads that
    print on purpose."""
    panics: list[str] = []
    fd = 2  # where native code writes, whatever Python's sys.stderr is
    with tempfile.TemporaryFile() as sink:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        saved = os.dup(fd)
        os.dup2(sink.fileno(), fd)
        try:
            yield panics
        finally:
            with contextlib.suppress(Exception):
                sys.stderr.flush()
            os.dup2(saved, fd)
            os.close(saved)
            sink.seek(0)
            text = sink.read().decode("utf-8", errors="replace")
            panics.extend(dict.fromkeys(m.strip() for m in _PANIC.findall(text)))
