"""Text formats: CSV through pyarrow and pandas, a JSON array and JSON Lines through orjson.

Text is the baseline the binary formats are judged against, so each adapter takes its
library's fastest path (multithreaded Arrow readers, vectorised casts before orjson) and
reports what text cannot hold: nested or binary columns raise ``UnsupportedType``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.json as pa_json

from formats import source_hints
from formats.base import (
    FormatAdapter,
    FormatReadError,
    Option,
    RemoteFile,
    UnsupportedType,
    arrow_input,
    open_binary,
    path_bytes,
    regroup,
    removing_on_error,
)
from formats.families import CSV, JSON, JSON_LINES
from formats.multifile import DatasetIO, JsonLinesDatasetIO, PyarrowDatasetIO
from formats.registry import register

#: Rows turned into Python objects at a time for orjson: small chunks bound peak memory and
#: measured faster than 64k-row ones (fewer live objects, allocator memory reused).
_JSON_CHUNK_ROWS = 8192

#: Leading bytes of the compressed streams; no valid UTF-8 text starts with either.
_MAGIC = {b"\x1f\x8b": "gzip", b"\x28\xb5\x2f\xfd": "zstd"}

#: Types both CSV writers print as one cell (string_view: pyarrow's write_csv refuses it).
_CSV_KINDS = (
    "null boolean integer floating decimal string large_string date time timestamp duration"
)
#: Types whose Python values orjson serialises as they are (float16 comes out as numpy).
_JSON_KINDS = "null boolean integer float32 float64 string large_string string_view"

#: Errors that are not about the bytes: a missing file or an unknown column stays itself.
_PASS_THROUGH = (FileNotFoundError, IsADirectoryError, PermissionError, KeyError)
_UNREADABLE = (ValueError, TypeError, AttributeError, OverflowError, OSError, pa.ArrowException)


@contextmanager
def _reading(path: str | os.PathLike, format_name: str) -> Iterator[None]:
    """Turn a library's complaint about the bytes into FormatReadError naming file and format."""
    try:
        yield
    except _PASS_THROUGH:
        raise
    except _UNREADABLE as exc:
        raise FormatReadError(path, format_name, exc) from exc


def _rechunk(batch: pa.RecordBatch, batch_size: int) -> Iterator[pa.RecordBatch]:
    """Slices of at most ``batch_size`` rows: streaming readers cut by bytes, not rows."""
    for start in range(0, batch.num_rows, batch_size):
        yield batch.slice(start, batch_size)


# -- CSV --------------------------------------------------------------------------------


def _is_kind(type_: pa.DataType, kinds: str) -> bool:
    """Whether ``type_`` passes any ``pyarrow.types.is_<kind>`` of the space-separated kinds."""
    return any(getattr(pa.types, f"is_{kind}")(type_) for kind in kinds.split())


def _csv_cell(type_: pa.DataType) -> bool:
    """Whether both CSV writers render the type as one text cell (flat, not bytes)."""
    if pa.types.is_dictionary(type_):
        return _csv_cell(type_.value_type)
    return _is_kind(type_, _CSV_KINDS)


def _check_csv(table: pa.Table, format_name: str) -> None:
    """Refuse nested and binary columns before writing: CSV cells are flat UTF-8 text."""
    for field in table.schema:
        if _csv_cell(field.type):
            continue
        if pa.types.is_nested(field.type):
            hint = "CSV cells are flat; flatten or serialise the column first"
        elif "binary" in str(field.type):
            hint = "CSV is text; encode the bytes (e.g. base64) into a string column first"
        else:
            hint = "the CSV writers cannot render it as text; cast it to string first"
        raise UnsupportedType(field.name, field.type, format_name, hint)


