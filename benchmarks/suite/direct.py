"""Overhead check: the suite's timing of an adapter against a direct call of its library.

The suite must measure the format, not fmtbench's glue. For each adapter and core
operation this times the suite's own ``Operation`` (the exact callable pytest-benchmark
times) and the plainest fast use of the library on the same table and file, alternating
the two in one process, and reports the ratio of medians.
"""

from __future__ import annotations

import functools
import pickle
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.feather as feather
import pyarrow.json as pajson
import pyarrow.orc as orc
import pyarrow.parquet as pq

import formats
from benchmarks.suite.cases import Case, default_columns
from benchmarks.suite.config import RunConfig
from benchmarks.suite.execute import PreparedFiles, make_env
from benchmarks.suite.operations import build_operation
from formats.arrow_family import PARQUET_ROW_GROUP_ROWS
from formats.base import remove_path


def _read_all_then(read: Callable[[Path], pa.Table]) -> Callable[[Path, str], pa.Table]:
    return lambda p, c: read(p).select([c])


def _csv_pyarrow(table: pa.Table) -> dict[str, Callable]:
    """read_csv with the options the adapter decides from this table (quoted newlines only
    when a value holds one, "" vs null, the source's types), written out by hand."""
    from formats.source_hints import csv_column_types, has_line_break
    from formats.text_formats import _csv_convert, _csv_parse

    parse = _csv_parse(has_line_break(table))

    def read_column(p: Path, c: str) -> pa.Table:
        types = csv_column_types(table.schema, [c])
        return pacsv.read_csv(p, parse_options=parse, convert_options=_csv_convert([c], types))

    def read(p: Path) -> pa.Table:
        types = csv_column_types(table.schema)
        return pacsv.read_csv(p, parse_options=parse, convert_options=_csv_convert(None, types))

    return {"write": pacsv.write_csv, "read": read, "read_column": read_column}


def _csv_pandas() -> dict[str, Callable]:
    import pandas as pd

    def read(p: Path) -> pa.Table:
        return pa.Table.from_pandas(pd.read_csv(p), preserve_index=False)

    return {
        "write": lambda t, p: t.to_pandas().to_csv(p, index=False),
        "read": read,
        "read_column": lambda p, c: pa.Table.from_pandas(pd.read_csv(p, usecols=[c])),
    }


def _json_records() -> dict[str, Callable]:
    import orjson

    def read(p: Path) -> pa.Table:
        return pa.Table.from_pylist(orjson.loads(p.read_bytes()))

    opts = orjson.OPT_NAIVE_UTC
    return {
        "write": lambda t, p: p.write_bytes(orjson.dumps(t.to_pylist(), option=opts)),
        "read": read,
        "read_column": _read_all_then(read),
    }


def _jsonl(table: pa.Table) -> dict[str, Callable]:
    import orjson

    def write(t: pa.Table, p: Path) -> None:
        p.write_bytes(
            b"\n".join(orjson.dumps(r, option=orjson.OPT_NAIVE_UTC) for r in t.to_pylist())
        )

    def read_column(p: Path, c: str) -> pa.Table:
        from formats.source_hints import json_read_type

        wanted = pa.schema([(c, json_read_type(table.schema.field(c).type))])
        opts = pajson.ParseOptions(explicit_schema=wanted, unexpected_field_behavior="ignore")
        return pajson.read_json(p, parse_options=opts)

    return {"write": write, "read": pajson.read_json, "read_column": read_column}


def _msgpack() -> dict[str, Callable]:
    import msgpack

    def write(t: pa.Table, p: Path) -> None:
        # msgpack refuses naive datetimes: send them as ISO text, the cheapest default
        p.write_bytes(msgpack.packb(t.to_pylist(), default=lambda o: o.isoformat()))

    def read(p: Path) -> pa.Table:
        # the adapter's file: a header map, then one array per row
        with open(p, "rb") as fh:
            unpacker = msgpack.Unpacker(fh, timestamp=3)
            names = next(unpacker)["columns"]
            rows = list(unpacker)
        return pa.table(dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)))

    return {"write": write, "read": read, "read_column": _read_all_then(read)}


