"""The adapter contract: one small class per (format, engine), Arrow table in, Arrow table out.

Every format pays for the same journey (a ``pyarrow.Table`` to a file and back), so
timings are comparable. The base class supplies *emulated* access patterns (read
everything, then select); an adapter overrides a method only when its library can do
better, and lists that method in ``native`` so results say which one was measured.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, runtime_checkable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from formats.errors import (  # noqa: F401  (re-exported: the contract's errors)
    CannotWriteIncrementally,
    FormatError,
    FormatReadError,
    UnsupportedAppend,
    UnsupportedCodec,
    UnsupportedOption,
    UnsupportedType,
)
from formats.refusals import guard_write

if TYPE_CHECKING:
    from formats.appenders import Appender
    from formats.multifile import DatasetIO

#: Ways a dataset grows by small writes: a true append to one growing file or dataset; a
#: long-lived writer flushing a row group per batch (readable only once closed); or one
#: new file per batch in a directory (how immutable formats are "appended" to).
APPEND_MODES = ("append", "row-group-per-batch", "file-per-batch")

#: Access patterns an adapter may implement natively (skipping data it does not need).
ACCESS_PATTERNS = ("read_columns", "take", "scan", "iter_batches", "iter_rows")

_OPS = {
    "==": "equal",
    "!=": "not_equal",
    "<": "less",
    "<=": "less_equal",
    ">": "greater",
    ">=": "greater_equal",
}


@dataclass(frozen=True)
class Availability:
    """Whether an adapter can run here, and if not, why and what to install."""

    ok: bool
    reason: str = ""


@dataclass(frozen=True)
class Option:
    """One layout knob an adapter accepts (row group size, compression level, ...).

    Declared by the adapter, read everywhere else: the CLI parses ``--option K=V`` with
    ``parse``, the suite checks values with ``check``, ``fmtbench formats --json`` lists
    ``describe``. ``default`` is what the adapter uses when the run does not set it.
    """

    default: Any
    kind: type = int  # int, float, bool or str
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    help: str = ""

    def allowed(self) -> str:
        """The allowed values in words, for error messages and listings."""
        if self.choices is not None:
            return ", ".join(map(str, self.choices))
        lo = "" if self.minimum is None else f">= {self.minimum:g}"
        hi = "" if self.maximum is None else f"<= {self.maximum:g}"
        bound = " and ".join(b for b in (lo, hi) if b)
        return f"{self.kind.__name__}{' ' + bound if bound else ''}"

    def parse(self, text: str) -> Any:
        """A command-line string as this option's type (ValueError when it is not)."""
        if text.strip().lower() in ("none", "default") and self.default is None:
            return None
        if self.kind is bool:
            low = text.strip().lower()
            if low not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError(f"{text!r} is not true or false")
            return low in ("true", "1", "yes")
        if self.kind is int:
            return int(float(text.replace("_", ""))) if text.strip() else int(text)
        return self.kind(text)

    def check(self, value: Any) -> Any:
        """``value`` if allowed, else ValueError saying what is allowed."""
        if value is None and self.default is None:
            return None  # None: leave the library's own default in force
        if self.choices is not None and value not in self.choices:
            raise ValueError(f"{value!r} is not one of {self.allowed()}")
        widened = self.kind is float and isinstance(value, int)
        wrong_bool = self.kind is not bool and isinstance(value, bool)
        if self.choices is None and (wrong_bool or not (isinstance(value, self.kind) or widened)):
            raise ValueError(f"{value!r} is not {self.kind.__name__}")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"{value!r} is below {self.minimum:g}")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"{value!r} is above {self.maximum:g}")
        return value

    def describe(self) -> dict[str, Any]:
        """JSON-ready description: default, type, allowed values, help."""
        return {
            "default": self.default,
            "type": self.kind.__name__,
            "allowed": self.allowed(),
            "help": self.help,
        }