def _utc_timestamps(table: pa.Table) -> pa.Table:
    """Relabel zoned timestamps UTC (same instants): write_csv's "+HHMM" drops LMT's seconds."""
    for i, field in enumerate(table.schema):
        type_ = field.type
        if pa.types.is_timestamp(type_) and type_.tz not in (None, "UTC"):
            utc = table.column(i).cast(pa.timestamp(type_.unit, "UTC"))
            table = table.set_column(i, field.name, utc)
    return table


#: Rows converted to text at a time by the streaming CSV writer.
_CSV_CHUNK_ROWS = 65_536


def _csv_sink(path: str | os.PathLike, codec: str) -> Any:
    """The output file, through Arrow's compressing stream when a codec is asked for."""
    if codec == "none":
        return pa.OSFile(str(path), "wb")
    return pa.CompressedOutputStream(str(path), codec)


def _csv_source(path: str | os.PathLike) -> Any:
    """The path, or a decompressing stream when the magic bytes say gzip or zstd."""
    if isinstance(path, RemoteFile):  # one pyarrow S3 file: the sniff is a small ranged GET
        source = path.filesystem.open_input_file(path.fs_path)
        head = source.read_at(4, 0)
    else:
        with open(path, "rb") as f:
            head = f.read(4)
        source = str(path)
    codec = next((codec for magic, codec in _MAGIC.items() if head.startswith(magic)), None)
    return pa.input_stream(source, compression=codec) if codec else source


def _arrow_sink(path: str | os.PathLike) -> Any:
    """Where pyarrow writes: the path, or an output stream on the remote filesystem."""
    if isinstance(path, RemoteFile):
        return path.filesystem.open_output_stream(path.fs_path)
    return pa.OSFile(str(path), "wb")


def _csv_parse(newlines_in_values: bool | None = None) -> pa_csv.ParseOptions:
    """Keep empty lines (a null row of a one-column file); chunk quote-aware when needed.

    Arrow's faster chunker assumes no newline inside a value: on a quoted newline at a block
    edge it can mis-split rows without an error (measured), so it is used only when the
    source is known to hold none (None: not known, stay safe).
    """
    multi_line = newlines_in_values is not False
    return pa_csv.ParseOptions(ignore_empty_lines=False, newlines_in_values=multi_line)


def _csv_convert(
    columns: Sequence[str] | None, types: dict[str, pa.DataType] | None = None
) -> pa_csv.ConvertOptions:
    """Mirror write_csv: null is an unquoted empty cell, '""' is the empty string; the
    source's types where known (dates as dates), else Arrow's inference."""
    return pa_csv.ConvertOptions(
        column_types=types or None,
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        include_columns=list(columns) if columns is not None else None,
    )


def _check_utf8(schema: pa.Schema, path: str | os.PathLike, format_name: str) -> None:
    """Arrow reads invalid UTF-8 as a binary column; our CSVs never hold bytes, so refuse."""
    for field in schema:
        if pa.types.is_binary(field.type) or "\ufffd" in field.name:
            reason = f"column '{field.name}' is not valid UTF-8 text"
            raise FormatReadError(path, format_name, reason)


#: Shared with the multi-file dataset writer and reader (formats/multifile.py).
check_csv, utc_timestamps = _check_csv, _utc_timestamps
csv_parse, csv_convert = _csv_parse, _csv_convert


