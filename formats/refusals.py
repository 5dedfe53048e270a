"""A library's crash on a column's values or type, turned into UnsupportedType naming it.

Every adapter's ``write`` is wrapped here once (``FormatAdapter.__init_subclass__``), so no
adapter handles it itself. When a write raises, each column is written alone into a scratch
directory (first a few rows, then all of them): the first one the adapter refuses alone is
named. It is a refusal only if a plain int64 column still writes, so an adapter that fails
on everything (a bug, a full disk) keeps its own error, as does an error no single column
reproduces (a bad path). Programming errors (AttributeError, NameError, ...) are never
converted: they are bugs in our code, not a library's verdict on data.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

from formats.errors import FormatError, UnsupportedType

#: Errors that mean our code is wrong, whatever the data: never a refusal.
_BUGS = (
    AttributeError,
    NameError,
    KeyError,
    IndexError,
    AssertionError,
    ImportError,
    RecursionError,
    MemoryError,
    SyntaxError,
)

#: Rows written per column in the first, cheap search (a type refusal shows on any row).
_PROBE_ROWS = 1_024


def is_library_error(exc: BaseException) -> bool:
    """Whether ``exc`` may be a library refusing data: any Exception but our own FormatError
    and the programming errors, plus a Rust panic (pyo3's PanicException is a BaseException)."""
    if type(exc).__module__ == "pyo3_runtime":  # polars, vortex, lance: a Rust assert/unwrap
        return True
    return isinstance(exc, Exception) and not isinstance(exc, (FormatError, *_BUGS))


def _fails(write: Callable[[pa.Table, Path], Any], table: pa.Table, path: Path) -> bool:
    """Whether writing ``table`` alone fails with a library error (a bug still propagates)."""
    try:
        write(table, path)
    except BaseException as exc:
        if not is_library_error(exc):
            raise
        return True
    return False


def find_refused_column(
    table: pa.Table,
    write: Callable[[pa.Table, Path], Any],
    reason: str,
    format_name: str,
) -> Exception | None:
    """UnsupportedType for the first column ``write`` refuses alone, else None (also when a
    plain int64 column fails too: then no column is to blame)."""
    with tempfile.TemporaryDirectory(prefix="fmtbench-probe-") as tmp:
        scratch = iter(Path(tmp) / f"p{i}" for i in range(1 << 30))
        control = pa.table({"fmtbench_control": pa.array([0, 1, 2], pa.int64())})
        if _fails(write, control, next(scratch)):
            return None
        short = table.slice(0, _PROBE_ROWS)
        for part in (short, table) if table.num_rows > _PROBE_ROWS else (table,):
            for i, field in enumerate(table.schema):
                if _fails(write, part.select([i]), next(scratch)):
                    return UnsupportedType(field.name, field.type, format_name, reason)
    return None


def guard_write(
    write: Callable[..., None], remove_path: Callable[[Any], None]
) -> Callable[..., None]:
    """``write`` with a library's refusal of one column raised as UnsupportedType naming it
    (the partial output removed with ``remove_path``); any other error unchanged."""

    @functools.wraps(write)
    def guarded(self: Any, table: pa.Table, path: Any, codec: str | None = None) -> None:
        try:
            return write(self, table, path, codec)
        except BaseException as exc:
            if not is_library_error(exc) or not isinstance(table, pa.Table):
                raise
            error = exc
        remove_path(path)
        one = lambda t, p: write(self, t, p.with_suffix(f".{self.extension}"), codec)  # noqa: E731
        culprit = find_refused_column(table, one, self.refusal_reason(error), self.format)
        if culprit is None:
            raise error
        raise culprit from error

    guarded.__wrapped_write__ = write  # type: ignore[attr-defined]
    return guarded