@dataclass(frozen=True)
class Filter:
    """A one-column predicate, ``column op value``, that every adapter can translate.

    Kept this small on purpose: each library has its own expression language (Arrow
    compute, Lance SQL, Vortex expressions), and one comparison is what the scan
    benchmark needs to control selectivity.
    """

    column: str
    op: str
    value: Any

    def __post_init__(self) -> None:
        if self.op not in _OPS:
            raise ValueError(f"unknown filter operator {self.op!r}; use one of {', '.join(_OPS)}")

    def to_arrow(self) -> pc.Expression:
        """The predicate as a pyarrow compute expression (datasets, Table.filter, Lance)."""
        return getattr(pc, _OPS[self.op])(pc.field(self.column), pc.scalar(self.value))

    def to_sql(self) -> str:
        """The predicate as an SQL-ish string, for engines that parse text filters."""
        value = self.value
        if isinstance(value, str):
            literal = "'" + value.replace("'", "''") + "'"
        elif isinstance(value, np.generic):
            literal = repr(value.item())
        else:
            literal = repr(value)
        op = "=" if self.op == "==" else self.op
        return f"{self.column} {op} {literal}"


@runtime_checkable
class RemoteFile(Protocol):
    """A file on object storage, handed to an adapter where it would get a path.

    benchmarks/storage's ``Location`` implements it; an adapter that lists a way in
    ``remote_access`` takes what its engine speaks from it and never learns the store:
    ``"arrow-fs"``: ``filesystem`` (pyarrow) + ``fs_path``; ``"uri"``: ``uri`` +
    ``storage_options`` (object_store keys); ``"file-object"``: ``open_input``/``open_output``.
    """

    uri: str
    fs_path: str
    name: str

    @property
    def filesystem(self) -> Any: ...

    @property
    def storage_options(self) -> dict[str, str]: ...

    def open_input(self) -> Any: ...

    def open_output(self) -> Any: ...

    def size(self) -> int: ...

    def exists(self) -> bool: ...

    def remove(self) -> None: ...


def arrow_where(path: str | os.PathLike | RemoteFile) -> tuple[str, Any]:
    """(path, filesystem) for pyarrow calls that take ``filesystem=``; None on local disk."""
    if isinstance(path, RemoteFile):
        return path.fs_path, path.filesystem
    return os.fspath(path), None


def arrow_input(path: str | os.PathLike | RemoteFile, memory_map: bool = False) -> Any:
    """What a pyarrow reader opens: a (mapped) local file, or the remote filesystem's file."""
    if isinstance(path, RemoteFile):
        return path.filesystem.open_input_file(path.fs_path)
    return pa.memory_map(os.fspath(path)) if memory_map else pa.OSFile(os.fspath(path))


def arrow_output(path: str | os.PathLike | RemoteFile) -> Any:
    """What a pyarrow writer writes to: a local file, or the remote filesystem's stream."""
    if isinstance(path, RemoteFile):
        return path.filesystem.open_output_stream(path.fs_path)
    return pa.OSFile(os.fspath(path), "wb")


def open_binary(path: str | os.PathLike | RemoteFile, mode: str = "rb") -> Any:
    """A Python file object for Python-only libraries: local ``open``, or fsspec's (s3fs)."""
    if isinstance(path, RemoteFile):
        return path.open_input() if mode == "rb" else path.open_output()
    return open(path, mode)


def exists(path: str | os.PathLike | RemoteFile) -> bool:
    """Whether a local path or a remote file is there."""
    return path.exists() if isinstance(path, RemoteFile) else os.path.exists(path)


def path_bytes(path: str | os.PathLike) -> int:
    """Bytes on disk of a file, or of every file under a directory (Lance writes directories)."""
    if isinstance(path, RemoteFile):
        return path.size()
    p = Path(path)
    if p.is_dir():
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())
    return p.stat().st_size


def remove_path(path: str | os.PathLike) -> None:
    """Delete a benchmark output, file or directory, if it exists."""
    import shutil

    if isinstance(path, RemoteFile):
        return path.remove()
    p = Path(path)
    if p.is_dir():
        shutil.rmtree(p)
    elif p.exists() or p.is_symlink():
        p.unlink()


def _importable(module: str) -> bool:
    """Whether ``module`` can be found; a missing parent package counts as missing."""
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


