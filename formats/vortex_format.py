"""Vortex through vortex-data: one file of compressed, statistics-carrying columns, read with
native projection, row-index selection, filter pushdown and batch streaming.

Vortex returns its own Arrow types where they differ (strings and binaries come back as the
``*_view`` types, dictionaries decoded); the adapter passes them through for the fidelity
matrix to record rather than casting them back.
"""

from __future__ import annotations

import errno
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from formats.base import (
    Filter,
    FormatAdapter,
    FormatReadError,
    RemoteFile,
    exists,
    first_line,
    removing_on_error,
)
from formats.registry import register

if TYPE_CHECKING:
    import vortex
    import vortex.expr

#: What vortex.open raises for a missing, truncated or foreign file (its errors are RuntimeError).
_READ_ERRORS = (OSError, ValueError, RuntimeError)

#: Filter operators as vortex.expr builders, looked up by name so the import stays lazy.
_OPS = {"==": "eq", "!=": "not_eq", "<": "lt", "<=": "lt_eq", ">": "gt", ">=": "gt_eq"}


@register
class VortexAdapter(FormatAdapter):
    """Vortex files via vortex-data; every access pattern is pushed down into the Vortex scan."""

    name = "vortex"
    libraries = ("vortex-data",)
    format = "Vortex"
    engine = "vortex-data"
    orientation = "column"
    encoding = "binary"
    # Vortex exposes no per-codec choice, only two write profiles: its default cascading
    # compressor, and "compact", which trades read speed for smaller files.
    codecs = ("default", "compact")
    extension = "vortex"
    append_modes = ("file-per-batch",)  # a Vortex file is written whole
    requires = ("vortex",)
    extra = "vortex"
    native = frozenset({"read_columns", "take", "scan", "iter_batches"})
    remote_access = frozenset({"uri"})

    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        """Stream ``table`` into one Vortex file; a refused column becomes UnsupportedType."""
        codec = self.resolve_codec(codec)
        _write(table, path, codec)

    def refusal_reason(self, exc: BaseException) -> str:
        """Vortex's first line, or what its ArrayIterator complaint means."""
        return _reason(exc)

    def write_batches(
        self,
        schema: pa.Schema,
        batches: Iterable[pa.RecordBatch],
        path: str | os.PathLike,
        codec: str | None = None,
    ) -> None:
        """Vortex's writer pulls from a RecordBatchReader, compressing chunk by chunk."""
        codec = self.resolve_codec(codec)
        reader = pa.RecordBatchReader.from_batches(schema, iter(batches))
        with removing_on_error(path):
            _write(reader, path, codec)

    def iter_column_batches(
        self, path: str | os.PathLike, column: str, batch_size: int
    ) -> Iterator[pa.RecordBatch]:
        """A projected scan: only the column's segments are read."""
        yield from self._open(path).to_arrow([column], batch_size=batch_size)

    def read(self, path: str | os.PathLike) -> pa.Table:
        """The whole file; a corrupt segment is a FormatReadError too."""
        vxf = self._open(path)
        try:
            return vxf.to_arrow().read_all()
        except _READ_ERRORS as exc:
            raise FormatReadError(path, self.format, exc) from exc

    def read_columns(self, path: str | os.PathLike, columns: Sequence[str]) -> pa.Table:
        """A projection: only the named columns' segments are read."""
        return self._open(path).to_arrow(list(columns)).read_all()

    def take(self, path: str | os.PathLike, indices: Sequence[int] | np.ndarray) -> pa.Table:
        """Rows in the requested order; Vortex itself only selects strictly increasing indices."""
        # Ask Vortex for the sorted unique rows, then reorder (and repeat duplicates).
        import vortex as vx

        wanted = np.asarray(indices, dtype=np.int64)
        unique, inverse = np.unique(wanted, return_inverse=True)
        vxf = self._open(path)
        if unique.size and (unique[0] < 0 or unique[-1] >= len(vxf)):
            # Arrow's take raises IndexError; Vortex would raise a cast or slice error.
            raise IndexError(
                f"row indices must lie in [0, {len(vxf)}); got {unique[0]}..{unique[-1]}"
            )
        table = vxf.to_arrow(indices=vx.array(pa.array(unique))).read_all()
        if len(unique) == len(wanted) and np.array_equal(unique, wanted):
            return table
        # Arrow has no take kernel for string_view, which Vortex returns: reorder in Vortex.
        return vx.array(table).take(vx.array(pa.array(inverse))).to_arrow_table()

    def scan(self, path: str | os.PathLike, predicate: Filter) -> pa.Table:
        """The filter runs inside the Vortex scan (zone-map pruning, then the other columns)."""
        vxf = self._open(path)
        return vxf.to_arrow(expr=vortex_expr(predicate, vxf.dtype)).read_all()

    def iter_batches(self, path: str | os.PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """Vortex streams record batches of at most ``batch_size`` rows."""
        yield from self._open(path).to_arrow(batch_size=batch_size)

    def _open(self, path: str | os.PathLike) -> vortex.VortexFile:
        """Open lazily (reads the footer only); a foreign file becomes FormatReadError."""
        import vortex as vx

        if not exists(path):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(path))
        try:
            where, store = _store(path)
            return vx.open(where, store=store)
        except _READ_ERRORS as exc:
            raise FormatReadError(path, self.format, exc) from exc


