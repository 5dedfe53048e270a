"""Binary serialisations of Python objects: MessagePack rows and pickled Arrow tables.

Also the small helpers the row formats share (Avro imports them): decoding many small
Python containers is where these adapters spend their time, so the cyclic GC is paused
around it, as msgpack's own "Performance tips" advise.

Pickle safety note: ``pickle.load`` runs whatever the file tells it to. The pickle adapter
is only meant to load files it wrote itself in the benchmark's work directory; its
unpickler refuses every global outside ``pyarrow``, which stops the classic ``os.system``
payloads but is no sandbox. Never point it at a file from somewhere else.
"""

from __future__ import annotations

import gc
import itertools
import os
import pickle
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

from formats.base import (
    FormatAdapter,
    FormatError,
    FormatReadError,
    UnsupportedType,
    open_binary,
    removing_on_error,
)
from formats.registry import register

#: Rows per to_pylist chunk when writing MessagePack (bounds the Python objects alive).
_WRITE_BATCH = 65_536
#: Rows decoded per batch by read(): small enough that each batch's objects stay in cache.
_READ_BATCH = 8_192


# -- shared helpers ------------------------------------------------------------------
@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic GC: it would rescan every new row container, for no garbage."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def read_errors(path: str | os.PathLike, format_name: str) -> Iterator[None]:
    """Turn any library failure while decoding into FormatReadError naming file and format."""
    try:
        yield
    except (FormatError, OSError):
        raise  # our own errors, and a missing/unreadable file, are already precise
    except Exception as exc:  # decoders raise anything on garbage: ValueError, EOFError, ...
        raise FormatReadError(path, format_name, exc) from exc


def is_list_like(t: pa.DataType) -> bool:
    """Variable, large and fixed-size lists: each value is a Python list after to_pylist."""
    return pa.types.is_list(t) or pa.types.is_large_list(t) or pa.types.is_fixed_size_list(t)


def maps_as_dicts(t: pa.DataType) -> Callable[[Any], Any] | None:
    """A converter turning Arrow map values ((key, value) pairs) into dicts, None if no map."""
    if pa.types.is_map(t):
        inner = maps_as_dicts(t.item_type)
        if inner is None:
            return lambda v: None if v is None else dict(v)
        return lambda v: None if v is None else {k: inner(x) for k, x in v}
    if is_list_like(t):
        inner = maps_as_dicts(t.value_type)
        return None if inner is None else (lambda v: None if v is None else list(map(inner, v)))
    if pa.types.is_struct(t):
        fixers = {f.name: fix for f in t if (fix := maps_as_dicts(f.type))}
        if not fixers:
            return None
        return lambda v: None if v is None else {**v, **{k: f(v[k]) for k, f in fixers.items()}}
    return None


# -- MessagePack ---------------------------------------------------------------------
_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}
_MSGPACK_LEAVES = (pa.types.is_null, pa.types.is_boolean, pa.types.is_integer, pa.types.is_string)
_MSGPACK_LEAVES += (pa.types.is_large_string, pa.types.is_binary, pa.types.is_large_binary)
_MSGPACK_LEAVES += (pa.types.is_fixed_size_binary,)


def _msgpack_problem(t: pa.DataType) -> str | None:
    """Why msgpack's nil/bool/int/float/str/bin/array/map cannot hold ``t``; None if they can."""
    if pa.types.is_dictionary(t) or is_list_like(t):
        return _msgpack_problem(t.value_type)
    if pa.types.is_struct(t):
        return next((p for f in t if (p := _msgpack_problem(f.type))), None)
    if pa.types.is_map(t):
        if not (pa.types.is_string(t.key_type) or pa.types.is_large_string(t.key_type)):
            return "map keys must be strings: msgpack maps read back as Arrow structs"
        return _msgpack_problem(t.item_type)
    if pa.types.is_timestamp(t):
        return "timestamps are written as msgpack's timestamp extension in top-level columns only"
    if any(kind(t) for kind in _MSGPACK_LEAVES) or t in (pa.float32(), pa.float64()):
        return None
    return f"it has no {t} type; cast the column first (e.g. to string)"