def _pickle() -> dict[str, Callable]:
    def read(p: Path) -> pa.Table:
        with open(p, "rb") as fh:
            return pickle.load(fh)

    def write(t: pa.Table, p: Path) -> None:
        with open(p, "wb") as fh:
            pickle.dump(t, fh, protocol=5)

    return {"write": write, "read": read, "read_column": _read_all_then(read)}


def _avro(table: pa.Table, workdir: Path) -> dict[str, Callable]:
    import fastavro

    from formats import get

    # the schema derivation is the adapter's (outside any timing); the direct path below
    # only uses fastavro itself
    probe = workdir / "schema-probe.avro"
    get("avro-fastavro").write(table.slice(0, 1), probe)
    with open(probe, "rb") as fh:
        schema = fastavro.parse_schema(fastavro.reader(fh).writer_schema)
    probe.unlink()

    def write(t: pa.Table, p: Path) -> None:
        with open(p, "wb") as fh:
            fastavro.writer(fh, schema, t.to_pylist())

    def read(p: Path) -> pa.Table:
        with open(p, "rb") as fh:
            return pa.Table.from_pylist(list(fastavro.reader(fh)))

    return {"write": write, "read": read, "read_column": _read_all_then(read)}


def _polars() -> dict[str, dict[str, Callable]]:
    """polars' own defaults, each read ending in the zero-copy hand-over the contract needs.

    Only the Parquet row group size is set: the adapter writes pyarrow's row groups too.
    """
    import polars as pl

    def arrow(frame: pl.DataFrame) -> pa.Table:
        return frame.to_arrow(compat_level=pl.CompatLevel.newest())

    def calls(write: str, read: Callable, column: Callable, **kw: Any) -> dict[str, Callable]:
        return {
            "write": lambda t, p: getattr(pl.from_arrow(t), write)(p, **kw),
            "read": lambda p: arrow(read(p)),
            "read_column": lambda p, c: arrow(column(p, c)),
        }

    def scanned(scan: Callable) -> Callable:
        return lambda p, c: scan(p).select(c).collect()

    return {
        "parquet-polars": calls(
            "write_parquet",
            pl.read_parquet,
            scanned(pl.scan_parquet),
            row_group_size=PARQUET_ROW_GROUP_ROWS,
        ),
        "feather-polars": calls("write_ipc", pl.read_ipc, scanned(pl.scan_ipc)),
        "csv-polars": calls("write_csv", pl.read_csv, scanned(pl.scan_csv)),
        "jsonl-polars": calls("write_ndjson", pl.read_ndjson, scanned(pl.scan_ndjson)),
        "avro-polars": calls("write_avro", pl.read_avro, lambda p, c: pl.read_avro(p, columns=[c])),
    }


def _duckdb(copy_format: str, read: str) -> dict[str, Callable]:
    """A DuckDB user's plain calls, every default left alone (types detected on read)."""
    import duckdb

    con = duckdb.connect()

    def write(t: pa.Table, p: Path) -> None:
        con.register("t", t)
        con.execute(f"COPY (SELECT * FROM t) TO '{p}' ({copy_format})")
        con.unregister("t")

    return {
        "write": write,
        "read": lambda p: con.sql(f"SELECT * FROM {read.format(p)}").to_arrow_table(),
        "read_column": lambda p, c: con.sql(f'SELECT "{c}" FROM {read.format(p)}').to_arrow_table(),
    }


