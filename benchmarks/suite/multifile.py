"""Operations on a multi-file dataset (``--files N``, ``--partition-by COLUMN``).

The dataset is a directory written by the engine's dataset writer (formats/multifile.py)
and read back by its dataset reader, so the cost of many small files, and the files a
partition filter lets the reader skip, are measured as a data lake user meets them.
Hive partitions regroup rows, so their round trip is checked order-insensitively (both
sides sorted, untimed) and results say so in ``round_trip_order``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from benchmarks.suite.cases import Case
from benchmarks.suite.ops import (
    CaseEnv,
    Operation,
    case_dir,
    keep_files,
    op_take,
    reader_setup,
    scan_info,
    scan_predicate,
)
from formats.base import Filter, FormatAdapter, path_bytes, remove_path
from formats.multifile import DatasetIO, dataset_io


def is_multifile(case: Case) -> bool:
    """Whether the case's dataset is a directory of files rather than one file."""
    return case.files is not None or case.partition_by is not None


def directory_name(adapter: FormatAdapter, case: Case, stem: str) -> str:
    """The dataset directory's name: the single file's name plus the layout."""
    layout = f"files{case.files}" if case.files else "files"
    if case.partition_by:
        layout += f"-by-{case.partition_by}"
    return f"{adapter.file_name(stem, case.codec)}.{layout}"


def engine(adapter: FormatAdapter) -> DatasetIO:
    """The adapter's dataset writer/reader (cases without one were skipped at build)."""
    io = dataset_io(adapter)
    if io is None:
        raise ValueError(f"{adapter.name} cannot write a multi-file dataset")
    return io


def write_prepared(case: Case, adapter: FormatAdapter, table: pa.Table, path: Path) -> None:
    """The read cases' dataset, written once (untimed) by the engine's dataset writer."""
    engine(adapter).write(table, path, case.codec, case.files, case.partition_by)


def _sortable(t: pa.DataType) -> bool:
    return (
        pat.is_integer(t) or pat.is_floating(t) or pat.is_boolean(t) or pat.is_decimal(t)
        or pat.is_temporal(t) or pat.is_string(t) or pat.is_large_string(t)
        or pat.is_binary(t) or pat.is_large_binary(t)
    )  # fmt: skip


def sorted_rows(table: pa.Table) -> pa.Table:
    """Rows in one canonical order (every sortable column as a key): for comparing a
    result whose row order the engine does not keep with the source."""
    keys = [(f.name, "ascending") for f in table.schema if _sortable(f.type)]
    return table.sort_by(keys) if keys else table


def _ordered(env: CaseEnv, op: Operation, source: Any) -> Operation:
    """Attach the round-trip expectation: strict order, or sorted when partitions regroup."""
    if env.case.partition_by is None:
        op.expected = lambda args: source(args)
        return op
    op.expected = lambda args: sorted_rows(_table(source(args)))
    op.normalise = sorted_rows
    op.info["round_trip_order"] = "any (hive partitions regroup rows; both sides sorted)"
    return op


def _table(value: Any) -> pa.Table:
    if isinstance(value, pa.Table):
        return value
    schema = value[0].schema if value else None
    return pa.Table.from_batches(value, schema)


def _after(io: DatasetIO) -> Any:
    """What the last call touched: files in the dataset, read, and skipped by pruning."""
    return lambda: dict(io.last_io)


def mf_write(env: CaseEnv) -> Operation:
    """The table through the engine's dataset writer into a fresh directory each round."""
    io, case, table = engine(env.adapter), env.case, env.dataset.table
    name = directory_name(env.adapter, case, env.dataset.name)
    path = case_dir(env.workdir, case) / f"write-{name}"

    def setup() -> tuple[tuple, dict]:
        remove_path(path)
        return (table, path, case.codec, case.files, case.partition_by), {}

    def after() -> dict[str, Any]:
        return {"file_bytes": path_bytes(path), "files_written": io.count_files(path)}

    cleanup = (lambda: None) if keep_files() else (lambda: remove_path(path))
    info = {"data_bytes": table.nbytes}
    return Operation(io.write, setup, info, after, cleanup=cleanup)


def mf_read(env: CaseEnv) -> Operation:
    """Every file through the engine's dataset reader, as one table."""
    io, table, by = engine(env.adapter), env.dataset.table, env.case.partition_by
    op = Operation(
        lambda path: io.read(path, by), reader_setup(env), {"data_bytes": table.nbytes}, _after(io)
    )
    return _ordered(env, op, lambda args: table)


def mf_read_column(env: CaseEnv) -> Operation:
    """One column of every file; native when the file format skips the others."""
    io, table, by = engine(env.adapter), env.dataset.table, env.case.partition_by
    column = env.case.param["column"]
    info = {"columns": column, "data_bytes": table.column(column).nbytes}
    op = Operation(
        lambda path, columns: io.read_columns(path, columns, by),
        reader_setup(env, [column]),
        info,
        _after(io),
        native=env.adapter.is_native("read_columns") or column == by,
    )
    return _ordered(env, op, lambda args: table.select(args[1]))


def mf_take(env: CaseEnv) -> Operation:
    """k rows by position across the files in write order (the single-file take's setup)."""
    io = engine(env.adapter)
    single = op_take(env)
    return Operation(
        io.take, single.setup, single.info, _after(io), single.native, expected=single.expected
    )


def partition_predicate(table: pa.Table, column: str) -> Filter:
    """``column == its most common value``: the partition a pruning reader reads alone."""
    values = table.column(column).drop_null()
    counts = pa.Table.from_struct_array(pc.value_counts(values))
    top = counts.sort_by([("counts", "descending")])["values"][0]
    return Filter(column, "==", top.as_py())


def mf_scan(env: CaseEnv) -> Operation:
    """Rows matching one predicate; a predicate on the partition column skips folders."""
    io, table, by, p = engine(env.adapter), env.dataset.table, env.case.partition_by, env.case.param
    if p["filter"] == "partition":
        predicate = partition_predicate(table, by)
    else:
        predicate = scan_predicate(table, p["filter"], p.get("selectivity"))
    selected, info = scan_info(table, predicate, p)
    native = env.adapter.is_native("scan") or predicate.column == by
    op = Operation(
        lambda path, pred: io.scan(path, pred, by),
        reader_setup(env, predicate),
        info,
        _after(io),
        native=native,
    )
    return _ordered(env, op, lambda args: selected)
