"""DuckDB, embedded in-process: Parquet, CSV, JSON Lines and a JSON array through one engine.

Writes are ``COPY (SELECT * FROM arrow_table) TO path``; reads are ``read_parquet`` /
``read_csv`` / ``read_json`` with the projection and the filter in the SQL, so DuckDB
pushes them into its scan. Results leave DuckDB through ``to_arrow_table()``, which
converts DuckDB's vectors into new Arrow buffers: the hand-over is a copy (recorded as
``arrow_handover``), unlike pyarrow whose readers produce Arrow themselves.

One connection (one in-memory database) per adapter instance, as a DuckDB user keeps one:
a connection per call measured about 20-30 ms more per read on this machine kind, which
is DuckDB starting a database, not reading a format. Only extensions the wheel ships
loaded are used (nothing can be downloaded); a missing one makes the adapter unavailable.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa

from formats import source_hints
from formats.base import (
    Availability,
    Filter,
    FormatAdapter,
    FormatReadError,
    Option,
    UnsupportedOption,
    UnsupportedType,
)
from formats.families import CSV, JSON, JSON_LINES, PARQUET
from formats.registry import register

#: DuckDB's own row group size (rows), the value parquet-pyarrow also writes by default.
DUCKDB_ROW_GROUP_ROWS = 122_880
#: Leading bytes of the compressed streams COPY writes. DuckDB picks a reader's
#: decompression from the file name (.gz, .zst), and ours end in .csv/.jsonl, so we say it.
_MAGIC = {b"\x1f\x8b": "gzip", b"\x28\xb5\x2f\xfd": "zstd"}
#: fmtbench codec name -> DuckDB's COPY ... (COMPRESSION x) for Parquet.
_PARQUET_CODECS = {
    "snappy": "snappy",
    "zstd": "zstd",
    "gzip": "gzip",
    "none": "uncompressed",
    "lz4": "lz4_raw",
    "brotli": "brotli",
}


@functools.cache
def extension_loaded(name: str) -> bool:
    """Whether DuckDB extension ``name`` is built into this wheel or already installed.

    Asked once per process: ``available()`` is called for every adapter listing.
    """
    import duckdb

    with duckdb.connect() as con:
        row = con.execute(
            "SELECT loaded OR installed FROM duckdb_extensions() WHERE extension_name = ?",
            [name],
        ).fetchone()
    return bool(row and row[0])


def _quote(name: str) -> str:
    """An SQL identifier: column names may hold spaces, quotes or keywords."""
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    """An SQL string literal (paths, type names)."""
    return "'" + text.replace("'", "''") + "'"


def _compression_of(path: str | os.PathLike) -> str:
    """'gzip', 'zstd' or 'none', from the file's first bytes."""
    with open(path, "rb") as f:
        head = f.read(4)
    return next((codec for magic, codec in _MAGIC.items() if head.startswith(magic)), "none")


