"""Case operations on a Dask cluster: Dask's own writers and readers, computed on workers.

Writes go through Dask's partitioned writer for the format (``to_parquet``, ``to_csv``,
``to_json``, ``to_orc``); a format Dask has no writer for is written one partition per
task through the fmtbench adapter. Reads are Dask's readers with column projection and,
for a scan, the predicate: pushed into ``read_parquet(filters=...)`` (row groups skipped by
their statistics, rows filtered by the reader), applied after the read for CSV, JSON Lines
and ORC (their Dask readers take no filter), or the adapter's own ``scan`` per partition.
Every read ends in a row count and a sum computed on the cluster, so no table is gathered
to the client: the time is the cluster's, not the network's to this process.
"""

from __future__ import annotations

import operator
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.types as pat

from benchmarks.storage import Location
from formats.base import Filter

#: A Filter's operator as a pandas comparison, for readers that cannot push it down.
_COMPARE = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le}
_COMPARE |= {">": operator.gt, ">=": operator.ge}


def dask_format(adapter: Any) -> str | None:
    """The format Dask reads and writes itself for this adapter (its ``dask_format``), or
    None: the adapter is mapped over the partitions."""
    return getattr(adapter, "dask_format", None)


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


Target = Path | Location


def where(target: Target, pattern: str = "") -> tuple[str, dict[str, Any] | None]:
    """(URL or path, fsspec storage_options) for Dask's readers and writers.

    Credentials are not in the options: s3fs on each Dask worker reads them from that
    worker's environment, so they never travel in a task graph.
    """
    place = target / pattern if pattern else target
    if isinstance(target, Path):
        return str(place), None
    options = {"endpoint_url": target.endpoint.url}
    return place.uri, options | {"client_kwargs": {"region_name": target.endpoint.region}}


def write(ddf: Any, adapter: Any, target: Target, codec: str) -> None:
    """Dask's writer for the format, or the adapter mapped over partitions."""
    import dask

    kind = dask_format(adapter)
    if kind == "parquet":
        url, so = where(target)
        ddf.to_parquet(
            url, write_index=False, compression=codec, storage_options=so, engine="pyarrow"
        )
    elif kind == "orc":
        if codec != "none":  # pyarrow.orc's default, and all Dask's to_orc writes
            raise ValueError(f"Dask's to_orc has no compression option; codec {codec} needs it")
        url, so = where(target)
        ddf.to_orc(url, write_index=False, storage_options=so)
    elif kind == "csv":
        url, so = where(target, "part-*.csv")
        ddf.to_csv(url, index=False, storage_options=so)
    elif kind == "json":
        url, so = where(target, "part-*.jsonl")
        ddf.to_json(url, orient="records", lines=True, storage_options=so)
    else:
        parts = ddf.to_delayed()
        name, ext = adapter.name, adapter.extension
        tasks = [
            dask.delayed(_write_partition)(p, name, target / f"part-{i}.{ext}")
            for i, p in enumerate(parts)
        ]
        dask.compute(*tasks)


def _write_partition(pdf: Any, adapter_name: str, path: Target) -> int:
    """On a worker: one partition through the fmtbench adapter."""
    import formats

    table = pa.Table.from_pandas(pdf, preserve_index=False)
    formats.get(adapter_name).write(table, path)
    return table.num_rows


def filter_method(adapter: Any) -> str:
    """How a cluster scan applies its predicate for this adapter (recorded per case)."""
    kind = dask_format(adapter)
    if kind == "parquet":
        return "read_parquet filters"
    return "after read" if kind else "adapter scan per partition"


def read(
    adapter: Any, target: Target, columns: list[str] | None, predicate: Filter | None = None
) -> Any:
    """A lazy Dask DataFrame over the files, projected to ``columns`` and filtered by
    ``predicate`` (pushed into the reader where Dask's takes one)."""
    import dask.dataframe as dd

    kind = dask_format(adapter)
    if kind == "parquet":
        url, so = where(target)
        filters = [(predicate.column, predicate.op, predicate.value)] if predicate else None
        return dd.read_parquet(
            url, columns=columns, filters=filters, engine="pyarrow", storage_options=so
        )
    if kind is None:
        files = _part_files(target, adapter.extension)
        return _from_adapter(adapter.name, files, columns, predicate)
    ddf = _read_text_or_orc(kind, target, columns)
    if predicate is None:
        return ddf
    return ddf[_COMPARE[predicate.op](ddf[predicate.column], predicate.value)]


def _read_text_or_orc(kind: str, target: Target, columns: list[str] | None) -> Any:
    """Dask's CSV, ORC and JSON readers, projected where they can be."""
    import dask.dataframe as dd

    if kind == "csv":
        url, so = where(target, "part-*.csv")
        return dd.read_csv(url, usecols=columns, dtype_backend="pyarrow", storage_options=so)
    if kind == "orc":
        url, so = where(target)
        return dd.read_orc(url, columns=columns, storage_options=so)
    if kind == "json":  # Dask's JSON reader has no projection: read, then select
        url, so = where(target, "part-*.jsonl")
        ddf = dd.read_json(url, orient="records", lines=True, storage_options=so)
        return ddf[columns] if columns else ddf
    raise ValueError(f"no Dask reader for {kind}")


def _part_files(target: Target, extension: str) -> list[Target]:
    """The per-partition files of an adapter write, in partition order."""
    if isinstance(target, Path):
        return sorted(target.glob(f"part-*.{extension}"))
    names = sorted(p.rsplit("/", 1)[-1] for p in target.fsspec.glob(f"{target.fs_path}/part-*"))
    return [target / n for n in names if n.endswith("." + extension)]


def _from_adapter(
    name: str, files: list[Target], columns: list[str] | None, predicate: Filter | None
) -> Any:
    import dask
    import dask.dataframe as dd

    parts = [dask.delayed(_read_partition)(name, f, columns, predicate) for f in files]
    return dd.from_delayed(parts)


def _read_partition(
    adapter_name: str, path: Target, columns: list[str] | None, predicate: Filter | None
) -> Any:
    """On a worker: one file through the fmtbench adapter (its own scan), as pandas."""
    import pandas as pd

    import formats

    a = formats.get(adapter_name)
    if predicate is not None:
        table = a.scan(path, predicate)
    else:
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


def clear(target: Target) -> None:
    """Remove a previous write's output; a local directory is made again for the next."""
    if isinstance(target, Path):
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
    else:
        target.remove()