@register
class CsvPyarrow(FormatAdapter):
    """CSV through Arrow's multithreaded C++ reader and writer."""

    name = "csv-pyarrow"
    format = "CSV"
    engine = "pyarrow"
    libraries = ("pyarrow",)
    readers, data_suffixes = CSV.readers, CSV.data_suffixes
    dask_format = "csv"
    overhead_limit = 1.10
    orientation = "row"
    encoding = "text"
    codecs = ("none", "gzip", "zstd")
    extension = "csv"
    native = frozenset({"read_columns", "iter_batches"})
    option_specs = {
        "newlines_in_values": Option(None, bool, help=source_hints.NEWLINES_HELP),
        "schema": source_hints.SCHEMA_OPTION,
    }

    def dataset_io(self) -> DatasetIO:
        """pyarrow.dataset's CSV writer and reader, after this adapter's own refusals."""
        return PyarrowDatasetIO(
            self, "csv", prepare=self._dataset_ready, read_format=self._dataset_format
        )

    def _dataset_ready(self, table: pa.Table) -> pa.Table:
        check_csv(table, self.format)
        return utc_timestamps(table)

    def _dataset_format(self) -> Any:
        """pyarrow.dataset's CSV format with the options this adapter's own read uses."""
        import pyarrow.dataset as ds

        newlines = self.options.get("newlines_in_values")
        types = source_hints.csv_column_types(source_hints.declared_schema(self), None)
        return ds.CsvFileFormat(
            parse_options=csv_parse(newlines), convert_options=csv_convert(None, types)
        )

    def know_source(self, table: pa.Table) -> dict[str, Any]:
        """The source's types (used with schema=declared), and whether any value holds a
        line break (a dialect fact every CSV engine is told)."""
        super().know_source(table)
        return source_hints.newlines_in_values(self.options, table)

    remote_access = frozenset({"arrow-fs"})
    append_modes = ("append",)

    def available_codecs(self) -> tuple[str, ...]:
        """Drop a codec this pyarrow build was compiled without."""
        return tuple(c for c in self.codecs if c == "none" or pa.Codec.is_available(c))

    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        """write_csv, through Arrow's compressing stream when a codec is asked for."""
        codec = self.resolve_codec(codec)
        _check_csv(table, self.format)
        table = _utc_timestamps(table)
        if codec == "none" and not isinstance(path, RemoteFile):
            pa_csv.write_csv(table, str(path))
            return
        with _arrow_sink(path) as raw:
            if codec == "none":
                pa_csv.write_csv(table, raw)
                return
            with pa.CompressedOutputStream(raw, codec) as sink:
                pa_csv.write_csv(table, sink)

    def write_batches(
        self,
        schema: pa.Schema,
        batches: Iterable[pa.RecordBatch],
        path: str | os.PathLike,
        codec: str | None = None,
    ) -> None:
        """Arrow's CSVWriter: one header, then each chunk's rows appended to the file."""
        codec = self.resolve_codec(codec)
        _check_csv(schema.empty_table(), self.format)
        target = _utc_timestamps(schema.empty_table()).schema
        with (
            removing_on_error(path),
            _csv_sink(path, codec) as sink,
            pa_csv.CSVWriter(sink, target) as writer,
        ):
            for chunk in regroup(batches, _CSV_CHUNK_ROWS):
                writer.write_table(_utc_timestamps(chunk))

    def iter_column_batches(
        self, path: str | os.PathLike, column: str, batch_size: int
    ) -> Iterator[pa.RecordBatch]:
        """``include_columns``: every cell is still tokenised, only this column converted."""
        with _reading(path, self.format):
            reader = pa_csv.open_csv(
                _csv_source(path),
                parse_options=_csv_parse(),
                convert_options=_csv_convert([column], self._types([column])),
            )
            for batch in reader:
                yield from _rechunk(batch, batch_size)

    def _appender(self, path: str | os.PathLike, schema: pa.Schema, mode: str, codec: str) -> Any:
        """Rows added to one open CSV file (the header with the first batch), flushed each time."""
        from formats.appenders import StreamAppender

        def write(batch: pa.Table, sink: pa.NativeFile, first: bool) -> None:
            _check_csv(batch, self.format)
            options = pa_csv.WriteOptions(include_header=first)
            pa_csv.write_csv(_utc_timestamps(batch), sink, options)

        compression = None if codec == "none" else codec
        return StreamAppender(path, write, lambda p: pa.output_stream(str(p), compression))

    def read(self, path: str | os.PathLike) -> pa.Table:
        """The whole file: the source's types where known, else inferred across every block."""
        return self._read(path, None)

    def read_columns(self, path: str | os.PathLike, columns: Sequence[str]) -> pa.Table:
        """Native: ``include_columns`` still tokenises every cell but converts only these."""
        return self._read(path, columns)

    def iter_batches(self, path: str | os.PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """Native: open_csv streams block by block instead of materialising the table.

        Arrow's streaming reader fixes column types from the first block (1 MiB), so a
        later block that does not fit them (a float column whose first MiB is integral,
        which write_csv prints as ``1``) fails where ``read`` would succeed.
        """
        with _reading(path, self.format):
            reader = pa_csv.open_csv(
                _csv_source(path),
                parse_options=_csv_parse(self.options["newlines_in_values"]),
                convert_options=_csv_convert(None, self._types(None)),
            )
            _check_utf8(reader.schema, path, self.format)
            for batch in reader:
                yield from _rechunk(batch, batch_size)

    def _read(self, path: str | os.PathLike, columns: Sequence[str] | None) -> pa.Table:
        """One multithreaded read_csv with the options that mirror write_csv."""
        with _reading(path, self.format):
            table = pa_csv.read_csv(
                _csv_source(path),
                parse_options=_csv_parse(self.options["newlines_in_values"]),
                convert_options=_csv_convert(columns, self._types(columns)),
            )
            _check_utf8(table.schema, path, self.format)
        return table

    def _types(self, columns: Sequence[str] | None) -> dict[str, pa.DataType]:
        return source_hints.csv_column_types(source_hints.declared_schema(self), columns)


def _pandas_exact_types() -> dict[pa.DataType, Any]:
    """Nullable pandas dtypes for ints and bools: plain to_pandas makes them float64 on nulls."""
    import pandas as pd

    signs, bits = (("", ""), ("u", "U")), (8, 16, 32, 64)
    mapping = {
        pa.type_for_alias(f"{arrow}int{n}"): pd.api.types.pandas_dtype(f"{pandas}Int{n}")
        for arrow, pandas in signs
        for n in bits
    }
    return {**mapping, pa.bool_(): pd.BooleanDtype()}


def _pandas_to_csv(table: pa.Table, path: str | os.PathLike) -> None:
    """to_pandas with nullable int/bool dtypes (exact int64 with nulls), then to_csv."""
    frame = table.to_pandas(types_mapper=_pandas_exact_types().get)
    frame.to_csv(path, index=False)


@register
class CsvPandas(FormatAdapter):
    """CSV through pandas' own C parser and ``DataFrame.to_csv``, as a pandas user would."""

    name = "csv-pandas"
    libraries = ("pandas",)
    readers, data_suffixes = CSV.readers, CSV.data_suffixes
    in_default_run = False  # --formats all or by name; see README "Engines"
    format = "CSV"
    engine = "pandas"
    orientation = "row"
    encoding = "text"
    extension = "csv"
    native = frozenset({"read_columns"})  # usecols: pandas tokenises all, converts only these
    #: The read benchmarks read csv-pyarrow's file: the same bytes for both CSV engines
    #: (pandas' C parser reads Arrow's quoting; to_csv's is timed by the write benchmark).
    prepared_by = "csv-pyarrow"
    option_specs = {"schema": source_hints.SCHEMA_OPTION}

    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        """to_pandas with nullable int/bool dtypes (exact int64 with nulls), then to_csv."""
        self.resolve_codec(codec)
        _check_csv(table, self.format)
        _pandas_to_csv(table, path)

    def read(self, path: str | os.PathLike) -> pa.Table:
        """read_csv (C engine) into Arrow-backed columns: exact int64 with nulls, no copy back."""
        return self._read(path, None)

    def read_columns(self, path: str | os.PathLike, columns: Sequence[str]) -> pa.Table:
        """read_csv(usecols=...), then the columns in the order asked."""
        return self._read(path, list(columns)).select(list(columns))

    def _read(self, path: str | os.PathLike, columns: list[str] | None) -> pa.Table:
        import pandas as pd

        declared = source_hints.declared_schema(self)
        types = source_hints.csv_column_types(declared, columns, engine="pandas")
        # dates: pandas' C parser makes a Python object per cell for an Arrow date dtype (3.5x
        # slower on lineitem, measured); read them as text and let Arrow cast them instead
        dates = {name: t for name, t in types.items() if pa.types.is_date(t)}
        dtypes = {n: pd.ArrowDtype(pa.string() if n in dates else t) for n, t in types.items()}
        with _reading(path, self.format):
            frame = pd.read_csv(path, dtype_backend="pyarrow", usecols=columns, dtype=dtypes)
            table = pa.Table.from_pandas(frame, preserve_index=False)
            for name, type_ in dates.items():
                i = table.schema.get_field_index(name)
                table = table.set_column(i, name, table.column(i).cast(type_))
        return table.replace_schema_metadata(None)


# -- JSON -------------------------------------------------------------------------------


def _json_plain(type_: pa.DataType) -> bool:
    """Types whose Python values orjson serialises natively (nested ones included)."""
    if _is_kind(type_, "list large_list fixed_size_list"):
        return _json_plain(type_.value_type)
    if pa.types.is_struct(type_):
        return all(_json_plain(type_.field(i).type) for i in range(type_.num_fields))
    return _is_kind(type_, _JSON_KINDS)


def _iso_timestamps(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """ISO 8601 text in Arrow: orjson refuses ns timestamps and a datetime per cell is slow."""
    tz = column.type.tz
    if tz is not None:
        # UTC wall clock + "Z": Arrow's own "+HHMM" drops sub-minute offsets (LMT) on the floor.
        column = column.cast(pa.timestamp(column.type.unit))
    text = pc.replace_substring(column.cast(pa.string()), " ", "T", max_replacements=1)
    return pc.binary_join_element_wise(text, "Z", "") if tz is not None else text


def _json_column(column: pa.ChunkedArray, name: str, format_name: str) -> pa.ChunkedArray:
    """The column as orjson-ready values: temporal and decimal become text, in Arrow."""
    original = column.type
    if pa.types.is_dictionary(original):
        column = column.cast(original.value_type)
    type_ = column.type
    if pa.types.is_timestamp(type_):
        return _iso_timestamps(column)
    if pa.types.is_date(type_) or pa.types.is_time(type_) or pa.types.is_decimal(type_):
        return column.cast(pa.string())  # same text orjson gives dates; decimals stay exact
    if type_ == pa.float16():
        return column.cast(pa.float32())
    if _json_plain(type_):
        return column
    if "binary" in str(type_):
        hint = "JSON has no bytes type and orjson does not encode them; base64 them first"
    else:
        hint = "orjson needs JSON values: numbers, text, bools, and lists or structs of them"
    raise UnsupportedType(name, original, format_name, hint)


def _json_ready(table: pa.Table, format_name: str) -> pa.Table:
    """Every column converted for orjson, or UnsupportedType for the first that cannot be."""
    columns = [
        _json_column(table.column(i), name, format_name)
        for i, name in enumerate(table.column_names)
    ]
    return pa.Table.from_arrays(columns, names=table.column_names)


def _record_chunks(table: pa.Table) -> Iterator[list[dict[str, Any]]]:
    """Rows as dicts, a chunk at a time, so the Python objects never hold the whole table."""
    for batch in table.to_batches(max_chunksize=_JSON_CHUNK_ROWS):
        if batch.num_rows:
            yield batch.to_pylist()


def _json_array(values: list[Any]) -> pa.Array:
    """Arrow's inference; integers past int64 widen to uint64, else to float as pyarrow.json."""
    try:
        return pa.array(values)
    except OverflowError:
        pass
    except pa.ArrowInvalid as exc:  # ints past int64 mixed with floats
        if "too large" not in str(exc):
            raise
    try:
        return pa.array(values, pa.uint64())
    except OverflowError:
        return pa.array([None if v is None else float(v) for v in values], pa.float64())


def _typed_array(values: list[Any], declared: pa.DataType | None) -> pa.Array:
    """Built as the declared type when the JSON values convert to it (numbers, bools,
    nested), else inferred (text for dates and decimals, cast afterwards)."""
    if declared is not None:
        try:
            return pa.array(values, source_hints.json_read_type(declared))
        except (pa.ArrowException, OverflowError, TypeError, ValueError):
            pass
    return _json_array(values)


def _records_to_table(rows: Any, declared: pa.Schema | None = None) -> pa.Table:
    """Column-wise build (as fast as from_pylist here) so one wide integer column can widen;
    a declared type is built directly where the values allow."""
    if not isinstance(rows, list) or (rows and not isinstance(rows[0], dict)):
        raise ValueError("expected a JSON array of objects")
    names = list(rows[0]) if rows else []  # the first record's keys, as pa.Table.from_pylist
    known = {f.name: f.type for f in declared} if declared is not None else {}
    columns = {n: _typed_array([row.get(n) for row in rows], known.get(n)) for n in names}
    return source_hints.cast_declared(pa.table(columns), declared)


@register
class JsonOrjson(FormatAdapter):
    """One JSON array of records, written and parsed by orjson."""

    name = "json-orjson"
    format = "JSON"
    engine = "orjson"
    libraries = ("orjson",)
    readers = JSON.readers
    orientation = "row"
    encoding = "text"
    extension = "json"
    requires = ("orjson",)
    extra = "json"
    append_refusal = "a JSON array is one document: each append would rewrite its closing ']'"
    option_specs = {"schema": source_hints.SCHEMA_OPTION}

    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        """orjson.dumps chunk by chunk, stitched into one array without re-copying."""
        import orjson

        self.resolve_codec(codec)
        ready = _json_ready(table, self.format)
        with open(path, "wb") as f:
            f.write(b"[")
            for i, rows in enumerate(_record_chunks(ready)):
                f.write(b"," if i else b"")
                f.write(memoryview(orjson.dumps(rows))[1:-1])  # the chunk's "[...]" unwrapped
            f.write(b"]")

    def read(self, path: str | os.PathLike) -> pa.Table:
        """orjson.loads the whole document, then build Arrow columns (cast to the source's
        types with schema=declared: orjson itself takes no schema)."""
        import orjson

        declared = source_hints.declared_schema(self)
        with _reading(path, self.format):
            return _records_to_table(orjson.loads(Path(path).read_bytes()), declared)


@register
class JsonLinesOrjson(FormatAdapter):
    """JSON Lines: orjson writes one object per line, Arrow's multithreaded reader reads."""

    name = "jsonl-orjson"
    format = "JSON Lines"
    engine = "orjson"
    libraries = ("orjson",)
    readers, data_suffixes = JSON_LINES.readers, JSON_LINES.data_suffixes
    dask_format = "json"
    orientation = "row"
    encoding = "text"
    extension = "jsonl"
    requires = ("orjson",)
    extra = "json"
    native = frozenset({"iter_batches"} if hasattr(pa_json, "open_json") else ())
    remote_access = frozenset({"arrow-fs", "file-object"})  # orjson writes, Arrow reads
    append_modes = ("append",)
    option_specs = {"schema": source_hints.SCHEMA_OPTION}

    def dataset_io(self) -> DatasetIO:
        """One file per slice through this adapter; pyarrow.dataset's JSON reader."""
        return JsonLinesDatasetIO(self)

    def _appender(self, path: str | os.PathLike, schema: pa.Schema, mode: str, codec: str) -> Any:
        """One object per line added to an open file, flushed after each batch."""
        import orjson

        from formats.appenders import StreamAppender

        dump_line = partial(orjson.dumps, option=orjson.OPT_APPEND_NEWLINE)

        def write(batch: pa.Table, sink: pa.NativeFile, first: bool) -> None:
            for rows in _record_chunks(_json_ready(batch, self.format)):
                sink.write(b"".join(map(dump_line, rows)))

        return StreamAppender(path, write)

    def write(self, table: pa.Table, path: str | os.PathLike, codec: str | None = None) -> None:
        """One orjson.dumps per row, straight into the file's buffer a chunk at a time."""
        import orjson

        self.resolve_codec(codec)
        ready = _json_ready(table, self.format)
        dump_line = partial(orjson.dumps, option=orjson.OPT_APPEND_NEWLINE)
        with open_binary(path, "wb") as f:
            for rows in _record_chunks(ready):
                f.writelines(map(dump_line, rows))

    def write_batches(
        self,
        schema: pa.Schema,
        batches: Iterable[pa.RecordBatch],
        path: str | os.PathLike,
        codec: str | None = None,
    ) -> None:
        """Lines appended a chunk at a time: JSON Lines has no header or footer."""
        import orjson

        self.resolve_codec(codec)
        _json_ready(schema.empty_table(), self.format)  # refuse a column before opening
        dump_line = partial(orjson.dumps, option=orjson.OPT_APPEND_NEWLINE)
        with removing_on_error(path), open(path, "wb") as f:
            for chunk in regroup(batches, _JSON_CHUNK_ROWS):
                for rows in _record_chunks(_json_ready(chunk, self.format)):
                    f.writelines(map(dump_line, rows))

    def read(self, path: str | os.PathLike) -> pa.Table:
        """pyarrow.json.read_json: parallel over blocks, types unified across the file (with
        schema=declared: told the source's types, each field's own type)."""
        if path_bytes(path) == 0:
            return pa.table({})  # zero records is valid JSON Lines; Arrow calls it an error
        known = source_hints.declared_schema(self)
        parse = None
        if known is not None:
            wanted = pa.schema([(f.name, source_hints.json_read_type(f.type)) for f in known])
            parse = pa_json.ParseOptions(explicit_schema=wanted, unexpected_field_behavior="infer")
        with _reading(path, self.format), arrow_input(path) as source:
            table = pa_json.read_json(source, parse_options=parse)
            table.validate(full=True)  # the JSON parser lets invalid UTF-8 into strings
        return source_hints.cast_declared(table, known)

    def read_columns(self, path: str | os.PathLike, columns: Sequence[str]) -> pa.Table:
        """With schema=declared: Arrow's reader told these columns' types and to ignore the
        rest (no arrays built for them; still emulated, every field is tokenised). From the
        file alone, the whole file is read (Arrow needs types to skip fields)."""
        known = source_hints.declared_schema(self)
        unknown = known is None or not columns or any(c not in known.names for c in columns)
        if unknown or path_bytes(path) == 0:
            return super().read_columns(path, columns)
        wanted = pa.schema([(c, source_hints.json_read_type(known.field(c).type)) for c in columns])
        parse = pa_json.ParseOptions(explicit_schema=wanted, unexpected_field_behavior="ignore")
        with _reading(path, self.format), arrow_input(path) as source:  # local or object store
            table = pa_json.read_json(source, parse_options=parse)
            table.validate(full=True)
        return source_hints.cast_declared(table.select(list(columns)), known)

    def iter_batches(self, path: str | os.PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """Native where pyarrow has open_json: streams blocks, types fixed by the first one."""
        if not hasattr(pa_json, "open_json") or path_bytes(path) == 0:
            yield from super().iter_batches(path, batch_size)
            return
        with _reading(path, self.format), arrow_input(path) as source:
            for batch in pa_json.open_json(source):
                batch.validate(full=True)
                yield from _rechunk(batch, batch_size)
