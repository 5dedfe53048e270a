"""Comparing what came back with what was written: lossless, retyped or changed.

Shared by the fidelity matrix (formats/fidelity.py), its independent reader
(formats/independent.py) and the suite's round-trip check of every case
(``round_trip``): one set of rules for every format.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from formats.base import FormatAdapter
from formats.retype import bits_equal, cast_back, decoded, kind, same_kind


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


def values_of(column: pa.ChunkedArray) -> list[object]:
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


def _value_changes(original: pa.ChunkedArray, back: pa.ChunkedArray) -> list[str]:
    """Each differing value as 'before -> after'. A column read back as text is compared
    with the source's own text, so the values named are those that really moved
    (``-infinity``, null -> '') rather than every value of a retyped column."""
    pairs = list(zip(values_of(original), values_of(back), strict=True))
    if kind(back.type) == "string" and kind(original.type) != "string":
        try:
            text = decoded(original).cast(pa.string()).to_pylist()
        except (pa.ArrowException, NotImplementedError, TypeError):
            text = None
        if text is not None:
            target = decoded(original).type
            differ = [p for p, t in zip(pairs, text, strict=True) if t != p[1]]
            moved = [
                (a, b)
                for i, (a, b) in enumerate(differ)
                if i >= _PARSED_BACK or not parses_to(b, a, target)
            ]
            moved.sort(key=lambda p: p[0] is not None and p[1] is not None)  # nulls first
            return [_describe_value_change(a, b) for a, b in moved] or ["kept as text"]
    return [_describe_value_change(a, b) for a, b in pairs if not _same(a, b)]


def _numpy_instant(text: str, unit: str) -> int | None:
    """The count since the epoch numpy parses ``text`` as (UTC 'Z' allowed), None when it
    cannot or the text names another offset."""
    import warnings

    import numpy as np

    text = text.strip()
    text = text[:-1] if text.endswith("Z") else text
    if "+" in text[10:] or text[10:].count("-") > 0:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return int(np.datetime64(text, unit).astype(np.int64))
    except (ValueError, OverflowError):
        return None


#: Differing texts parsed back one by one to tell formatting from a real change; the rest
#: count as changed (bounds the cost on a big column).
_PARSED_BACK = 64


def parses_to(text: object, value: object, type_: pa.DataType) -> bool:
    """Whether ``text`` is ``value`` written differently ('1.5000' for 1.5, a timestamp
    with fewer fraction digits): Arrow's cast of the text to the source type gives it."""
    if not isinstance(text, str) or value is None:
        return False
    if pa.types.is_timestamp(type_) and isinstance(value, int):
        instant = _numpy_instant(text, type_.unit)
        if instant is not None:  # Arrow's parser overflows at the ends of the ns range
            return instant == int(value)
    try:
        parsed = pa.array([text]).cast(type_)
    except (pa.ArrowException, NotImplementedError, TypeError):
        return False
    again = values_of(pa.chunked_array([parsed]))[0]
    return _same(again, value) or (isinstance(value, int) and again == value)


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
    value_changes = _value_changes(original, back)
    if value_changes:
        more = f" (+{len(value_changes) - 2} more)" if len(value_changes) > 2 else ""
        changes = [retyped, *changes] if retyped else changes
        changes.append("values: " + ", ".join(value_changes[:2]) + more)
    if changes:
        return "changed", "; ".join(changes)
    return ("retyped", retyped) if retyped else ("lossless", "")


def reraise_interrupts(exc: BaseException) -> None:
    """Ctrl-C and exit stop the matrix; any other failure (a Rust panic, pyo3's
    BaseException, included) is one cell's verdict."""
    if not isinstance(exc, Exception) and type(exc).__module__ != "pyo3_runtime":
        raise exc


def judge_read(adapter: FormatAdapter, single: pa.Table, path: Path) -> tuple[str, str]:
    """(verdict, detail) of ``adapter`` reading back the one-column file at ``path``."""
    try:
        back = adapter.read(path)
    except BaseException as exc:  # record it, keep going
        reraise_interrupts(exc)
        message = str(exc).replace(str(path), path.name)  # the scratch folder says nothing
        return "error", f"read failed: {type(exc).__name__}: {message}"
    if back.column_names != single.column_names:
        return "changed", f"columns {back.column_names}"
    return compare_column(single.column(0), back.column(0))


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