def _write(table: pa.Table, path: str | os.PathLike, codec: str) -> None:
    """One Vortex write with the profile ``codec`` names."""
    from vortex.io import VortexWriteOptions

    options = VortexWriteOptions.compact() if codec == "compact" else VortexWriteOptions.default()
    where, store = _store(path)
    options.write(table, where, store=store)


def _store(path: str | os.PathLike) -> tuple[str, Any]:
    """(path, store) for vortex: a vortex.store.S3Store over the bucket for a remote file."""
    if not isinstance(path, RemoteFile):
        return str(path), None
    import vortex.store as vs

    bucket, _, key = path.uri.removeprefix("s3://").partition("/")
    config = dict(path.storage_options)
    allow_http = config.pop("aws_allow_http", "false") == "true"
    store = vs.S3Store.from_url(
        f"s3://{bucket}/", config=config, client_options={"allow_http": allow_http}
    )
    return key, store


def _reason(exc: BaseException) -> str:
    """The first line of a Vortex error: the rest is a Rust backtrace when RUST_BACKTRACE is set."""
    # For an Arrow type it cannot map, write only says it wanted an ArrayIterator.
    text = first_line(exc)
    if isinstance(exc, TypeError) and "ArrayIterator" in text:
        return "Arrow type not supported by Vortex"
    return text


def vortex_expr(predicate: Filter, dtype: vortex.DType) -> vortex.expr.Expr:
    """The filter as a vortex.expr comparison, with Arrow's answer for NaN."""
    import vortex.expr as ve

    fields = dict(zip(dtype.names(), dtype.fields(), strict=True))
    field = fields.get(predicate.column)
    column, literal = _operands(predicate, field)
    build: Callable[[Any, Any], vortex.expr.Expr] = getattr(ve, _OPS[predicate.op])
    expr = build(column, literal)
    if field is not None and predicate.op in (">", ">=") and _is_float(field):
        # Vortex orders NaN above every number (NaN == NaN), so x > v keeps NaN where Arrow
        # drops it; excluding NaN inside the expression keeps the whole scan pushed down.
        expr = ve.and_(expr, ve.not_eq(ve.column(predicate.column), ve.literal(field, math.nan)))
    return expr


def _operands(predicate: Filter, field: vortex.DType | None) -> tuple[Any, Any]:
    """Typed literal when the value fits the column, else the column cast up, as Arrow does."""
    # Vortex needs both sides of one dtype, and a literal built with the column's dtype is
    # truncated silently (``id < literal(i64, 10.5)`` means ``id < 10``), so check first.
    import vortex as vx
    import vortex.expr as ve

    value = predicate.value.item() if isinstance(predicate.value, np.generic) else predicate.value
    column = ve.column(predicate.column)
    if field is None:
        return column, value  # let Vortex name the missing column
    if fits(value, field.to_arrow_type()):
        return column, ve.literal(field, value)
    return ve.cast(column, vx.DType.from_arrow(pa.scalar(value).type)), value


def _is_float(field: vortex.DType) -> bool:
    """Whether a Vortex column holds floating-point numbers (and so may hold NaN)."""
    return pa.types.is_floating(field.to_arrow_type())


def fits(value: Any, type_: pa.DataType) -> bool:
    """Whether ``value`` survives conversion to ``type_`` unchanged (0.1 in float32 does not)."""
    try:
        return pa.scalar(value, type_).as_py() == value
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        return False
