"""Multi-file datasets: a directory of N files, or hive-style ``COLUMN=value/`` partitions,
written and read through each engine's own dataset API.

Real data lakes are directories of many files, and the per-file cost (open, footer,
schema, one more request) is what a single-file benchmark never shows. So each engine
writes with its dataset writer (``pyarrow.dataset.write_dataset``, Lance fragments) and
reads with its dataset reader (``pyarrow.dataset.dataset``, ``lance.dataset``), which is
where partition pruning lives. Each adapter returns its engine's ``DatasetIO`` from its own
``dataset_io()``; one that returns None has its cases skipped with the reason ``cannot
write a multi-file dataset``.
"""

from __future__ import annotations

import math
import os
import re
import urllib.parse
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from formats.base import Filter, FormatAdapter, remove_path

PathLike = str | os.PathLike

#: What pyarrow calls a null partition value in a directory name (its own default).
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
#: Partitions pyarrow's writer accepts by default; more is refused before any work.
MAX_PARTITIONS = 1024

_PART = re.compile(r"part-(\d+)\.")


def rows_per_file(rows: int, files: int | None) -> int | None:
    """Rows in each of ``files`` equal files (the last may be shorter); None: no limit."""
    return None if not files else max(1, math.ceil(rows / files))


def data_files(directory: PathLike) -> list[str]:
    """Every data file under ``directory``, part-2 before part-10 (the order rows were written)."""

    def key(p: Path) -> tuple:
        match = _PART.search(p.name)
        return (str(p.parent), int(match[1]) if match else -1, p.name)

    root = Path(directory)
    found = [p for p in root.rglob("*") if p.is_file() and not p.name.startswith((".", "_"))]
    return [str(p) for p in sorted(found, key=key)]


class DatasetIO:
    """One engine's multi-file writer and reader; ``last_io`` says which files a call read."""

    #: Why this engine cannot write hive partitions (empty: it can).
    partition_refusal: str = ""

    def __init__(self, adapter: FormatAdapter) -> None:
        self.adapter = adapter
        self.last_io: dict[str, int] = {}

    def codec_refusal(self, codec: str) -> str:
        """Why the dataset writer cannot use ``codec`` (empty: it can)."""
        return ""

    def count_files(self, directory: PathLike) -> int:
        """How many data files the dataset has (a writer may make fewer than asked)."""
        return len(data_files(directory))

    def write(
        self, table: pa.Table, directory: PathLike, codec: str, files: int | None,
        partition_by: str | None,
    ) -> None:  # fmt: skip
        """``table`` as ``files`` equal files and/or hive partitions under ``directory``."""
        raise NotImplementedError

    def read(self, directory: PathLike, partition_by: str | None) -> pa.Table:
        """Every file of the dataset as one table, in the source's column order."""
        raise NotImplementedError

    def read_columns(
        self, directory: PathLike, columns: Sequence[str], partition_by: str | None
    ) -> pa.Table:
        """Only ``columns`` of every file."""
        raise NotImplementedError

    def take(self, directory: PathLike, indices: np.ndarray) -> pa.Table:
        """Rows at ``indices`` of the files read in write order."""
        raise NotImplementedError

    def scan(self, directory: PathLike, predicate: Filter, partition_by: str | None) -> pa.Table:
        """Rows matching ``predicate``; files a partition filter rules out are not opened."""
        raise NotImplementedError