def direct_calls(table: pa.Table, workdir: Path) -> dict[str, Callable[[], dict[str, Callable]]]:
    """adapter name -> factory of {op: direct library call}; built only when chosen."""
    return {
        "parquet-pyarrow": lambda: {
            "write": lambda t, p: pq.write_table(
                t,
                p,
                compression="snappy",
                row_group_size=PARQUET_ROW_GROUP_ROWS,
            ),  # fmt: skip
            "read": pq.read_table,
            "read_column": lambda p, c: pq.read_table(p, columns=[c]),
        },
        "feather": lambda: {
            "write": lambda t, p: feather.write_feather(t, p, compression="lz4", chunksize=65536),
            "read": feather.read_table,
            "read_column": lambda p, c: feather.read_table(p, columns=[c]),
        },
        "orc-pyarrow": lambda: {
            "write": lambda t, p: orc.write_table(t, p, compression="uncompressed"),
            "read": orc.read_table,
            "read_column": lambda p, c: orc.read_table(p, columns=[c]),
        },
        "csv-pyarrow": lambda: _csv_pyarrow(table),
        "csv-pandas": _csv_pandas,
        "json-orjson": _json_records,
        "jsonl-orjson": lambda: _jsonl(table),
        "msgpack": _msgpack,
        "pickle": _pickle,
        "avro-fastavro": lambda: _avro(table, workdir),
        "parquet-duckdb": lambda: _duckdb("FORMAT parquet", "read_parquet('{}')"),
        "csv-duckdb": lambda: _duckdb("FORMAT csv", "read_csv('{}')"),
        "jsonl-duckdb": lambda: _duckdb("FORMAT json", "read_json('{}')"),
        "json-duckdb": lambda: _duckdb("FORMAT json, ARRAY true", "read_json('{}')"),
    } | {name: functools.partial(_polars_call, name) for name in POLARS_ADAPTERS}


POLARS_ADAPTERS = ("parquet-polars", "feather-polars", "csv-polars", "jsonl-polars", "avro-polars")


def _polars_call(name: str) -> dict[str, Callable]:
    return _polars()[name]


def _read_column_defaults(read: Callable[..., pa.Table], **kw: Any) -> Callable:
    return lambda p, c: read(p, **{k: v([c]) for k, v in kw.items()})


def default_calls() -> dict[str, Callable[[], dict[str, Callable]]]:
    """adapter name -> factory of {op: the library called with no options at all}.

    What a user who never tunes anything gets: a reader or writer option the adapter sets
    (newlines in values, row group size, codec) must pay for itself against this.
    """
    import pandas as pd

    def pandas_read(p: Path, usecols: list[str] | None = None) -> pa.Table:
        return pa.Table.from_pandas(pd.read_csv(p, usecols=usecols), preserve_index=False)

    include = lambda cols: pacsv.ConvertOptions(include_columns=cols)  # noqa: E731
    return {
        "parquet-pyarrow": lambda: {
            "write": pq.write_table,
            "read": pq.read_table,
            "read_column": _read_column_defaults(pq.read_table, columns=list),
        },
        "feather": lambda: {
            "write": feather.write_feather,
            "read": feather.read_table,
            "read_column": _read_column_defaults(feather.read_table, columns=list),
        },
        "orc-pyarrow": lambda: {
            "write": orc.write_table,
            "read": orc.read_table,
            "read_column": _read_column_defaults(orc.read_table, columns=list),
        },
        "csv-pyarrow": lambda: {
            "write": pacsv.write_csv,
            "read": pacsv.read_csv,
            "read_column": _read_column_defaults(pacsv.read_csv, convert_options=include),
        },
        "csv-pandas": lambda: {
            "write": lambda t, p: t.to_pandas().to_csv(p, index=False),
            "read": pandas_read,
            "read_column": lambda p, c: pandas_read(p, [c]),
        },
        "jsonl-orjson": lambda: {
            "read": pajson.read_json,
            "read_column": lambda p, c: pajson.read_json(p).select([c]),
        },
    }


