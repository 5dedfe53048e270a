"""The three round-trip verdicts on hand-made columns: lossless, retyped, changed."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from formats.fidelity import compare_column, round_trip
from formats.retype import summarise


def _col(values: list, type_: pa.DataType | None = None) -> pa.ChunkedArray:
    return pa.chunked_array([pa.array(values, type_)])


RETYPED = [
    (_col(["a", None, "é"]), pa.string_view()),
    (_col(["a", None, "é"]), pa.large_string()),
    (_col([1, None, -(2**31)], pa.int32()), pa.int64()),
    (_col([1, None, 3], pa.timestamp("s")), pa.timestamp("ms")),
    (_col([1, None, 3], pa.timestamp("s", "UTC")), pa.timestamp("us", "+00:00")),
    (_col(["r", "g", None]).cast(pa.dictionary(pa.int32(), pa.string())), pa.string()),
    (_col([1, 2, None], pa.decimal128(15, 2)), pa.decimal128(38, 10)),
    (_col([[1], None, []], pa.list_(pa.int32())), pa.large_list(pa.int64())),
    (_col([1, None, -(2**63)], pa.int64()), pa.decimal128(38, 0)),  # DuckDB's JSON HUGEINT
]


@pytest.mark.parametrize(("source", "back_type"), RETYPED, ids=lambda x: str(x)[:30])
def test_a_value_preserving_type_change_is_retyped(source, back_type):
    back = source.cast(back_type)
    assert compare_column(source, back) == ("retyped", f"{source.type} -> {back_type}")
    table, again = pa.table({"c": source}), pa.table({"c": back})
    verdict = round_trip(table, again)
    assert (verdict.status, verdict.changed) == ("retyped", [])
    assert verdict.retyped == [f"c: {source.type} -> {back_type}"]
    assert verdict.info()["round_trip"] == "retyped" and "round_trip_changes" not in verdict.info()


CHANGED = [
    # naive -> UTC: the same integers, another meaning
    (_col([1, None], pa.timestamp("ns")), _col([1, None], pa.timestamp("ns", "UTC")), "tz=UTC"),
    (_col([-0.0, 1.0]), _col([0.0, 1.0]), "-0.0 -> 0.0"),
    (_col([math.nan, 1.0]), _col([None, 1.0]), "NaN -> null"),
    (_col([None, 1.0]), _col([math.nan, 1.0]), "null -> nan"),
    (_col([1], pa.timestamp("s")), _col(["1970-01-01 00:00:01"]), "timestamp[s] -> string"),
    (_col([1, 2], pa.decimal128(15, 2)), _col([1.0, 2.0]), "decimal128(15, 2) -> double"),
    (_col([10**12], pa.int64()), _col([0], pa.int32()), "1000000000000 -> 0"),
    (_col([1, 1001], pa.timestamp("ms")), _col([0, 1], pa.timestamp("s")), "timestamp[s]"),
    (_col([1, 2], pa.int64()), _col([1, 2], pa.decimal128(10, 2)), "int64 -> decimal128(10, 2)"),
    # read back as text: the value that really moved is named, not every retyped one
    (_col([1, None, 3], pa.int64()), _col(["1", "", "3"]), "values: null -> ''"),
    (_col([1], pa.timestamp("s")), _col(["-infinity"]), "-> '-infinity'"),
]


@pytest.mark.parametrize(("source", "back", "named"), CHANGED, ids=lambda x: str(x)[:30])
def test_values_nulls_zone_or_meaning_moved_is_changed(source, back, named):
    status, detail = compare_column(source, back)
    assert status == "changed" and named in detail
    verdict = round_trip(pa.table({"c": source}), pa.table({"c": back}))
    assert verdict.status == "changed" and verdict.changed[0].startswith("c: ")


def test_same_type_same_values_is_lossless_even_with_nan_and_signed_zero():
    column = _col([math.nan, -0.0, None, 1.0])
    assert compare_column(column, column) == ("lossless", "")
    assert round_trip(pa.table({"c": column}), pa.table({"c": column})).status == "lossless"


def test_a_big_table_finds_a_signed_zero_arrow_calls_equal():
    # Arrow's equality says -0.0 == 0.0: the fast path must not take that for lossless
    values = [1.0] * 100_000
    values[70_000] = -0.0
    flipped = [0.0 if v == 0 else v for v in values]
    verdict = round_trip(pa.table({"x": values}), pa.table({"x": flipped}))
    assert verdict.status == "changed" and "-0.0 -> 0.0" in verdict.changed[0]


def test_every_changed_column_is_named_and_retyped_ones_kept_apart():
    source = pa.table(
        {
            "l_linenumber": pa.array([1, 2], pa.int32()),
            "l_quantity": pa.array([1, 2], pa.decimal128(15, 2)),
            "l_tax": pa.array([3, 4], pa.decimal128(15, 2)),
        }
    )
    back = pa.table(
        {
            "l_linenumber": pa.array([1, 2], pa.int64()),
            "l_quantity": pa.array([1.0, 2.0]),
            "l_tax": pa.array([3.0, 4.0]),
        }
    )
    verdict = round_trip(source, back)
    assert verdict.status == "changed"
    assert [c.split(":")[0] for c in verdict.changed] == ["l_quantity", "l_tax"]
    assert verdict.retyped == ["l_linenumber: int32 -> int64"]
    line = summarise(verdict.changed)
    assert line.startswith("l_quantity, l_tax: decimal128(15, 2) -> double")


@pytest.mark.parametrize("name", ["avro-polars", "parquet-polars"])
def test_polars_writes_seconds_as_milliseconds_and_says_retyped(name, tmp_path):
    import formats

    adapter = formats.get(name)
    if not adapter.available().ok:
        pytest.skip(adapter.available().reason)
    table = pa.table({"t": pa.array([0, 3600, None], pa.timestamp("s"))})
    path = tmp_path / adapter.file_name("t")
    adapter.write(table, path)  # polars has no seconds unit: held as ms, every value kept
    verdict = round_trip(table, adapter.read(path))
    assert verdict.status == "retyped"
    assert verdict.retyped == ["t: timestamp[s] -> timestamp[ms]"]
