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
from benchmarks.suite.ops import build_operation
from formats.arrow_family import PARQUET_ROW_GROUP_ROWS
from formats.base import remove_path

#: Allowed ratio suite/direct: 1.10 for the Arrow-native formats, 1.25 for the others.
LIMITS = {
    "parquet-pyarrow": 1.10,
    "feather": 1.10,
    "orc-pyarrow": 1.10,
    "csv-pyarrow": 1.10,
    "parquet-duckdb": 1.10,
}
OTHER_LIMIT = 1.25


def _read_all_then(read: Callable[[Path], pa.Table]) -> Callable[[Path, str], pa.Table]:
    return lambda p, c: read(p).select([c])


def _csv_pyarrow() -> dict[str, Callable]:
    """read_csv with the options that read this file correctly (quoted newlines, "" vs null).

    pyarrow's defaults are faster but split rows at newlines inside quoted values without
    an error, so they are not a fair baseline for a file that may hold them.
    """
    from formats.text_formats import _csv_convert, _csv_parse

    def read_column(p: Path, c: str) -> pa.Table:
        return pacsv.read_csv(p, parse_options=_csv_parse(), convert_options=_csv_convert([c]))

    return {
        "write": pacsv.write_csv,
        "read": lambda p: pacsv.read_csv(
            p, parse_options=_csv_parse(), convert_options=_csv_convert(None)
        ),
        "read_column": read_column,
    }


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


def _jsonl() -> dict[str, Callable]:
    import orjson

    def write(t: pa.Table, p: Path) -> None:
        p.write_bytes(
            b"\n".join(orjson.dumps(r, option=orjson.OPT_NAIVE_UTC) for r in t.to_pylist())
        )

    read = pajson.read_json
    return {"write": write, "read": read, "read_column": _read_all_then(read)}


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
                write_page_index=True,
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
        "csv-pyarrow": _csv_pyarrow,
        "csv-pandas": _csv_pandas,
        "json-orjson": _json_records,
        "jsonl-orjson": _jsonl,
        "msgpack": _msgpack,
        "pickle": _pickle,
        "avro-fastavro": lambda: _avro(table, workdir),
        "parquet-duckdb": lambda: _duckdb("FORMAT parquet", "read_parquet('{}')"),
        "csv-duckdb": lambda: _duckdb("FORMAT csv", "read_csv('{}')"),
        "jsonl-duckdb": lambda: _duckdb("FORMAT json", "read_json('{}')"),
        "json-duckdb": lambda: _duckdb("FORMAT json, ARRAY true", "read_json('{}')"),
    }


@dataclass
class Overhead:
    """One comparison row."""

    adapter: str
    op: str
    suite_s: float
    direct_s: float
    limit: float

    @property
    def ratio(self) -> float:
        """Suite median over direct median; 1.0 means no overhead."""
        return self.suite_s / self.direct_s

    @property
    def ok(self) -> bool:
        """Within the allowed ratio."""
        return self.ratio <= self.limit


def _time(fn: Callable[[], Any], setup: Callable[[], None]) -> float:
    setup()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def compare_case(
    cfg: RunConfig, case: Case, direct: Callable, workdir: Path, rounds: int
) -> Overhead:
    """Alternate the suite's operation and the direct call; medians of ``rounds`` each."""
    env = make_env(cfg, case, workdir, PreparedFiles(workdir))
    op = build_operation(env)
    table, path = env.dataset.table, env.prepared()
    target = workdir / f"direct.{env.adapter.extension}"
    if case.op == "write":
        direct_fn = lambda: direct(table, target)  # noqa: E731
        direct_setup = lambda: remove_path(target)  # noqa: E731
    elif case.op == "read":
        direct_fn, direct_setup = (lambda: direct(path)), (lambda: None)
    else:
        column = case.param["column"]
        direct_fn, direct_setup = (lambda: direct(path, column)), (lambda: None)
    suite_times, direct_times = [], []
    for i in range(rounds + 1):  # round 0 warms both paths and is dropped
        args, kwargs = op.setup()
        pair = [
            (suite_times, functools.partial(op.fn, *args, **kwargs), lambda: None),
            (direct_times, direct_fn, direct_setup),
        ]
        for times, fn, setup in pair[:: 1 if i % 2 else -1]:  # alternate who goes first
            elapsed = _time(fn, setup)
            if i:
                times.append(elapsed)
    op.cleanup()
    limit = LIMITS.get(case.adapter, OTHER_LIMIT)
    return Overhead(case.adapter, case.id.split("/")[-1], statistics.median(suite_times),
                    statistics.median(direct_times), limit)  # fmt: skip


def run_comparison(
    rows: int | None,
    rounds: int,
    workdir: Path,
    adapters: list[str] | None = None,
    report: Callable[[Overhead], None] = lambda row: None,
    dataset: str = "mixed",
) -> list[Overhead]:
    """Every (adapter, core op) with a direct call, on ``dataset`` (default ``mixed``)."""
    from benchmarks.suite.data import load

    cfg = RunConfig(rows=[rows])
    table = load(cfg, dataset, rows).table
    calls = direct_calls(table, workdir)
    results = []
    for name, factory in calls.items():
        if adapters and name not in adapters:
            continue
        ops = factory()
        codec = formats.get(name).available_codecs()[0]
        for op, fn in ops.items():
            columns = default_columns(table.schema) if op == "read_column" else [None]
            for column in columns:
                p = (("column", column),) if column else ()
                case = Case(dataset, rows, name, codec, op, p)
                results.append(compare_case(cfg, case, fn, workdir, rounds))
                report(results[-1])
    return results
