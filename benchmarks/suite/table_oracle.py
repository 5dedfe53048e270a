"""The oracle for table operations: the same change applied to an in-memory Arrow table.

After every timed change, the table the library left on disk is read back (untimed) and
its row count and the sum of a numeric column compared with the oracle's; a mismatch
fails the case naming both figures. The columns a change uses are chosen once per
dataset (``plan``): a unique merge key, a numeric predicate column, a value column.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from formats.base import Filter


class OracleMismatch(AssertionError):
    """A table's state after an operation differs from the in-memory oracle's."""


@dataclass(frozen=True)
class Plan:
    """Which columns a dataset's changes use."""

    key: tuple[str, ...]  # unique: what merge matches on
    where: str  # numeric, no nulls: the update/delete predicate's column
    value: str  # numeric: what update changes and the oracle sums


def _numeric(t: pa.DataType) -> bool:
    return pat.is_integer(t) or pat.is_floating(t)


def _keyable(t: pa.DataType) -> bool:
    return pat.is_integer(t) or pat.is_string(t) or pat.is_large_string(t)


def _unique(table: pa.Table, columns: Sequence[str]) -> bool:
    cols = list(columns)
    if any(table.column(c).null_count for c in cols):
        return False
    return table.select(cols).group_by(cols).aggregate([]).num_rows == table.num_rows


def find_key(table: pa.Table) -> tuple[str, ...]:
    """The first unique integer/string column, else the first unique pair of them
    (lineitem: l_orderkey with another); ValueError when there is none."""
    candidates = [f.name for f in table.schema if _keyable(f.type)][:6]
    for name in candidates:
        if _unique(table, [name]):
            return (name,)
    for i, first in enumerate(candidates):
        if not pat.is_integer(table.schema.field(first).type):
            continue  # new keys are made by shifting the first column: it must be a number
        for second in candidates[i + 1 :]:
            if _unique(table, [first, second]):
                return (first, second)
    raise ValueError("the dataset has no unique key (one or two integer/string columns)")


def plan(table: pa.Table) -> Plan:
    """The columns for changes; ValueError (the case is skipped) when the data lacks them."""
    key = find_key(table)
    numeric = [f for f in table.schema if _numeric(f.type)]
    where = next((f.name for f in numeric if table.column(f.name).null_count == 0), None)
    if where is None:
        raise ValueError("the dataset has no numeric column without nulls for a predicate")
    rest = [f for f in numeric if f.name not in key and f.name != where]
    value = next((f.name for f in rest if pat.is_floating(f.type)), None)
    value = value or next((f.name for f in rest), None)
    if value is None:
        raise ValueError("the dataset has no numeric column outside the key to change")
    return Plan(key, where, value)


def change_predicate(table: pa.Table, column: str, fraction: float) -> Filter:
    """``column <= cut`` selecting about ``fraction`` of the rows (more where values tie)."""
    ordered = np.sort(table.column(column).to_numpy())
    cut = ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]
    return Filter(column, "<=", cut.item())


_COMPARE = {
    "==": pc.equal, "!=": pc.not_equal, "<": pc.less, "<=": pc.less_equal,
    ">": pc.greater, ">=": pc.greater_equal,
}  # fmt: skip


def selected(table: pa.Table, predicate: Filter) -> pa.ChunkedArray:
    """Boolean column: the rows ``predicate`` selects (null as not selected)."""
    compare = _COMPARE[predicate.op]
    return pc.fill_null(compare(table.column(predicate.column), predicate.value), False)


def _plus(table: pa.Table, column: str, delta: int | float, where: Any = None) -> pa.Table:
    """``column + delta`` on every row, or on the rows ``where`` (a boolean column) holds."""
    i = table.schema.get_field_index(column)
    field = table.schema.field(i)
    moved = pc.add(table.column(i), pa.scalar(delta).cast(field.type))
    if where is not None:
        moved = pc.if_else(where, moved, table.column(i))
    return table.set_column(i, field, moved)


def updated(table: pa.Table, predicate: Filter, column: str, delta: int | float) -> pa.Table:
    """``column += delta`` where ``predicate`` holds."""
    return _plus(table, column, delta, selected(table, predicate))


def deleted(table: pa.Table, predicate: Filter) -> pa.Table:
    """The rows ``predicate`` does not select."""
    return table.filter(pc.invert(selected(table, predicate)))


def merged(table: pa.Table, rows: pa.Table, key: Sequence[str]) -> pa.Table:
    """Upsert: rows of ``table`` whose key is in ``rows`` replaced, the others kept."""
    cols = list(key)
    numbered = table.select(cols).append_column("__row", pa.array(np.arange(table.num_rows)))
    hit = numbered.join(rows.select(cols), keys=cols, join_type="inner").column("__row")
    keep = pc.invert(pc.is_in(numbered.column("__row"), value_set=hit.combine_chunks()))
    return pa.concat_tables([table.filter(keep), rows.cast(table.schema)])


def merge_rows(
    table: pa.Table, p: Plan, fraction: float, seed: int, cap: int | None = None
) -> pa.Table:
    """About ``fraction`` of the rows as a merge source, capped at ``cap``: half existing
    keys with ``value`` + 1 (updates), half new keys (inserts: the first key column shifted
    past the largest, or a suffix on strings)."""
    n = table.num_rows
    m = max(1, round(fraction * n))
    m = min(m, cap) if cap else m
    picked = np.random.default_rng(seed).choice(n, size=min(m, n), replace=False)
    half = (len(picked) + 1) // 2
    old = _plus(table.take(pa.array(np.sort(picked[:half]))), p.value, 1)
    new = table.take(pa.array(np.sort(picked[half:])))
    return pa.concat_tables([old, _new_keys(new, table, p.key[0])])


def _new_keys(rows: pa.Table, table: pa.Table, column: str) -> pa.Table:
    """``rows`` with ``column`` moved out of the table's key range."""
    i = rows.schema.get_field_index(column)
    field = rows.schema.field(i)
    values = rows.column(i)
    if pat.is_integer(field.type):
        lo, hi = pc.min_max(table.column(column)).values()
        shift = pa.scalar(hi.as_py() - lo.as_py() + 1).cast(field.type)
        return rows.set_column(i, field, pc.add(values, shift))
    return rows.set_column(i, field, pc.binary_join_element_wise(values, "#new", ""))


def state(table: pa.Table, column: str) -> tuple[int, Any]:
    """(rows, sum of ``column``): what the oracle compares."""
    return table.num_rows, pc.sum(table.column(column)).as_py()


def check(got: pa.Table, expected: pa.Table, column: str, what: str) -> dict[str, Any]:
    """OracleMismatch naming the difference, else the figures checked (for the results)."""
    (rows, total), (want_rows, want_total) = state(got, column), state(expected, column)
    if rows != want_rows:
        raise OracleMismatch(f"{what}: {rows:,} rows, the oracle has {want_rows:,}")
    if not _close(total, want_total):
        raise OracleMismatch(f"{what}: sum({column}) = {total}, the oracle has {want_total}")
    return {"oracle_rows": rows, "oracle_sum_column": column, "oracle": "ok"}


def _close(a: Any, b: Any) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is b
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)
    return a == b
