"""Each format's library called directly with its DEFAULTS: what a user who never tunes
anything writes, for scripts/compare_direct.py to time against the adapter.

Every call takes what the adapter's operation takes (a table and a path to write; the
file the adapter wrote to read) and uses only the library's own public API with no
options; schema derivation a library needs from the user (Avro, Protobuf) is done once,
untimed, from the adapter's own derivation. Values a library cannot encode by default
(Decimal in JSON and MessagePack, datetimes in MessagePack) go through the smallest
``default=`` hook, as a user would write it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa

#: op -> call; ops: write(table, path), read(path), read_column(path, column).
Calls = dict[str, Callable[..., Any]]


def _then_select(read: Callable[[Path], pa.Table]) -> Callable[[Path, str], pa.Table]:
    return lambda p, c: read(p).select([c])


def _json_default(value: Any) -> Any:
    """What orjson / msgpack cannot encode by default: Decimal as exact text, other
    temporal values as ISO text, bytes as latin-1 text."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.time | dt.datetime | dt.timedelta):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("latin-1")
    raise TypeError(f"cannot encode {type(value).__name__}")


def _arrow_family() -> dict[str, Calls]:
    import pyarrow.csv as pacsv
    import pyarrow.feather as feather
    import pyarrow.json as pajson
    import pyarrow.orc as orc
    import pyarrow.parquet as pq

    return {
        "parquet-pyarrow": {
            "write": pq.write_table,
            "read": pq.read_table,
            "read_column": lambda p, c: pq.read_table(p, columns=[c]),
        },
        "feather": {
            "write": feather.write_feather,
            "read": feather.read_table,
            "read_column": lambda p, c: feather.read_table(p, columns=[c]),
        },
        "orc-pyarrow": {
            "write": orc.write_table,
            "read": orc.read_table,
            "read_column": lambda p, c: orc.read_table(p, columns=[c]),
        },
        "csv-pyarrow": {
            "write": pacsv.write_csv,
            "read": pacsv.read_csv,
            "read_column": lambda p, c: pacsv.read_csv(
                p, convert_options=pacsv.ConvertOptions(include_columns=[c])
            ),
        },
        "jsonl-orjson": {
            "write": _jsonl_write,
            "read": pajson.read_json,
            "read_column": _then_select(pajson.read_json),
        },
    }


def _jsonl_write(table: pa.Table, path: Path) -> None:
    import orjson

    with open(path, "wb") as f:
        for row in table.to_pylist():
            f.write(orjson.dumps(row, default=_json_default, option=orjson.OPT_APPEND_NEWLINE))


def _json_records() -> Calls:
    import orjson

    def read(p: Path) -> pa.Table:
        return pa.Table.from_pylist(orjson.loads(p.read_bytes()))

    def write(t: pa.Table, p: Path) -> None:
        p.write_bytes(orjson.dumps(t.to_pylist(), default=_json_default))

    return {"write": write, "read": read, "read_column": _then_select(read)}


def _csv_pandas() -> Calls:
    import pandas as pd

    def read(p: Path, usecols: list[str] | None = None) -> pa.Table:
        return pa.Table.from_pandas(pd.read_csv(p, usecols=usecols), preserve_index=False)

    return {
        "write": lambda t, p: t.to_pandas().to_csv(p, index=False),
        "read": read,
        "read_column": lambda p, c: read(p, [c]),
    }


def _msgpack() -> Calls:
    import msgpack

    def write(t: pa.Table, p: Path) -> None:
        p.write_bytes(msgpack.packb(t.to_pylist(), default=_json_default))

    def read(p: Path) -> pa.Table:
        # the adapter's file: a header map, then one array per row
        with open(p, "rb") as fh:
            unpacker = msgpack.Unpacker(fh, timestamp=3)
            names = next(unpacker)["columns"]
            rows = list(unpacker)
        return pa.table(dict(zip(names, map(list, zip(*rows, strict=True)), strict=True)))

    return {"write": write, "read": read, "read_column": _then_select(read)}


def _pickle() -> Calls:
    def read(p: Path) -> pa.Table:
        with open(p, "rb") as fh:
            return pickle.load(fh)

    def write(t: pa.Table, p: Path) -> None:
        with open(p, "wb") as fh:
            pickle.dump(t, fh)

    return {"write": write, "read": read, "read_column": _then_select(read)}


