"""Operations over record batches: a stream written to a file, a file reduced batch by batch.

``read_stream`` never builds a table: it counts rows and sums one numeric column as the
batches go by, so its peak memory is a batch's, whatever the file's size. In a --stream
run, ``write`` feeds the adapter's ``write_batches`` and ``read_column`` reduces one
column the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from benchmarks.suite.ops import CaseEnv, Operation, reader_setup
from formats.base import path_bytes, remove_path

#: Rows per batch read_stream asks the adapter for.
STREAM_BATCH_ROWS = 65_536


def _summable(t: pa.DataType) -> bool:
    return pat.is_integer(t) or pat.is_floating(t) or pat.is_decimal(t)


def sum_column(schema: pa.Schema) -> str | None:
    """The column read_stream sums: the first integer, float or decimal one."""
    return next((f.name for f in schema if _summable(f.type)), None)


def reduce_batches(batches: Iterable[pa.RecordBatch], column: str | None) -> dict[str, Any]:
    """Row count and the sum of ``column`` (nulls skipped), one batch in memory at a time."""
    rows, total = 0, None
    for batch in batches:
        rows += batch.num_rows
        if column is not None and batch.num_rows:
            part = pc.sum(batch.column(column)).as_py()
            if part is not None:
                total = part if total is None else total + part
    return {"rows": rows, "sum": total}


def stream_write(env: CaseEnv) -> Operation:
    """The dataset's batches through the adapter's streaming writer; no file at each start."""
    a, codec, ds = env.adapter, env.case.codec, env.dataset
    path = env.workdir / ("write-" + a.file_name(ds.name, codec))

    def setup() -> tuple[tuple, dict]:
        remove_path(path)
        return (ds.schema, ds.batches(), path, codec), {}

    def after() -> dict[str, Any]:
        return {"file_bytes": path_bytes(path)}

    info = {"data_bytes": ds.nbytes, "streaming": True}
    return Operation(a.write_batches, setup, info, after, cleanup=lambda: remove_path(path))


def read_stream(env: CaseEnv) -> Operation:
    """Every batch of the file reduced to a row count and one column's sum."""
    adapter, column = env.adapter, sum_column(env.dataset.schema)
    last: dict[str, Any] = {}

    def consume(path: Path, size: int) -> dict[str, Any]:
        last.update(reduce_batches(adapter.iter_batches(path, size), column))
        return last

    def after() -> dict[str, Any]:
        # what the reduction saw, so a results file shows the stream came back whole
        return {"rows_read": last.get("rows"), "column_sum": _plain(last.get("sum"))}

    info = {
        "data_bytes": env.dataset.nbytes,
        "batch_size": STREAM_BATCH_ROWS,
        "sum_column": column,
        "streaming": True,
    }
    native = adapter.is_native("iter_batches")
    return Operation(consume, reader_setup(env, STREAM_BATCH_ROWS), info, after, native)


def _plain(value: Any) -> Any:
    """A JSON-ready number: decimals (TPC-H) as float."""
    return float(value) if value is not None and not isinstance(value, int | float) else value


def stream_read_column(env: CaseEnv) -> Operation:
    """One column's batches reduced (rows, and the sum when it is numeric)."""
    adapter, column = env.adapter, env.case.param["column"]
    summed = column if _summable(env.dataset.schema.field(column).type) else None

    def consume(path: Path, size: int) -> dict[str, Any]:
        return reduce_batches(adapter.iter_column_batches(path, column, size), summed)

    data = getattr(env.dataset, "column_bytes", {}).get(column, 0)
    info = {"columns": column, "data_bytes": data, "streaming": True}
    native = adapter.streams_columns_natively()
    return Operation(consume, reader_setup(env, STREAM_BATCH_ROWS), info, native=native)