@dataclass
class Overhead:
    """One comparison row: the suite against the adapter's options and the library defaults."""

    adapter: str
    op: str
    suite_s: float
    direct_s: float
    limit: float
    defaults_s: float | None = None  # the library with no options; None: no such call

    @property
    def ratio(self) -> float:
        """Suite median over direct median; 1.0 means no overhead."""
        return self.suite_s / self.direct_s

    @property
    def defaults_ratio(self) -> float | None:
        """Suite median over the library-defaults median (None when not compared)."""
        return None if self.defaults_s is None else self.suite_s / self.defaults_s

    @property
    def ok(self) -> bool:
        """Within the allowed ratio of both baselines (defaults: reads only, since a write's
        layout choices change what is written, not just how fast)."""
        gated = self.defaults_ratio is not None and not self.op.startswith("write")
        return self.ratio <= self.limit and (not gated or self.defaults_ratio <= self.limit)


def _time(fn: Callable[[], Any], setup: Callable[[], None]) -> float:
    setup()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _bound(case: Case, direct: Callable, table: pa.Table, path: Path, target: Path) -> tuple:
    """(call, setup) of a direct library call for the case's operation."""
    if case.op == "write":
        return (lambda: direct(table, target)), (lambda: remove_path(target))
    if case.op == "read":
        return (lambda: direct(path)), (lambda: None)
    column = case.param["column"]
    return (lambda: direct(path, column)), (lambda: None)


def compare_case(
    cfg: RunConfig,
    case: Case,
    direct: Callable,
    workdir: Path,
    rounds: int,
    defaults: Callable | None = None,
) -> Overhead:
    """Alternate the suite's operation, the direct call and (if given) the library's
    defaults; medians of ``rounds`` each."""
    env = make_env(cfg, case, workdir, PreparedFiles(workdir))
    op = build_operation(env)
    table, path = env.dataset.table, env.prepared()
    target = workdir / f"direct.{env.adapter.extension}"
    calls = [_bound(case, fn, table, path, target) for fn in (direct, defaults) if fn]
    times: list[list[float]] = [[] for _ in range(len(calls) + 1)]
    for i in range(rounds + 1):  # round 0 warms every path and is dropped
        args, kwargs = op.setup()
        runs = [(functools.partial(op.fn, *args, **kwargs), lambda: None), *calls]
        order = list(range(len(runs)))
        order = order[i % len(order) :] + order[: i % len(order)]  # rotate who goes first
        for j in order:
            elapsed = _time(*runs[j])
            if i:
                times[j].append(elapsed)
    op.cleanup()
    medians = [statistics.median(t) for t in times]
    limit = env.adapter.overhead_limit  # 1.10 Arrow-native formats, 1.25 the others
    return Overhead(case.adapter, case.id.split("/")[-1], medians[0], medians[1], limit,
                    medians[2] if defaults else None)  # fmt: skip


def run_comparison(
    rows: int | None,
    rounds: int,
    workdir: Path,
    adapters: list[str] | None = None,
    report: Callable[[Overhead], None] = lambda row: None,
    dataset: str = "mixed",
) -> list[Overhead]:
    """Every (adapter, core op) with a direct call, on ``dataset`` (a dataset spec)."""
    from benchmarks.suite.data import load

    cfg = RunConfig(datasets=[dataset], rows=[rows])
    table = load(cfg, dataset, rows).table
    calls, plain = direct_calls(table, workdir), default_calls()
    results = []
    for name, factory in calls.items():
        if adapters and name not in adapters:
            continue
        ops, defaults = factory(), plain.get(name, dict)()
        codec = formats.get(name).available_codecs()[0]
        for op, fn in ops.items():
            columns = default_columns(table.schema) if op == "read_column" else [None]
            for column in columns:
                p = (("column", column),) if column else ()
                case = Case(dataset, rows, name, codec, op, p)
                row = compare_case(cfg, case, fn, workdir, rounds, defaults.get(op))
                results.append(row)
                report(row)
    return results
