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
    }
    return pa.table(cols)


@dataclass(frozen=True)
class Verdict:
    """What happened to one column in one adapter's round trip."""

    adapter: str
    column: str
    status: str  # lossless | changed | unsupported | error
    detail: str = ""


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _describe_value_change(before: object, after: object) -> str:
    if isinstance(before, float) and math.isnan(before):
        return "NaN -> " + ("null" if after is None else repr(after))
    return f"{_show(before)} -> {_show(after)}"


def _show(value: object) -> str:
    return "null" if value is None else repr(value)


def compare_column(original: pa.ChunkedArray, back: pa.ChunkedArray) -> tuple[str, str]:
    """('lossless', '') or ('changed', 'what changed') for one column after a round trip."""
    changes = []
    if original.type != back.type:
        changes.append(f"{original.type} -> {back.type}")
    if len(original) != len(back):
        return "changed", "; ".join([*changes, f"{len(original)} rows -> {len(back)} rows"])
    value_changes = [
        _describe_value_change(a, b)
        for a, b in zip(original.to_pylist(), back.to_pylist(), strict=True)
        if not _same(a, b)
    ]
    if value_changes:
        more = f" (+{len(value_changes) - 2} more)" if len(value_changes) > 2 else ""
        changes.append("values: " + ", ".join(value_changes[:2]) + more)
    return ("changed", "; ".join(changes)) if changes else ("lossless", "")


def check_column(adapter: FormatAdapter, table: pa.Table, column: str, workdir: Path) -> Verdict:
    """Round-trip one column through ``adapter`` and judge it."""
    path = workdir / adapter.file_name(f"fid-{column}")
    single = table.select([column])
    try:
        adapter.write(single, path)
    except UnsupportedType as exc:
        return Verdict(adapter.name, column, "unsupported", str(exc))
    except Exception as exc:  # an adapter bug must not hide the other verdicts
        return Verdict(adapter.name, column, "error", f"write failed: {type(exc).__name__}: {exc}")
    try:
        back = adapter.read(path)
    except Exception as exc:  # same: record it, keep going
        return Verdict(adapter.name, column, "error", f"read failed: {type(exc).__name__}: {exc}")
    if back.column_names != [column]:
        return Verdict(adapter.name, column, "changed", f"columns {back.column_names}")
    status, detail = compare_column(single.column(0), back.column(0))
    return Verdict(adapter.name, column, status, detail)


def fidelity_matrix(adapters: list[FormatAdapter]) -> list[Verdict]:
    """Every (adapter, column) verdict for the fidelity table."""
    table = fidelity_table()
    verdicts = []
    with tempfile.TemporaryDirectory(prefix="fmtbench-fidelity-") as tmp:
        for adapter in adapters:
            for column in table.column_names:
                verdicts.append(check_column(adapter, table, column, Path(tmp)))
    return verdicts


def verdicts_as_dicts(verdicts: list[Verdict]) -> list[dict[str, str]]:
    """JSON-ready verdicts."""
    return [asdict(v) for v in verdicts]


#: Rows compared at a time when a fast Arrow equality fails: bounds the Python objects
#: ``compare_column`` makes to describe the change.
_COMPARE_ROWS = 65_536


def _first_change(expected: pa.ChunkedArray, back: pa.ChunkedArray) -> str:
    """'' when equal, else compare_column's description of the first differing slice."""
    same_type = expected.type == back.type
    if same_type and expected.equals(back):
        return ""
    if not same_type and _equal_as(expected, back):
        return f"{expected.type} -> {back.type}"  # the values survived, only the type moved
    for start in range(0, len(expected), _COMPARE_ROWS):
        a, b = expected.slice(start, _COMPARE_ROWS), back.slice(start, _COMPARE_ROWS)
        if a.type == b.type and a.equals(b):
            continue
        status, detail = compare_column(a, b)  # NaN == NaN here, Arrow's equals says no
        if status == "changed":
            return detail
    return f"{expected.type} -> {back.type}" if not same_type else ""


def _equal_as(expected: pa.ChunkedArray, back: pa.ChunkedArray) -> bool:
    """Whether ``back`` cast to the source type equals it (int8 -> int64, us -> ns)."""
    try:
        return expected.equals(back.cast(expected.type))
    except (pa.ArrowException, NotImplementedError):
        return False


def compare_tables(
    expected: pa.Table | list[pa.RecordBatch], back: pa.Table
) -> tuple[str, list[str]]:
    """('lossless', []) or ('changed', ['col: how', ...]) for a table an adapter returned.

    Types are always compared; values with Arrow's own equality, a slice at a time, and only
    a slice that differs is described in Python, so a big table costs no second copy.
    ``expected`` may be record batches (a filter applied piecewise to the source).
    """
    if not isinstance(expected, pa.Table):
        schema = expected[0].schema if expected else back.schema
        expected = pa.Table.from_batches(expected, schema)  # zero-copy over the batches
    if expected.column_names != back.column_names:
        return "changed", [f"columns {expected.column_names} -> {back.column_names}"]
    if expected.num_rows != back.num_rows:
        return "changed", [f"{expected.num_rows} rows -> {back.num_rows} rows"]
    changes = []
    for name in expected.column_names:
        detail = _first_change(expected.column(name), back.column(name))
        if detail:
            changes.append(f"{name}: {detail}")
    return ("changed", changes) if changes else ("lossless", [])