# -- pyarrow.dataset: Parquet, Feather, CSV, and JSON Lines (read side) -----------
class PyarrowDatasetIO(DatasetIO):
    """``pyarrow.dataset``: write_dataset with max_rows_per_file / hive partitioning; the
    Dataset reader prunes partitions from the filter before opening a file."""

    def __init__(
        self,
        adapter: FormatAdapter,
        kind: str,
        prepare: Callable[[pa.Table], pa.Table] | None = None,
        read_format: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(adapter)
        self.kind = kind  # pyarrow.dataset format name: parquet, ipc, orc, csv, json
        #: The adapter's own refusals and conversions before the format's writer runs
        #: (CSV: no nested types, timestamps in UTC); passed in, so this module imports
        #: no adapter module.
        self.prepare = prepare
        #: The pyarrow.dataset file format with the adapter's single-file read options
        #: (None: the plain ``kind``).
        self.read_format = read_format

    def codec_refusal(self, codec: str) -> str:
        """pyarrow's CSV dataset writer has no compression option."""
        if self.kind == "csv" and codec != "none":
            return f"pyarrow.dataset writes CSV uncompressed; {self.adapter.name} {codec} cannot"
        return ""

    def write(
        self, table: pa.Table, directory: PathLike, codec: str, files: int | None,
        partition_by: str | None,
    ) -> None:  # fmt: skip
        """One write_dataset call; ``preserve_order`` so files hold the rows in source order."""
        import pyarrow.dataset as ds

        table = self._ready(table)
        per_file = rows_per_file(table.num_rows, files)
        group = self._group_rows(per_file)
        # pyarrow refuses groups larger than a file; its default group is 1Mi rows
        largest = group or (min(per_file, 1 << 20) if per_file else None)
        remove_path(directory)
        ds.write_dataset(
            table,
            os.fspath(directory),
            format=self.kind,
            file_options=self._write_options(codec),
            basename_template=f"part-{{i}}.{self.adapter.extension}",
            partitioning=[partition_by] if partition_by else None,
            partitioning_flavor="hive" if partition_by else None,
            preserve_order=True,
            max_rows_per_file=per_file,
            max_rows_per_group=largest,
            min_rows_per_group=group or 0,
            max_partitions=MAX_PARTITIONS,
        )

    def _ready(self, table: pa.Table) -> pa.Table:
        """The adapter's own refusals and conversions before its format's writer runs."""
        return self.prepare(table) if self.prepare is not None else table

    def _group_rows(self, per_file: int | None) -> int | None:
        """Rows per row group (Parquet) or batch (Feather): the adapter's own knob, never
        more than a file holds, so N files keep the single file's layout where they can."""
        knob = {"parquet": "row_group_size", "ipc": "batch_rows"}.get(self.kind)
        group = self.adapter.options.get(knob) if knob else None
        if group is None:
            return None
        return min(group, per_file) if per_file else group

    def _write_options(self, codec: str) -> Any:
        import pyarrow.dataset as ds

        if self.kind == "parquet":
            o = self.adapter.options
            return ds.ParquetFileFormat().make_write_options(
                compression=codec,
                compression_level=o.get("compression_level"),
                use_dictionary=o.get("use_dictionary", True),
                data_page_size=o.get("data_page_size"),
                write_page_index=o.get("write_page_index", False),
            )
        if self.kind == "ipc":
            compression = None if codec in ("none", "uncompressed") else codec
            return ds.IpcFileFormat().make_write_options(compression=compression)
        return None

    def dataset(self, directory: PathLike, partition_by: str | None) -> Any:
        """The directory as a pyarrow Dataset over its files in write order."""
        import pyarrow.dataset as ds

        partitioning = None
        if partition_by:
            field = self._partition_field(partition_by)
            partitioning = ds.partitioning(pa.schema([field]), flavor="hive")
        files = data_files(directory)
        return ds.dataset(
            files,
            format=self._read_format(len(files)),
            partitioning=partitioning,
            partition_base_dir=os.fspath(directory),
        )

    def _partition_field(self, column: str) -> pa.Field:
        """The partition column's type as the source had it (a user who knows the data)."""
        source = self.adapter.source_schema
        if source is None or column not in source.names:
            return pa.field(column, pa.string())
        field = source.field(column)
        if pa.types.is_dictionary(field.type):
            return pa.field(column, field.type.value_type)
        return field

    def _read_format(self, files: int) -> Any:
        """The file format with the options the adapter's single-file reader uses."""
        import pyarrow.dataset as ds

        from formats import source_hints

        source = source_hints.declared_schema(self.adapter)  # None: the files alone
        if self.read_format is not None:
            return self.read_format()
        if self.kind == "json":
            import pyarrow.json as pa_json

            parse = pa_json.ParseOptions()
            if source is not None:  # the source's types, as the one-file reader is told
                types = pa.schema([(f.name, source_hints.json_read_type(f.type)) for f in source])
                parse = pa_json.ParseOptions(
                    explicit_schema=types, unexpected_field_behavior="ignore"
                )
            # threads within a file only when there is one: with use_threads, 16 files of a
            # few MB each hung forever on pyarrow 26 (2 cores; every pool thread waiting on
            # a nested block parse); several files are parsed in parallel, a file each
            threads = pa_json.ReadOptions(use_threads=files == 1)
            return ds.JsonFileFormat(parse_options=parse, read_options=threads)
        return self.kind

    def _ordered(self, table: pa.Table, wanted: Sequence[str] | None = None) -> pa.Table:
        """Columns in the source's order (pyarrow puts partition columns last): zero-copy."""
        names = list(wanted) if wanted is not None else None
        if names is None and self.adapter.source_schema is not None:
            names = [n for n in self.adapter.source_schema.names if n in table.column_names]
        if names is None:
            return table
        return table.select(names)

    def read(self, directory: PathLike, partition_by: str | None) -> pa.Table:
        """Dataset.to_table: every file, multithreaded."""
        dataset = self.dataset(directory, partition_by)
        self.last_io = {"files_total": len(dataset.files), "files_read": len(dataset.files)}
        return self._ordered(dataset.to_table())

    def read_columns(
        self, directory: PathLike, columns: Sequence[str], partition_by: str | None
    ) -> pa.Table:
        """Dataset.to_table(columns=...): each file format's own projection."""
        dataset = self.dataset(directory, partition_by)
        self.last_io = {"files_total": len(dataset.files), "files_read": len(dataset.files)}
        return self._ordered(dataset.to_table(columns=list(columns)), columns)

    def take(self, directory: PathLike, indices: np.ndarray) -> pa.Table:
        """Dataset.take: positions across the files in write order."""
        dataset = self.dataset(directory, None)
        self.last_io = {"files_total": len(dataset.files)}
        return self._ordered(dataset.take(pa.array(np.asarray(indices, dtype=np.int64))))

    def scan(self, directory: PathLike, predicate: Filter, partition_by: str | None) -> pa.Table:
        """The filter prunes partitions (get_fragments counts the files that survive), then
        each surviving file is filtered with its format's own pushdown."""
        dataset = self.dataset(directory, partition_by)
        expression = predicate.to_arrow()
        kept = sum(1 for _ in dataset.get_fragments(filter=expression))
        total = len(dataset.files)
        self.last_io = {"files_total": total, "files_read": kept, "files_skipped": total - kept}
        return self._ordered(dataset.to_table(filter=expression))


class JsonLinesDatasetIO(PyarrowDatasetIO):
    """JSON Lines: pyarrow.dataset cannot write JSON, so the adapter writes one file per
    slice (or per partition value) itself; pyarrow.dataset's JSON reader reads them."""

    def __init__(self, adapter: FormatAdapter) -> None:
        super().__init__(adapter, "json")

    def write(
        self, table: pa.Table, directory: PathLike, codec: str, files: int | None,
        partition_by: str | None,
    ) -> None:  # fmt: skip
        """Slices of ``rows_per_file`` rows, each through the adapter's own writer."""
        remove_path(directory)
        root = Path(directory)
        groups = hive_groups(table, partition_by) if partition_by else [("", table)]
        for folder, part in groups:
            target = root / folder
            target.mkdir(parents=True, exist_ok=True)
            per_file = rows_per_file(part.num_rows, files) or max(part.num_rows, 1)
            for i, start in enumerate(range(0, max(part.num_rows, 1), per_file)):
                name = f"part-{i}.{self.adapter.extension}"
                self.adapter.write(part.slice(start, per_file), target / name, codec)


def hive_groups(table: pa.Table, column: str) -> list[tuple[str, pa.Table]]:
    """(``column=value`` folder, its rows without ``column``) per distinct value, as
    pyarrow's hive writer names them (URI-escaped; null as __HIVE_DEFAULT_PARTITION__)."""
    ordered = table.sort_by([(column, "ascending")])  # nulls last: pyarrow's default
    counts = ordered.group_by(column, use_threads=False).aggregate([([], "count_all")])
    groups, start = [], 0
    for value, n in zip(counts[column].to_pylist(), counts["count_all"].to_pylist(), strict=True):
        text = HIVE_NULL if value is None else urllib.parse.quote(_hive_text(value), safe="")
        groups.append((f"{column}={text}", ordered.slice(start, n).drop_columns([column])))
        start += n
    return groups


def _hive_text(value: Any) -> str:
    """A partition value as text: Arrow's own cast to string (dates ISO, bools lower case)."""
    return pa.scalar(value).cast(pa.string()).as_py()


def dataset_io(adapter: FormatAdapter) -> DatasetIO | None:
    """The adapter's multi-file writer and reader (it declares them: ``dataset_io``), or
    None when it has none."""
    return adapter.dataset_io()


def refusal(adapter: FormatAdapter, codec: str, partition_by: str | None) -> str | None:
    """Why ``adapter`` cannot run a multi-file case (None: it can)."""
    io = dataset_io(adapter)
    if io is None:
        return f"{adapter.name} cannot write a multi-file dataset"
    if partition_by and io.partition_refusal:
        return io.partition_refusal
    return io.codec_refusal(codec) or None