class DuckdbAdapter(FormatAdapter):
    """What the four DuckDB adapters share: the connection, COPY, the SQL reads, errors."""

    engine = "duckdb"
    libraries = ("duckdb",)
    encoding = "text"
    orientation = "row"
    requires = ("duckdb",)
    extra = "duckdb"
    arrow_handover = "copy"
    #: S3 needs the httpfs extension, which DuckDB downloads on first use: no network here.
    remote_refusal = "DuckDB's httpfs extension cannot be downloaded (no network)"
    #: The built-in extension the format needs (None: in DuckDB's core).
    duckdb_extension: ClassVar[str | None] = None

    def __init__(self, options: dict[str, Any] | None = None, **option_values: Any) -> None:
        super().__init__(options, **option_values)
        self._con: Any = None
        self._threads: int | None = None

    # -- engine ----------------------------------------------------------------------
    def available(self) -> Availability:
        """duckdb importable, and the format's extension shipped in the wheel."""
        status = super().available()
        ext = self.duckdb_extension
        if not status.ok or ext is None or extension_loaded(ext):
            return status
        return Availability(
            False, f"DuckDB extension '{ext}' is not built into this duckdb wheel and "
            "cannot be downloaded here; install a duckdb wheel that ships it",
        )  # fmt: skip

    @property
    def connection(self) -> Any:
        """This instance's DuckDB connection, opened on first use."""
        if self._con is None:
            import duckdb

            self._con = duckdb.connect()
            # results keep the instant whatever the machine's zone; Arrow says tz=UTC
            self._con.execute("SET TimeZone = 'UTC'")
            # its bar on stdout after 2 s of a query would be drawn inside the timed call
            self._con.execute("SET enable_progress_bar = false")
            self._apply_threads()
        return self._con

    def set_threads(self, threads: int | None) -> None:
        """DuckDB's worker threads for this adapter (``SET threads``); None: DuckDB's default
        (the machine's cores)."""
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be at least 1, got {threads}")
        self._threads = threads
        if self._con is not None:
            self._apply_threads()

    def _apply_threads(self) -> None:
        if self._threads is None:
            self._con.execute("RESET threads")
        else:
            self._con.execute(f"SET threads = {int(self._threads)}")

    # -- write -----------------------------------------------------------------------
    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        """COPY (SELECT * FROM the registered Arrow table) TO path; a refused type is named."""

        options = self.copy_options(self.resolve_codec(codec))
        self.refuse(table)
        self._copier(options)(table, path)

    def copy_options(self, codec: str) -> str:
        """The ``(FORMAT ..., ...)`` clause of COPY for ``codec``."""
        raise NotImplementedError

    def refuse(self, table: pa.Table) -> None:
        """Raise UnsupportedType for a column the format cannot hold (DuckDB would bend it)."""

    def _copier(self, options: str) -> Callable[[pa.Table, str | os.PathLike], None]:
        def copy(table: pa.Table, path: str | os.PathLike) -> None:
            con = self.connection
            con.register("fmtbench_source", table)  # a view over the Arrow table, no copy
            try:
                target = _literal(os.fspath(path))
                con.execute(f"COPY (SELECT * FROM fmtbench_source) TO {target} {options}")
            finally:
                con.unregister("fmtbench_source")

        return copy

    # -- read ------------------------------------------------------------------------
    def source(self, path: str | os.PathLike) -> str:
        """The table function reading ``path``, e.g. ``read_parquet('t.parquet')``."""
        raise NotImplementedError

    def read(self, path: str | os.PathLike) -> pa.Table:
        """SELECT * FROM the file."""
        return self.query(path, "SELECT * FROM {source}")

    def read_columns(self, path: str | os.PathLike, columns: Sequence[str]) -> pa.Table:
        """SELECT only ``columns``: DuckDB's scan reads or converts only those."""
        select = ", ".join(map(_quote, columns))
        return self.query(path, f"SELECT {select} FROM {{source}}")

    def scan(self, path: str | os.PathLike, predicate: Filter) -> pa.Table:
        """WHERE in the SQL, so rows that do not match never reach Arrow."""
        op = "=" if predicate.op == "==" else predicate.op
        sql = f"SELECT * FROM {{source}} WHERE {_quote(predicate.column)} {op} ?"
        value = predicate.value
        return self.query(path, sql, [value.item() if isinstance(value, np.generic) else value])

    def iter_batches(self, path: str | os.PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """DuckDB's streaming result: chunks are produced as they are fetched."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        with self.reading(path):
            # a cursor of its own: another query on the connection would end this stream
            cursor = self.connection.cursor()
            relation = cursor.sql(f"SELECT * FROM {self.source(path)}")
            reader = relation.to_arrow_reader(batch_size)
            try:
                for batch in reader:
                    for start in range(0, batch.num_rows, batch_size):
                        yield batch.slice(start, batch_size)
            finally:
                cursor.close()

    def query(self, path: str | os.PathLike, sql: str, params: list[Any] | None = None) -> pa.Table:
        """Run ``sql`` with ``{source}`` standing for the file; the result as Arrow."""
        with self.reading(path):
            # the relation API: a DB-API result (execute) would copy the rows once more
            relation = self.connection.sql(sql.format(source=self.source(path)), params=params)
            return relation.to_arrow_table()

    @contextmanager
    def reading(self, path: str | os.PathLike) -> Iterator[None]:
        """A missing file stays missing, an unknown column is a KeyError, the rest names
        the file and the format."""
        import duckdb

        self.last_io = {}
        if not os.path.exists(path):
            raise FileNotFoundError(f"no such file: {path}")
        try:
            yield
        except duckdb.BinderException as exc:
            if "not found" in str(exc).lower() and "column" in str(exc).lower():
                raise KeyError(f"{path}: {str(exc).splitlines()[0]}") from None
            raise FormatReadError(path, self.format, exc) from exc
        except duckdb.Error as exc:
            raise FormatReadError(path, self.format, exc) from exc


@register
class ParquetDuckdb(DuckdbAdapter):
    """Parquet through DuckDB's reader and writer: projection, row-group pruning by
    statistics (scan) and by row numbers (take)."""

    name = "parquet-duckdb"
    readers, data_suffixes = PARQUET.readers, PARQUET.data_suffixes
    overhead_limit = 1.10
    in_default_run = False  # --formats all or by name; see README "Engines"
    format = "Parquet"
    orientation = "column"
    encoding = "binary"
    codecs = tuple(_PARQUET_CODECS)  # snappy first: DuckDB's default
    extension = "parquet"
    duckdb_extension = "parquet"
    native = frozenset({"read_columns", "take", "scan", "iter_batches"})
    option_specs = {
        "row_group_size": Option(
            DUCKDB_ROW_GROUP_ROWS, int, minimum=1, help="rows per group (whole 2,048-row vectors)"
        ),
        "compression_level": Option(None, int, help="zstd level (DuckDB: zstd only)"),
    }

    def copy_options(self, codec: str) -> str:
        """FORMAT parquet with the codec, row group size and (zstd) level."""
        level = self.options["compression_level"]
        parts = [
            "FORMAT parquet",
            f"COMPRESSION {_PARQUET_CODECS[codec]}",
            f"ROW_GROUP_SIZE {int(self.options['row_group_size'])}",
        ]
        if level is not None:
            if codec != "zstd":
                raise UnsupportedOption(
                    f"{self.name} option compression_level applies to codec zstd only "
                    f"(DuckDB's COPY), not {codec}; drop the option or use --codecs zstd"
                )
            parts.append(f"COMPRESSION_LEVEL {int(level)}")
        return f"({', '.join(parts)})"

    def source(self, path: str | os.PathLike) -> str:
        return f"read_parquet({_literal(os.fspath(path))})"

    def take(self, path: str | os.PathLike, indices: Sequence[int] | np.ndarray) -> pa.Table:
        """Join the wanted row numbers with ``file_row_number``: DuckDB pushes the join's
        bounds into the scan and skips the row groups (and vectors) holding none of them."""
        wanted = np.asarray(indices, dtype=np.int64).reshape(-1)
        ids = pa.table({"i": wanted, "pos": np.arange(len(wanted), dtype=np.int64)})
        source = f"read_parquet({_literal(os.fspath(path))}, file_row_number = true)"
        sql = (
            f"SELECT t.* EXCLUDE (file_row_number) FROM fmtbench_ids JOIN {source} t "
            "ON t.file_row_number = fmtbench_ids.i ORDER BY fmtbench_ids.pos"
        )
        with self.reading(path):
            con = self.connection
            con.register("fmtbench_ids", ids)
            try:
                table = con.sql(sql).to_arrow_table()
            finally:
                con.unregister("fmtbench_ids")
        if table.num_rows != len(wanted):
            raise IndexError(f"row index out of range for {path}")
        return table


def _text_refusal(field: pa.Field, nested_ok: bool) -> str:
    """Why CSV (no nesting) or JSON cannot hold the column, as the other text engines say;
    empty when it can. DuckDB itself would write bytes as its own '\\x..' escapes."""
    type_ = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
    if pa.types.is_nested(type_) and not nested_ok:
        return "CSV cells are flat; flatten or serialise the column first"
    if "binary" in str(type_):
        return "text has no bytes type; encode them (e.g. base64) into a string column first"
    return ""


class DuckdbText(DuckdbAdapter):
    """CSV and JSON through DuckDB: compressed with gzip or zstd; read from the file alone
    (DuckDB's detection) or, with schema=declared, told the source's column types."""

    codecs = ("none", "gzip", "zstd")
    option_specs = {"schema": source_hints.SCHEMA_OPTION}
    #: Whether the format holds lists and structs (JSON does, CSV does not).
    nested_ok: ClassVar[bool] = True
    #: The COPY FORMAT and the reader function with its fixed arguments.
    copy_format: ClassVar[str]
    reader_function: ClassVar[str]
    reader: ClassVar[str]
    #: What the reader is told besides the types when they are declared.
    known_layout: ClassVar[str] = "auto_detect = false"

    def declared_types(self) -> dict[str, str] | None:
        """DuckDB type names of the source's columns with schema=declared, else None."""
        schema = source_hints.declared_schema(self)
        if schema is None:
            return None
        relation = self.connection.from_arrow(schema.empty_table())
        return {name: str(t) for name, t in zip(relation.columns, relation.types, strict=True)}

    def refuse(self, table: pa.Table) -> None:
        for field in table.schema:
            reason = _text_refusal(field, self.nested_ok)
            if reason:
                raise UnsupportedType(field.name, field.type, self.format, reason)

    def copy_options(self, codec: str) -> str:
        return f"({self.copy_format}, COMPRESSION {codec})"

    def source(self, path: str | os.PathLike) -> str:
        """The reader with the dialect stated; the column types only with schema=declared
        (every text engine gets the same: the file alone by default)."""
        args = [_literal(os.fspath(path)), self.reader, f"compression = '{_compression_of(path)}'"]
        types = self.declared_types()
        if types is not None:
            struct = ", ".join(f"{_literal(n)}: {_literal(t)}" for n, t in types.items())
            args += [self.known_layout, f"columns = {{{struct}}}"]
        return f"{self.reader_function}({', '.join(args)})"


@register
class CsvDuckdb(DuckdbText):
    """CSV through DuckDB's parallel reader; '""' stays the empty string, an empty cell null."""

    name = "csv-duckdb"
    readers, data_suffixes = CSV.readers, CSV.data_suffixes
    in_default_run = False  # --formats all or by name; see README "Engines"
    format = "CSV"
    extension = "csv"
    native = frozenset({"read_columns", "iter_batches"})  # the scan converts only these
    nested_ok = False
    copy_format = "FORMAT csv, HEADER true"
    reader_function = "read_csv"
    # the dialect COPY writes is stated in both modes (as Arrow's and polars' defaults
    # match it); DuckDB's sniffer then detects the types alone (schema=file)
    reader = "header = true, allow_quoted_nulls = false, delim = ',', quote = '\"', escape = '\"'"


@register
class JsonLinesDuckdb(DuckdbText):
    """JSON Lines through DuckDB's json extension (COPY ... FORMAT json)."""

    name = "jsonl-duckdb"
    readers, data_suffixes = JSON_LINES.readers, JSON_LINES.data_suffixes
    in_default_run = False  # --formats all or by name; see README "Engines"
    format = "JSON Lines"
    extension = "jsonl"
    duckdb_extension = "json"
    native = frozenset({"read_columns", "iter_batches"})  # parses all, converts only these
    copy_format = "FORMAT json"
    reader_function = "read_json"
    reader = "format = 'newline_delimited', records = true"


@register
class JsonDuckdb(DuckdbText):
    """One JSON array of records through DuckDB (COPY ... FORMAT json, ARRAY true)."""

    name = "json-duckdb"
    readers = JSON.readers
    in_default_run = False  # --formats all or by name; see README "Engines"
    format = "JSON"
    extension = "json"
    duckdb_extension = "json"
    native = frozenset({"read_columns", "iter_batches"})
    copy_format = "FORMAT json, ARRAY true"
    reader_function = "read_json"
    reader = "format = 'array', records = true"
