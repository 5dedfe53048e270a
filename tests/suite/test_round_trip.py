"""The verified round trip on read cases: compare_tables and round_trip_info."""

from __future__ import annotations

import math

import pyarrow as pa

from benchmarks.suite.execute import round_trip_info
from benchmarks.suite.ops import Operation
from formats.fidelity import compare_tables


def _tz_table(tz: str = "Asia/Kolkata") -> pa.Table:
    ts = pa.array([0, 10**9, None], pa.timestamp("ns", tz))
    return pa.table({"id": [1, 2, 3], "f": [1.5, math.nan, None], "ts": ts})


def test_equal_tables_are_lossless_and_nan_counts_as_equal():
    assert compare_tables(_tz_table(), _tz_table()) == ("lossless", [])


def test_a_dropped_time_zone_is_named_with_both_types():
    status, changes = compare_tables(_tz_table(), _tz_table("UTC"))
    assert status == "changed"
    assert changes == ["ts: timestamp[ns, tz=Asia/Kolkata] -> timestamp[ns, tz=UTC]"]


def test_value_changes_missing_rows_and_columns_are_changes():
    source = pa.table({"x": [1, 2, 3]})
    assert compare_tables(source, pa.table({"x": [1, 5, 3]}))[1] == ["x: values: 2 -> 5"]
    assert compare_tables(source, source.slice(1))[1] == ["3 rows -> 2 rows"]
    assert compare_tables(source, pa.table({"y": [1, 2, 3]}))[0] == "changed"


def test_expected_batches_are_compared_as_one_table():
    source = pa.table({"x": list(range(10))})
    back = source.filter(pa.compute.greater(source["x"], 4))
    pieces = [b.filter(pa.compute.greater(b["x"], 4)) for b in source.to_batches(3)]
    assert compare_tables(pieces, back) == ("lossless", [])


def test_round_trip_info_uses_the_case_selection():
    source = _tz_table()
    op = Operation(
        fn=lambda table, cols: table.select(cols).cast(pa.schema([("ts", pa.timestamp("ns"))])),
        setup=lambda: ((source, ["ts"]), {}),
        expected=lambda args: source.select(args[1]),
    )
    info = round_trip_info(op)
    assert info["round_trip"] == "changed"
    assert info["round_trip_change"].startswith("ts: timestamp[ns, tz=Asia/Kolkata] -> ")
    assert round_trip_info(Operation(fn=lambda: None, setup=lambda: ((), {}))) == {}
