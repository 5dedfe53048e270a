"""Type fidelity: push every Arrow type family through an adapter and report what came back.

The verdicts are measured, never copied from a table of expectations: each column is
written alone, read back, and its type and values compared with the original.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import pyarrow as pa

from formats.base import FormatAdapter, UnsupportedType
from formats.compare import (  # noqa: F401  (re-exported: the suite and tests import them here)
    RoundTrip,
    column_verdict,
    compare_column,
    compare_tables,
    judge_read,
    reraise_interrupts,
    round_trip,
)
from formats.independent import IndependentCheck, independent_reader

_D = decimal.Decimal


def fidelity_table() -> pa.Table:
    """Five rows per column covering every type family, its extremes and a null in each."""
    ts = [dt.datetime(2024, 3, 1, 12, 30, 15, 123456), dt.datetime(1970, 1, 1), None]
    ts += [dt.datetime(2262, 4, 11), dt.datetime(1900, 1, 1, 0, 0, 0, 1)]
    cols = {
        "int8": pa.array([-128, 127, 0, None, 1], pa.int8()),
        "int16": pa.array([-32768, 32767, 0, None, 1], pa.int16()),
        "int32": pa.array([-(2**31), 2**31 - 1, 0, None, 1], pa.int32()),
        "int64": pa.array([-(2**63), 2**63 - 1, 0, None, 2**53 + 1], pa.int64()),
        "uint64": pa.array([0, 2**64 - 1, 2**63, None, 1], pa.uint64()),
        "float32": pa.array([1.5, math.nan, math.inf, None, -math.inf], pa.float32()),
        "float64": pa.array([0.1, math.nan, -math.inf, None, 1e308], pa.float64()),
        "bool": pa.array([True, False, True, None, False], pa.bool_()),
        "utf8": pa.array(
            ["héllo wörld", "🦜 emoji", "", None, 'line\nbreak, "quoted"'], pa.string()
        ),
        "binary": pa.array([b"\x00\xff\x10", b"", b"abc", None, b'\n,"'], pa.binary()),
        "date32": pa.array(
            [
                dt.date(2024, 2, 29),
                dt.date(1970, 1, 1),
                dt.date(1, 1, 1),
                None,
                dt.date(9999, 12, 31),
            ],
            pa.date32(),
        ),
        "timestamp_ns": pa.array(ts, pa.timestamp("ns")),
        "timestamp_ns_tz": pa.array(ts, pa.timestamp("ns", tz="Europe/Paris")),
        "decimal128": pa.array(
            [_D("12345678901234.5678"), _D("-0.0001"), _D("0"), None, _D("1.5")],
            pa.decimal128(20, 4),
        ),
        "decimal256": pa.array(
            [_D("1" * 47 + ".123"), _D("-0.001"), _D("0"), None, _D("1.5")], pa.decimal256(50, 3)
        ),
        "interval": pa.array(
            [(1, 2, 3), (-1, 0, -(2**63)), (0, 0, 0), None, (2**31 - 1, -(2**31), 2**63 - 1)],
            pa.month_day_nano_interval(),
        ),
        "dictionary": pa.array(["red", "green", "red", None, "blue"]).dictionary_encode(),
        "list": pa.array([[1, 2, 3], [], [None], None, [4]], pa.list_(pa.int64())),
        "struct": pa.array(
            [
                {"a": 1, "b": "x"},
                {"a": None, "b": ""},
                {"a": 3, "b": None},
                None,
                {"a": 5, "b": "y"},
            ],
            pa.struct([("a", pa.int64()), ("b", pa.string())]),
        ),
        "all_null": pa.nulls(5, pa.int64()),
        **_hard_values(),
    }
    return pa.table(cols)


#: A column name no format should trip over: spaces, dots, a comma, quotes, non-ASCII.
AWKWARD_NAME = "a b.c,\"d\" 'é' 名"


def _hard_values() -> dict[str, pa.Array]:
    """Values that break naive round trips: the ns range's ends, sub-microsecond instants,
    -0.0, strings readers take for null, decimal128 at full precision, an awkward name."""
    ns = [-(2**63) + 1, 2**63 - 1, 1_704_067_200_000_000_001, None, 0]  # 1677-09-21 ... 2262
    big = "9999999999999999999999999999.9999999999"
    return {
        "float64_signed_zero": pa.array([-0.0, 0.0, 1.0, None, -1.0], pa.float64()),
        "utf8_null_words": pa.array(["NA", "null", "NaN", None, "None"], pa.string()),
        "timestamp_ns_extremes": pa.array(ns, pa.int64()).cast(pa.timestamp("ns")),
        "timestamp_ns_tz_extremes": pa.array(ns, pa.int64()).cast(pa.timestamp("ns", "Asia/Tokyo")),
        "decimal128_38_10": pa.array(
            [_D(big), _D("-" + big), _D("-0.0000000001"), None, _D("0E-10")],
            pa.decimal128(38, 10),
        ),
        AWKWARD_NAME: pa.array([1, 2, 3, None, 5], pa.int64()),
    }


@dataclass(frozen=True)
class Verdict:
    """What happened to one column in one adapter's round trip."""

    adapter: str
    column: str
    status: str  # lossless | retyped | changed | unsupported | error
    detail: str = ""
    #: What a text reader was told: 'file' (the file alone) or 'declared' (the source's
    #: types); '' for formats that carry their schema.
    schema: str = ""
    #: The independent reader that also read the file ('' when none: see formats/independent).
    checked_by: str = ""


def check_column(
    adapter: FormatAdapter,
    table: pa.Table,
    column: str,
    workdir: Path,
    independent: IndependentCheck | None = None,
) -> Verdict:
    """Round-trip one column through ``adapter`` and judge it, on its own read-back and,
    given ``independent``, on what the format's independent reader finds in the file."""
    path = workdir / adapter.file_name(f"fid-{column}")
    single = table.select([column])
    mode = str(adapter.options.get("schema", ""))
    try:
        adapter.write(single, path)
    except UnsupportedType as exc:
        return Verdict(adapter.name, column, "unsupported", str(exc), mode)
    except BaseException as exc:  # an adapter bug must not hide the other verdicts
        reraise_interrupts(exc)
        why = f"write failed: {type(exc).__name__}: {exc}"
        return Verdict(adapter.name, column, "error", why, mode)
    adapter.know_source(single)  # as the suite does; read with it only when schema=declared
    status, detail = judge_read(adapter, single, path)
    if independent is None or status in ("error", "changed"):
        return Verdict(adapter.name, column, status, detail, mode)
    status, detail = independent.verdict(single, path, status) or (status, detail)
    return Verdict(adapter.name, column, status, detail, mode, independent.reader.name)


def fidelity_matrix(adapters: list[FormatAdapter], independent: bool = True) -> list[Verdict]:
    """Every (adapter, column) verdict for the fidelity table; ``independent``: each file
    is also read by its format's independent reader (formats.independent)."""
    table = fidelity_table()
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="fmtbench-fidelity-") as tmp:
        for adapter in adapters:
            reader = independent_reader(adapter) if independent else None
            check = IndependentCheck(reader, Path(tmp)) if reader else None
            for column in table.column_names:
                verdicts.append(check_column(adapter, table, column, Path(tmp), check))
    return verdicts


def verdicts_as_dicts(verdicts: list[Verdict]) -> list[dict[str, str]]:
    """JSON-ready verdicts."""
    return [asdict(v) for v in verdicts]
