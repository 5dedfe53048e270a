"""Case operations on a Dask cluster: Dask's own writers and readers, computed on workers.

Writes go through Dask's partitioned writer for the format (``to_parquet``, ``to_csv``,
``to_json``, ``to_orc``); a format Dask has no writer for is written one partition per
task through the fmtbench adapter. Reads are Dask's readers with column projection, and
every read ends in a row count and a sum computed on the cluster, so no table is gathered
to the client: the time is the cluster's, not the network's to this process.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.types as pat

#: Adapters whose format Dask reads and writes itself, and how.
DASK_NATIVE = {"parquet-pyarrow": "parquet", "csv-pyarrow": "csv", "jsonl-orjson": "json"}
DASK_NATIVE |= {"orc-pyarrow": "orc"}


@dataclass
class DaskJob:
    """One timed cluster call and its setup, as the suite's Operation but for a Client."""

    fn: Callable[[], Any]
    setup: Callable[[], None]
    info: dict[str, Any]


def frame(client: Any, table: pa.Table, partitions: int) -> Any:
    """The dataset as a Dask DataFrame persisted on the workers (made once, untimed)."""
    import dask.dataframe as dd
    import pandas as pd

    pdf = table.to_pandas(types_mapper=pd.ArrowDtype)
    ddf = dd.from_pandas(pdf, npartitions=partitions, sort=False)
    return client.persist(ddf)


def write(ddf: Any, adapter: Any, target: Path, codec: str) -> None:
    """Dask's writer for the format, or the adapter mapped over partitions."""
    import dask

    kind = DASK_NATIVE.get(adapter.name)
    if kind == "parquet":
        ddf.to_parquet(str(target), engine="pyarrow", write_index=False, compression=codec)
    elif kind == "csv":
        ddf.to_csv(str(target / "part-*.csv"), index=False)
    elif kind == "json":
        ddf.to_json(str(target / "part-*.jsonl"), orient="records", lines=True)
    elif kind == "orc":
        ddf.to_orc(str(target), compression=codec, write_index=False)
    else:
        parts = ddf.to_delayed()
        name = adapter.name
        tasks = [
            dask.delayed(_write_partition)(p, name, str(target / f"part-{i}.{adapter.extension}"))
            for i, p in enumerate(parts)
        ]
        dask.compute(*tasks)


def _write_partition(pdf: Any, adapter_name: str, path: str) -> int:
    """On a worker: one partition through the fmtbench adapter."""
    import formats

    table = pa.Table.from_pandas(pdf, preserve_index=False)
    formats.get(adapter_name).write(table, path)
    return table.num_rows


def read(adapter: Any, target: Path, columns: list[str] | None) -> Any:
    """A lazy Dask DataFrame over the files, projected to ``columns`` where Dask can."""
    import dask.dataframe as dd

    kind = DASK_NATIVE.get(adapter.name)
    if kind == "parquet":
        return dd.read_parquet(str(target), columns=columns, engine="pyarrow")
    if kind == "csv":
        return dd.read_csv(str(target / "part-*.csv"), usecols=columns, dtype_backend="pyarrow")
    if kind == "orc":
        return dd.read_orc(str(target), columns=columns)
    if kind == "json":  # Dask's JSON reader has no projection: read, then select
        ddf = dd.read_json(str(target / "part-*.jsonl"), orient="records", lines=True)
        return ddf[columns] if columns else ddf
    files = sorted(str(p) for p in target.glob(f"part-*.{adapter.extension}"))
    return _from_adapter(adapter.name, files, columns)


def _from_adapter(name: str, files: list[str], columns: list[str] | None) -> Any:
    import dask
    import dask.dataframe as dd

    parts = [dask.delayed(_read_partition)(name, f, columns) for f in files]
    return dd.from_delayed(parts)


def _read_partition(adapter_name: str, path: str, columns: list[str] | None) -> Any:
    """On a worker: one file through the fmtbench adapter, as pandas."""
    import pandas as pd

    import formats

    a = formats.get(adapter_name)
    table = a.read_columns(path, columns) if columns else a.read(path)
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def reduce_on_cluster(ddf: Any, numeric: str | None) -> tuple[int, Any]:
    """Row count and a column sum, computed by the workers (only two numbers come back)."""
    import dask

    if numeric is None or numeric not in ddf.columns:
        return int(dask.compute(ddf.shape[0])[0]), None
    rows, total = dask.compute(ddf.shape[0], ddf[numeric].sum())
    return int(rows), total


def numeric_column(schema: pa.Schema, columns: list[str] | None) -> str | None:
    """The column to sum: the first numeric one asked for (or in the file)."""
    names = columns or schema.names
    for name in names:
        t = schema.field(name).type
        if pat.is_integer(t) or pat.is_floating(t):
            return name
    return None


def clear(target: Path) -> None:
    """Remove a previous write's output."""
    shutil.rmtree(target, ignore_errors=True)