def _avro(table: pa.Table, workdir: Path) -> Calls:
    import fastavro

    from formats import get

    probe = workdir / "schema-probe.avro"  # the adapter derives the schema, untimed
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

    return {"write": write, "read": read, "read_column": _then_select(read)}


def _polars(name: str) -> Calls:
    """polars' readers and writers with no options; reads end in the Arrow hand-over."""
    import polars as pl

    write, read, scan = {
        "parquet-polars": ("write_parquet", pl.read_parquet, pl.scan_parquet),
        "feather-polars": ("write_ipc", pl.read_ipc, pl.scan_ipc),
        "csv-polars": ("write_csv", pl.read_csv, pl.scan_csv),
        "jsonl-polars": ("write_ndjson", pl.read_ndjson, pl.scan_ndjson),
        "avro-polars": ("write_avro", pl.read_avro, None),
    }[name]

    def column(p: Path, c: str) -> Any:
        return pl.read_avro(p, columns=[c]) if scan is None else scan(p).select(c).collect()

    return {
        "write": lambda t, p: getattr(pl.from_arrow(t), write)(p),
        "read": lambda p: read(p).to_arrow(),
        "read_column": lambda p, c: column(p, c).to_arrow(),
    }


def _duckdb(copy_format: str, reader: str) -> Calls:
    """A DuckDB user's plain calls, every default left alone (types detected on read)."""
    import duckdb

    con = duckdb.connect()

    def write(t: pa.Table, p: Path) -> None:
        con.register("t", t)
        con.execute(f"COPY (SELECT * FROM t) TO '{p}' ({copy_format})")
        con.unregister("t")

    return {
        "write": write,
        "read": lambda p: con.sql(f"SELECT * FROM {reader}('{p}')").to_arrow_table(),
        "read_column": lambda p, c: con.sql(
            f"SELECT \"{c}\" FROM {reader}('{p}')"
        ).to_arrow_table(),
    }


def _lance() -> Calls:
    import lance

    return {
        "write": lambda t, p: lance.write_dataset(t, str(p)),
        "read": lambda p: lance.dataset(str(p)).to_table(),
        "read_column": lambda p, c: lance.dataset(str(p)).to_table(columns=[c]),
    }


def _vortex() -> Calls:
    import vortex as vx

    return {
        "write": lambda t, p: vx.io.write(t, str(p)),
        "read": lambda p: vx.open(str(p)).to_arrow().read_all(),
        "read_column": lambda p, c: vx.open(str(p)).to_arrow([c]).read_all(),
    }


def _fastparquet() -> Calls:
    import fastparquet

    def read(p: Path, columns: list[str] | None = None) -> pa.Table:
        frame = fastparquet.ParquetFile(str(p)).to_pandas(columns=columns)
        return pa.Table.from_pandas(frame, preserve_index=False)

    return {
        "write": lambda t, p: fastparquet.write(str(p), t.to_pandas()),
        "read": read,
        "read_column": lambda p, c: read(p, [c]),
    }


def factories(table: pa.Table, workdir: Path) -> dict[str, Callable[[], Calls]]:
    """adapter name -> factory of its library's default calls, built only when chosen."""
    from benchmarks.suite.direct_proto import protobuf_calls

    arrow = _arrow_family
    out: dict[str, Callable[[], Calls]] = {
        name: (lambda n=name: arrow()[n])
        for name in ("parquet-pyarrow", "feather", "orc-pyarrow", "csv-pyarrow", "jsonl-orjson")
    }
    out |= {
        "csv-pandas": _csv_pandas,
        "json-orjson": _json_records,
        "msgpack": _msgpack,
        "pickle": _pickle,
        "avro-fastavro": lambda: _avro(table, workdir),
        "parquet-duckdb": lambda: _duckdb("FORMAT parquet", "read_parquet"),
        "csv-duckdb": lambda: _duckdb("FORMAT csv", "read_csv"),
        "jsonl-duckdb": lambda: _duckdb("FORMAT json", "read_json"),
        "json-duckdb": lambda: _duckdb("FORMAT json, ARRAY true", "read_json"),
        "parquet-fastparquet": _fastparquet,
        "lance": _lance,
        "vortex": _vortex,
        "protobuf": lambda: protobuf_calls(table),
    }
    polars = ("parquet-polars", "feather-polars", "csv-polars", "jsonl-polars", "avro-polars")
    out |= {name: (lambda n=name: _polars(n)) for name in polars}
    return out