class FormatAdapter:
    """One storage format through one library: see docs/ARCHITECTURE.md "Facts on the adapter"."""

    name: ClassVar[str]
    format: ClassVar[str]
    engine: ClassVar[str]
    orientation: ClassVar[Literal["row", "column"]]
    encoding: ClassVar[Literal["text", "binary"]]
    codecs: ClassVar[tuple[str, ...]] = ("none",)
    extension: ClassVar[str]
    #: Modules that must import for the adapter to run, and the extra that installs them.
    requires: ClassVar[tuple[str, ...]] = ()
    extra: ClassVar[str | None] = None
    #: Access patterns (from ACCESS_PATTERNS) this adapter implements natively.
    native: ClassVar[frozenset[str]] = frozenset()
    #: True when the "file" is a directory (Lance); cache eviction walks it.
    writes_directory: ClassVar[bool] = False
    #: Whether ``fmtbench run`` without --formats includes it: every format's best-known
    #: engine plus the reference engines; ``--formats all`` runs every adapter.
    in_default_run: ClassVar[bool] = True
    #: Layout knobs this adapter accepts, name -> Option; the run sweeps them (--option).
    option_specs: ClassVar[dict[str, Option]] = {}
    #: The adapter whose writer makes the file this one's read benchmarks read, so every
    #: engine of a format reads the same bytes (None: this adapter's own writer).
    prepared_by: ClassVar[str | None] = None
    #: APPEND_MODES this adapter offers (open_appender); empty: it cannot append, and
    #: ``append_refusal`` says why (the append cases are skipped with that reason).
    append_modes: ClassVar[tuple[str, ...]] = ()
    append_refusal: ClassVar[str] = "fmtbench has no appender for this adapter"
    #: How a read's result becomes Arrow: "native" (the library builds Arrow itself),
    #: "zero-copy" (an engine's own buffers handed over), "copy" (converted into new ones).
    arrow_handover: ClassVar[str] = "native"
    #: How the adapter reaches object storage (see RemoteFile); empty: local disk only.
    remote_access: ClassVar[frozenset[str]] = frozenset()
    #: Why it cannot, when that is known (shown as the skip reason of remote cases).
    remote_refusal: ClassVar[str] = ""

    # -- facts the rest of fmtbench reads from here, never from a table keyed by name ------
    # (docs/ARCHITECTURE.md "Facts on the adapter"; formats/families.py shares a format's)
    #: PyPI distributions whose versions results record (machine_info.libraries).
    libraries: ClassVar[tuple[str, ...]] = ()
    #: Other tools that read this format out of the box (keys of
    #: benchmarks/analysis/recommend.TOOLS); universality = 1 + len(readers).
    readers: ClassVar[frozenset[str]] = frozenset()
    #: Why loading this format runs code (pickle), so advice excludes it; "" when safe.
    unsafe: ClassVar[str] = ""
    #: File suffixes ``--data FILE`` loads with this adapter (".csv"); () for none.
    data_suffixes: ClassVar[tuple[str, ...]] = ()
    #: What such a ``--data`` file is called in messages and results ("" : ``format``).
    data_label: ClassVar[str] = ""
    #: Dask's own writer and reader for the format ("parquet", "csv", "json", "orc");
    #: None: a cluster run maps this adapter over the partitions.
    dask_format: ClassVar[str | None] = None
    #: Environment variables that size the engine's thread pool at start-up; the runner
    #: sets them to the case's --threads in the worker process.
    thread_env: ClassVar[tuple[str, ...]] = ()
    #: Allowed ratio of the suite's timing to a direct library call (scripts/compare_direct).
    overhead_limit: ClassVar[float] = 1.25

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every ``write`` an adapter defines turns a library's crash on one column into
        UnsupportedType naming it (formats/refusals.py: one place, no adapter does it)."""
        super().__init_subclass__(**kwargs)
        if "write" in cls.__dict__:
            write = guard_write(cls.__dict__["write"], remove_path)
            cls.write = write  # type: ignore[method-assign]

    def refusal_reason(self, exc: BaseException) -> str:
        """The hint of an UnsupportedType made from a library's error: its first line."""
        return first_line(exc)

    def __init__(self, options: dict[str, Any] | None = None, **option_values: Any) -> None:
        #: The knob values in force for this instance: every declared option, defaults
        #: filled in. Methods read ``self.options[...]``; results record it.
        #: ``Adapter(row_group_size=10)`` is shorthand for ``Adapter({"row_group_size": 10})``.
        self.options: dict[str, Any] = self.resolve_options({**(options or {}), **option_values})
        #: What the last take/scan/read_columns actually touched, when the library can tell:
        #: keys among ``bytes_read``, ``row_groups_read``, ``row_groups_total``. Adapters that
        #: know fill it; the suite copies it into the results (issue: "bytes_read where known").
        self.last_io: dict[str, int] = {}
        #: The schema of the data the file was written from, when the caller knows it
        #: (``know_source``); readers that need types from outside (text) use it.
        self.source_schema: pa.Schema | None = None

    @classmethod
    def resolve_options(cls, given: dict[str, Any]) -> dict[str, Any]:
        """Defaults overlaid with ``given``; UnsupportedOption for unknown names or values."""
        resolved = {name: spec.default for name, spec in cls.option_specs.items()}
        for name, value in given.items():
            spec = cls.option_specs.get(name)
            if spec is None:
                known = ", ".join(cls.option_specs) or "none"
                raise UnsupportedOption(f"{cls.name} has no option '{name}'; its options: {known}")
            try:
                resolved[name] = spec.check(value)
            except ValueError as exc:
                raise UnsupportedOption(
                    f"{cls.name} option {name}={value!r}: {exc}; allowed: {spec.allowed()}"
                ) from None
        return resolved

    def know_source(self, table: pa.Table) -> dict[str, Any]:
        """Tell the reader what a user who knows the data would (its schema, and for text
        formats facts such as "no value holds a newline"), before anything is timed.

        Returns the options it decided from the data (already in ``self.options``).
        """
        self.source_schema = table.schema
        return {}

    def adopt_written(self, path: str | os.PathLike) -> None:
        """``path`` was written by this run in another of its processes (a memory probe reads
        the parent's file); an adapter that reads only its own files accepts it."""

    def available(self) -> Availability:
        """Whether the libraries this adapter needs import here; if not, the install hint."""
        missing = [m for m in self.requires if not _importable(m)]
        if not missing:
            return Availability(True)
        hint = f"pip install 'fmtbench[{self.extra}]'" if self.extra else "pip install fmtbench"
        return Availability(False, f"missing module {', '.join(missing)}; {hint}")

    def available_codecs(self) -> tuple[str, ...]:
        """The codecs usable here (an adapter may drop ones whose library is missing)."""
        return self.codecs

    def resolve_codec(self, codec: str | None) -> str:
        """The codec to use: the default when None; UnsupportedCodec when not offered."""
        offered = self.available_codecs()
        if codec is None:
            return offered[0]
        if codec not in offered:
            raise UnsupportedCodec(
                f"{self.name} does not support codec '{codec}'; choose from {', '.join(offered)}"
            )
        return codec

    @classmethod
    def facts(cls) -> dict[str, Any]:
        """The declared facts, JSON-ready. Results files record them per adapter, so a
        report read where the adapter is not installed still knows its universality and
        whether it is unsafe; ``fmtbench formats --json`` lists them."""
        return {
            "libraries": list(cls.libraries),
            "readers": sorted(cls.readers),
            "unsafe": cls.unsafe,
            "data_suffixes": list(cls.data_suffixes),
        }

    def dataset_io(self) -> DatasetIO | None:
        """This engine's multi-file dataset writer and reader (formats/multifile.py), or
        None: ``--files``/``--partition-by`` cases are skipped for it with that reason."""
        return None

    def is_native(self, operation: str) -> bool:
        """Whether ``operation`` skips data natively or is emulated by read-then-select."""
        return operation in self.native

    def file_name(self, stem: str, codec: str | None = None) -> str:
        """The output name for a dataset stem, e.g. ``mixed.zstd.parquet``."""
        codec = self.resolve_codec(codec)
        return f"{stem}.{codec}.{self.extension}"

    # -- the operations -------------------------------------------------------------
    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        """Write ``table`` to ``path`` with ``codec`` (None means the default)."""
        raise NotImplementedError

    def write_batches(
        self,
        schema: pa.Schema,
        batches: Iterable[pa.RecordBatch],
        path: str | os.PathLike,
        codec: str | None = None,
    ) -> None:
        """Write a stream of batches with one batch in memory at a time (bounded memory).

        Only adapters whose library can append to an open file override this.
        """
        raise CannotWriteIncrementally(self.name)

    def writes_incrementally(self) -> bool:
        """Whether ``write_batches`` is implemented (a stream run skips the others)."""
        return type(self).write_batches is not FormatAdapter.write_batches

    def read(self, path: str | os.PathLike) -> pa.Table:
        """Read the whole file back into an Arrow table."""
        raise NotImplementedError

    def read_columns(self, path: str | os.PathLike, columns: Sequence[str]) -> pa.Table:
        """Read only ``columns`` (emulated: read everything, then select)."""
        return self.read(path).select(list(columns))

    def take(self, path: str | os.PathLike, indices: Sequence[int] | np.ndarray) -> pa.Table:
        """Rows at ``indices``, in that order (emulated: read everything, then take)."""
        return self.read(path).take(pa.array(np.asarray(indices, dtype=np.int64)))

    def scan(self, path: str | os.PathLike, predicate: Filter) -> pa.Table:
        """Rows matching ``predicate`` (emulated: read everything, then filter)."""
        return self.read(path).filter(predicate.to_arrow())

    def iter_batches(self, path: str | os.PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """The file as record batches of at most ``batch_size`` rows (emulated: read all)."""
        yield from self.read(path).to_batches(max_chunksize=batch_size)

    def iter_column_batches(
        self, path: str | os.PathLike, column: str, batch_size: int
    ) -> Iterator[pa.RecordBatch]:
        """One column as batches (emulated: every column is decoded, then one is kept)."""
        for batch in self.iter_batches(path, batch_size):
            yield batch.select([column])

    def streams_columns_natively(self) -> bool:
        """Whether ``iter_column_batches`` skips the other columns."""
        return type(self).iter_column_batches is not FormatAdapter.iter_column_batches

    def iter_rows(self, path: str | os.PathLike) -> Iterator[dict[str, Any]]:
        """Every record as a dict (emulated: Arrow batches converted to Python rows).

        Row-oriented formats whose library hands out records directly (fastavro,
        msgpack) override this: it is the book's "row access" measured per format.
        """
        for batch in self.iter_batches(path, 65_536):
            yield from batch.to_pylist()

    # -- appends (the logging workload) ----------------------------------------------
    def open_appender(
        self, path: str | os.PathLike, schema: pa.Schema, mode: str, codec: str | None = None
    ) -> Appender:
        """An object whose ``append(table)`` adds rows to ``path`` and ``close()`` finishes.

        ``file-per-batch`` works for any adapter (``write`` into a directory); the other
        modes are the adapter's own ``_appender``. UnsupportedAppend when not offered.
        """
        if mode not in self.append_modes:
            offered = ", ".join(self.append_modes)
            why = f"offers {offered}" if offered else self.append_refusal
            raise UnsupportedAppend(f"{self.name} cannot append with mode '{mode}': {why}")
        codec = self.resolve_codec(codec)
        if mode == "file-per-batch":
            from formats.appenders import FilePerBatch

            return FilePerBatch(self, path, codec)
        return self._appender(path, schema, mode, codec)

    def _appender(
        self, path: str | os.PathLike, schema: pa.Schema, mode: str, codec: str
    ) -> Appender:
        """The adapter's own appender for ``mode`` (overridden where append_modes lists one)."""
        raise NotImplementedError

    def read_appended(
        self, path: str | os.PathLike, mode: str, columns: Sequence[str] | None = None
    ) -> pa.Table:
        """What an appender wrote, back as one table (file-per-batch: the parts in order)."""
        if mode != "file-per-batch":
            return self.read(path) if columns is None else self.read_columns(path, columns)
        parts = sorted(Path(path).iterdir())
        read = self.read if columns is None else lambda p: self.read_columns(p, columns)
        return pa.concat_tables([read(p) for p in parts])

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


def regroup(batches: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.Table]:
    """Tables of exactly ``rows`` rows (the last may be shorter) from batches of any size.

    Lets a streaming writer keep its configured row-group size whatever the source's
    batching, holding at most one group (plus one batch) in memory.
    """
    pending: list[pa.RecordBatch] = []
    held = 0
    for batch in batches:
        while batch.num_rows:
            part = batch.slice(0, rows - held)
            pending.append(part)
            held += part.num_rows
            batch = batch.slice(part.num_rows)
            if held == rows:
                yield pa.Table.from_batches(pending)
                pending, held = [], 0
    if pending:
        yield pa.Table.from_batches(pending)


def removing_on_error(path: str | os.PathLike) -> Any:
    """Context manager: a failed streaming write leaves no partial file behind."""
    import contextlib

    @contextlib.contextmanager
    def guard() -> Iterator[None]:
        try:
            yield
        except BaseException:
            remove_path(path)
            raise

    return guard()


def first_line(exc: BaseException) -> str:
    """The first line of an error: Rust-backed libraries append locations and backtraces."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def check_types(table: pa.Table, format_name: str, allowed: Any) -> None:
    """Raise UnsupportedType for the first column whose type ``allowed(type)`` rejects."""
    for field in table.schema:
        if not allowed(field.type):
            raise UnsupportedType(field.name, field.type, format_name)