def _msgpack_writer(field: pa.Field) -> Callable[[pa.Array], list]:
    """How one column becomes Python values msgpack packs; UnsupportedType if it cannot."""
    t = field.type
    if pa.types.is_timestamp(t):
        return _to_msgpack_timestamps
    problem = _msgpack_problem(t)
    if problem:
        raise UnsupportedType(field.name, t, "MessagePack", problem)
    fix = maps_as_dicts(t)
    return (lambda col: list(map(fix, col.to_pylist()))) if fix else (lambda col: col.to_pylist())


def _to_msgpack_timestamps(col: pa.Array) -> list:
    """Timestamps as msgpack's timestamp extension (seconds + nanoseconds; naive read as UTC)."""
    from msgpack import Timestamp

    per_second = _PER_SECOND[col.type.unit]
    scale = 1_000_000_000 // per_second
    ints = col.cast(pa.int64()).to_pylist()  # the epoch count; skips building datetimes
    return [None if v is None else Timestamp(v // per_second, v % per_second * scale) for v in ints]


def _from_msgpack_timestamps(values: Sequence[Any]) -> pa.Array:
    """msgpack Timestamps as UTC nanoseconds, or microseconds when nanoseconds would overflow."""
    ns = [None if v is None else v.seconds * 1_000_000_000 + v.nanoseconds for v in values]
    try:
        return pa.array(ns, pa.timestamp("ns", "UTC"))
    except (OverflowError, pa.ArrowInvalid):
        us = [None if v is None else v.seconds * 1_000_000 + v.nanoseconds // 1000 for v in values]
        return pa.array(us, pa.timestamp("us", "UTC"))


def _to_arrow(values: Sequence[Any], timestamp_cls: type) -> pa.Array:
    """One column inferred from its values: msgpack carries no schema, so Arrow guesses."""
    first = next((v for v in values if v is not None), None)
    if isinstance(first, timestamp_cls):
        return _from_msgpack_timestamps(values)
    try:
        return pa.array(values)
    except OverflowError:  # ints above 2**63-1: only uint64 holds them
        return pa.array(values, pa.uint64())


def _rows_to_batch(names: list[str], rows: list[Sequence[Any]]) -> pa.RecordBatch:
    """Row arrays transposed (zip, in C; strict: a short row is an error) into Arrow columns."""
    from msgpack import Timestamp

    columns = list(zip(*rows, strict=True)) if rows and names else [() for _ in names]
    arrays = [_to_arrow(c, Timestamp) for c in columns]
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _packed_rows(packer: Any, writers: list[Callable], batch: pa.RecordBatch) -> bytes:
    """A batch as consecutive msgpack arrays, one per row."""
    columns = [w(c) for w, c in zip(writers, batch.columns, strict=True)]
    rows = zip(*columns, strict=False) if columns else itertools.repeat((), batch.num_rows)
    return b"".join(map(packer.pack, rows))


def _open_msgpack(fo: Any) -> tuple[Any, list[str], int | None]:
    """An Unpacker positioned after the header, the column names and the promised row count."""
    import msgpack

    unpacker = msgpack.Unpacker(fo, use_list=False, timestamp=0, strict_map_key=False)
    header = next(unpacker, None)
    if not (isinstance(header, dict) and isinstance(header.get("columns"), (list, tuple))):
        raise ValueError("no {'columns': [...], 'rows': n} header map at the start")
    return unpacker, list(header["columns"]), header.get("rows")


def _check_count(seen: int, promised: int | None) -> None:
    """A truncated stream decodes silently to fewer rows; the header's count catches it."""
    if promised is not None and seen != promised:
        raise ValueError(f"header promises {promised} rows, the file holds {seen} (truncated?)")


@register
class Msgpack(FormatAdapter):
    """MessagePack: a header map ``{"columns": [...], "rows": n}`` then one array per row.

    Why this layout, rather than a stream of row maps: measured on 200k mixed rows it is
    40% smaller (keys are not repeated), 30% faster to write and as fast to read, and it
    still streams (one row object at a time). It is CSV's shape in msgpack's types.
    Reading infers each column's type from the values, as every schemaless reader must.
    """

    name = "msgpack"
    libraries = ("msgpack",)
    format = "MessagePack"
    engine = "msgpack"
    orientation = "row"
    encoding = "binary"
    codecs = ("none",)
    extension = "msgpack"
    append_refusal = "its header records the row count, which each append would rewrite"
    requires = ("msgpack",)
    extra = "msgpack"
    #: Rows are separate msgpack objects: the Unpacker yields them one at a time.
    native = frozenset({"iter_batches"})
    remote_access = frozenset({"file-object"})  # fsspec (s3fs) file objects

    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        """Header map, then rows packed from column lists zipped together."""
        self.resolve_codec(codec)
        writers = [_msgpack_writer(f) for f in table.schema]  # refuses before opening the file
        import msgpack

        packer = msgpack.Packer()
        with open_binary(path, "wb") as fo:
            fo.write(packer.pack({"columns": table.column_names, "rows": table.num_rows}))
            for batch in table.to_batches(max_chunksize=_WRITE_BATCH):
                fo.write(_packed_rows(packer, writers, batch))

    def write_batches(
        self,
        schema: pa.Schema,
        batches: Iterable[pa.RecordBatch],
        path: str | os.PathLike,
        codec: str | None = None,
    ) -> None:
        """The same file as ``write``; the header's row count is patched in at the end."""
        self.resolve_codec(codec)
        writers = [_msgpack_writer(f) for f in schema]
        import msgpack

        packer = msgpack.Packer()
        # the count as a fixed-width uint64 (0xcf + 8 bytes) so it can be rewritten in place;
        # msgpack readers accept a wider encoding than the minimal one
        head = packer.pack_map_header(2) + packer.pack("columns") + packer.pack(schema.names)
        head += packer.pack("rows") + b"\xcf"
        rows = 0
        with removing_on_error(path), open(path, "wb") as fo:
            fo.write(head + rows.to_bytes(8, "big"))
            for batch in batches:
                fo.write(_packed_rows(packer, writers, batch))
                rows += batch.num_rows
            fo.seek(len(head))
            fo.write(rows.to_bytes(8, "big"))

    def read(self, path: str | os.PathLike) -> pa.Table:
        """Decoded in batches (measured 40% faster than all rows at once), types unified after."""
        with read_errors(path, self.format), open_binary(path, "rb") as fo:
            unpacker, names, promised = _open_msgpack(fo)
            batches = list(_msgpack_batches(unpacker, names, promised, _READ_BATCH))
            if not batches:
                return pa.Table.from_batches([_rows_to_batch(names, [])])
            try:
                return pa.concat_tables(
                    [pa.Table.from_batches([b]) for b in batches], promote_options="permissive"
                )
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                pass  # batches inferred clashing types (say int64 and uint64): infer once instead
        return self._read_at_once(path)

    def _read_at_once(self, path: str | os.PathLike) -> pa.Table:
        """Every row decoded, then each column inferred from all its values."""
        with read_errors(path, self.format), open_binary(path, "rb") as fo:
            unpacker, names, promised = _open_msgpack(fo)
            with gc_paused():
                rows = list(unpacker)
                _check_count(len(rows), promised)
                batch = _rows_to_batch(names, rows)
                del rows  # freed while paused, or the GC would trace every row on resuming
            return pa.Table.from_batches([batch])

    def iter_batches(self, path: str | os.PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """Stream ``batch_size`` rows at a time (types are inferred per batch)."""
        with read_errors(path, self.format), open_binary(path, "rb") as fo:
            unpacker, names, promised = _open_msgpack(fo)
            yield from _msgpack_batches(unpacker, names, promised, batch_size)


def _msgpack_batches(
    unpacker: Any, names: list[str], promised: int | None, size: int
) -> Iterator[pa.RecordBatch]:
    """Batches of ``size`` rows, GC paused while each decodes; the row count checked at the end."""
    seen = 0
    while True:
        with gc_paused():
            rows = list(itertools.islice(unpacker, size))
            batch = _rows_to_batch(names, rows) if rows else None
            del rows
        if batch is None:
            break
        seen += batch.num_rows
        yield batch
    _check_count(seen, promised)


# -- Pickle --------------------------------------------------------------------------
class _ArrowOnlyUnpickler(pickle.Unpickler):
    """Resolves only pyarrow globals: a table this adapter pickled needs nothing else."""

    def find_class(self, module: str, name: str) -> Any:
        """Refuse every global outside pyarrow."""
        if module == "pyarrow" or module.startswith("pyarrow."):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"global {module}.{name} refused: not a pickled Arrow table")


def _compacted(table: pa.Table) -> pa.Table:
    """A sliced table copied to its own buffers: pyarrow pickles a slice's whole parent buffers."""
    before = table.columns
    columns = [_own_buffers(c) for c in before]
    if all(new is old for new, old in zip(columns, before, strict=True)):
        return table
    return pa.table(columns, schema=table.schema)


def _own_buffers(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """The column itself, or a copy when its buffers hold more than its rows need.

    The 1 KiB per chunk of slack absorbs the few bytes ``nbytes`` leaves out (the extra
    offset of string and list arrays), so unsliced columns are never copied.
    """
    if column.get_total_buffer_size() <= column.nbytes + 1024 * column.num_chunks:
        return column
    return pa.chunked_array([pa.concat_arrays(column.chunks)], column.type)


#: (device, inode, mtime) of every pickle written by this process: the only ones read back.
_WRITTEN_HERE: set[tuple[int, int, int]] = set()


def _identity(path: str | os.PathLike) -> tuple[int, int, int]:
    """The file's identity; a file replaced after writing (new inode or mtime) is foreign."""
    try:
        st = os.stat(path)
    except OSError:
        return (-1, -1, -1)
    return (st.st_dev, st.st_ino, st.st_mtime_ns)


@register
class Pickle(FormatAdapter):
    """The pyarrow Table itself, pickled with protocol 5.

    Why the Arrow table and not a pandas DataFrame or ``to_pydict()``: pickling the object
    you hold is how people pickle data, and here that object is the Arrow table. Protocol
    5 writes its column buffers nearly as a memcpy (12.7 MB in ~5 ms for 200k mixed rows);
    a DataFrame would time pandas conversions and change types, and ``to_pydict`` is ~100x
    slower. Orientation is "column" because the bytes on disk are Arrow's column buffers.
    """

    name = "pickle"
    #: advice leaves it out unless --allow-unsafe
    unsafe = "Python-only, and loading a pickle runs arbitrary code (allow with --allow-unsafe)"
    format = "Pickle"
    engine = "pickle"
    orientation = "column"
    encoding = "binary"
    codecs = ("none",)
    extension = "pkl"
    append_refusal = "a pickle is one object, loaded and written whole"

    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        """``pickle.dump(table, protocol=5)``, after compacting a slice to its own rows."""
        self.resolve_codec(codec)
        with open(path, "wb") as fo:
            pickle.dump(_compacted(table), fo, protocol=5)
        _WRITTEN_HERE.add(_identity(path))

    def adopt_written(self, path: str | os.PathLike) -> None:
        """The run's parent process wrote ``path``: unpickling it is as safe as our own."""
        _WRITTEN_HERE.add(_identity(path))

    def read(self, path: str | os.PathLike) -> pa.Table:
        """Unpickle (pyarrow globals only) a file this process wrote; refuse any other."""
        if _identity(path) not in _WRITTEN_HERE:
            raise FormatReadError(
                path, self.format, "fmtbench only unpickles files it wrote in this run "
                "(loading a pickle runs code); convert your data to Parquet instead",
            )  # fmt: skip
        with read_errors(path, self.format), open(path, "rb") as fo:
            obj = _ArrowOnlyUnpickler(fo).load()
        if not isinstance(obj, pa.Table):
            raise FormatReadError(
                path, self.format, f"it holds a {type(obj).__name__}, not a pyarrow Table"
            )
        return obj
