"""Type fidelity: push every Arrow type family through an adapter and report what came back.

The verdicts are measured, never copied from a table of expectations: each column is
written alone, read back, and its type and values compared with the original.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from formats.base import FormatAdapter, UnsupportedType
from formats.retype import bits_equal, cast_back, decoded, same_kind

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


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)  # NaN is kept; NaN -> null is a change
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)  # -0.0 is not 0.0
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


class _Instant(int):
    """A timestamp as its integer count since the epoch, shown as UTC wall-clock text.

    Python datetimes cannot hold nanoseconds, and pandas overflows converting the ends of
    the ns range to a zone; integers compare exactly.
    """

    text = ""

    def __repr__(self) -> str:
        return self.text


def _values(column: pa.ChunkedArray) -> list[object]:
    """Python values to compare; timestamps as exact integers (see _Instant)."""
    if not pa.types.is_timestamp(column.type):
        return column.to_pylist()
    counts = column.cast(pa.int64()).to_pylist()
    texts = column.cast(pa.timestamp(column.type.unit)).cast(pa.string()).to_pylist()
    out: list[object] = []
    for count, text in zip(counts, texts, strict=True):
        if count is None:
            out.append(None)
            continue
        instant = _Instant(count)
        instant.text = text
        out.append(instant)
    return out


def _zone_to_utc(before: pa.DataType, after: pa.DataType) -> bool:
    """Same unit, a non-UTC zone before and UTC after: instants can still be compared."""
    both = pa.types.is_timestamp(before) and pa.types.is_timestamp(after)
    return (
        both and before.unit == after.unit and before.tz not in (None, "UTC") and after.tz == "UTC"
    )


def compare_column(original: pa.ChunkedArray, back: pa.ChunkedArray) -> tuple[str, str]:
    """('lossless', ''), ('retyped', 'a -> b') or ('changed', 'what changed') for one column.

    ``retyped``: another type of the same kind (formats.retype) whose values, cast back,
    are the source's; anything else that differs (values, nulls, NaN, -0.0, zone, kind)
    is ``changed``.
    """
    changes = []
    retyped = ""
    if _zone_to_utc(original.type, back.type):
        # one rule for every format: the instants are compared, the zone change is named
        changes.append(f"instants kept, zone {original.type.tz} -> UTC")
        back = back.cast(original.type)
    elif original.type != back.type:
        again = cast_back(back, original.type) if same_kind(original.type, back.type) else None
        if again is not None:
            retyped, original, back = f"{original.type} -> {back.type}", decoded(original), again
        else:
            changes.append(f"{original.type} -> {back.type}")
    if len(original) != len(back):
        return "changed", "; ".join([*changes, f"{len(original)} rows -> {len(back)} rows"])
    value_changes = [
        _describe_value_change(a, b)
        for a, b in zip(_values(original), _values(back), strict=True)
        if not _same(a, b)
    ]
    if value_changes:
        more = f" (+{len(value_changes) - 2} more)" if len(value_changes) > 2 else ""
        changes = [retyped, *changes] if retyped else changes
        changes.append("values: " + ", ".join(value_changes[:2]) + more)
    if changes:
        return "changed", "; ".join(changes)
    return ("retyped", retyped) if retyped else ("lossless", "")


def _reraise_interrupts(exc: BaseException) -> None:
    """Ctrl-C and exit stop the matrix; any other failure (a Rust panic, pyo3's
    BaseException, included) is one cell's verdict."""
    if not isinstance(exc, Exception) and type(exc).__module__ != "pyo3_runtime":
        raise exc


def check_column(adapter: FormatAdapter, table: pa.Table, column: str, workdir: Path) -> Verdict:
    """Round-trip one column through ``adapter`` and judge it."""
    path = workdir / adapter.file_name(f"fid-{column}")
    single = table.select([column])
    try:
        adapter.write(single, path)
    except UnsupportedType as exc:
        return Verdict(adapter.name, column, "unsupported", str(exc))
    except BaseException as exc:  # an adapter bug must not hide the other verdicts
        _reraise_interrupts(exc)
        return Verdict(adapter.name, column, "error", f"write failed: {type(exc).__name__}: {exc}")
    try:
        back = adapter.read(path)
    except BaseException as exc:  # same: record it, keep going
        _reraise_interrupts(exc)
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


def column_verdict(expected: pa.ChunkedArray, back: pa.ChunkedArray) -> tuple[str, str]:
    """compare_column's verdict for a column of any length: Arrow's equality first, and
    only a slice that differs described in Python (no second copy of a big table)."""
    same_type = expected.type == back.type
    if same_type and bits_equal(expected, back):
        return "lossless", ""
    retype = f"{expected.type} -> {back.type}"
    if not same_type:
        again = cast_back(back, expected.type)
        if again is not None and bits_equal(decoded(expected), again):
            # the values survived: only the type moved, or its meaning (zone, kind) did
            kept = same_kind(expected.type, back.type)
            return ("retyped" if kept else "changed"), retype
    for start in range(0, len(expected), _COMPARE_ROWS):
        a, b = expected.slice(start, _COMPARE_ROWS), back.slice(start, _COMPARE_ROWS)
        if a.type == b.type and bits_equal(a, b):
            continue
        status, detail = compare_column(a, b)  # NaN == NaN here, Arrow's equals says no
        if status == "changed":
            return status, detail
    return ("lossless", "") if same_type else ("retyped", retype)


@dataclass(frozen=True)
class RoundTrip:
    """A table's round trip: the worst verdict, the columns changed and those retyped."""

    status: str  # lossless | retyped | changed
    changed: list[str] = field(default_factory=list)  # 'col: how', values or meaning moved
    retyped: list[str] = field(default_factory=list)  # 'col: a -> b', values kept

    def info(self) -> dict[str, Any]:
        """The results' keys: round_trip, and the columns that changed or were retyped."""
        out: dict[str, Any] = {"round_trip": self.status}
        if self.changed:
            out |= {"round_trip_change": self.changed[0], "round_trip_changes": self.changed}
        if self.retyped:
            out["round_trip_retyped"] = self.retyped
        return out


def round_trip(expected: pa.Table | list[pa.RecordBatch], back: pa.Table) -> RoundTrip:
    """Judge a table an adapter returned against the source (or its selection).

    ``expected`` may be record batches (a filter applied piecewise to the source).
    """
    if not isinstance(expected, pa.Table):
        schema = expected[0].schema if expected else back.schema
        expected = pa.Table.from_batches(expected, schema)  # zero-copy over the batches
    if expected.column_names != back.column_names:
        return RoundTrip("changed", [f"columns {expected.column_names} -> {back.column_names}"])
    if expected.num_rows != back.num_rows:
        return RoundTrip("changed", [f"{expected.num_rows} rows -> {back.num_rows} rows"])
    found: dict[str, list[str]] = {"changed": [], "retyped": []}
    for name in expected.column_names:
        status, detail = column_verdict(expected.column(name), back.column(name))
        if status != "lossless":
            found[status].append(f"{name}: {detail}")
    status = "changed" if found["changed"] else "retyped" if found["retyped"] else "lossless"
    return RoundTrip(status, found["changed"], found["retyped"])


def compare_tables(
    expected: pa.Table | list[pa.RecordBatch], back: pa.Table
) -> tuple[str, list[str]]:
    """(verdict, ['col: how', ...]): round_trip's verdict and every column that moved,
    changed ones first."""
    result = round_trip(expected, back)
    return result.status, [*result.changed, *result.retyped]
