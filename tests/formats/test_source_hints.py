"""Like-for-like reads: every text reader is told what the source table says, before timing."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest

import formats
from formats import source_hints


def _table(comment: list[str | None]) -> pa.Table:
    return pa.table(
        {
            "day": pa.array([dt.date(2020, 1, 1), None, dt.date(1999, 12, 31)], pa.date32()),
            "qty": pa.array([1.0, 2.0, 3.0]),  # integral floats: inference says int64
            "comment": pa.array(comment),
        }
    )


def test_line_breaks_are_found_in_strings_and_dictionaries():
    assert not source_hints.has_line_break(_table(["a", None, "b,c"]))
    assert source_hints.has_line_break(_table(["a", "two\nlines", None]))
    assert source_hints.has_line_break(_table(["a", "cr\r", None]))
    coded = pa.table({"s": pa.array(["x", "y\nz"]).dictionary_encode()})
    assert source_hints.has_line_break(coded)


@pytest.mark.parametrize("name", ["csv-pyarrow", "csv-pandas"])
def test_both_csv_engines_read_the_source_types(name, tmp_path):
    table = _table(["a", None, "b"])
    path = tmp_path / "t.csv"
    formats.get("csv-pyarrow").write(table, path)  # the file both engines' benchmarks read
    told = formats.get(name, {"schema": "declared"})
    told.know_source(table)
    back = told.read(path)
    assert back.schema.field("day").type == pa.date32()
    assert back.schema.field("qty").type == pa.float64()
    assert back.column("day").to_pylist() == table.column("day").to_pylist()
    assert told.read_columns(path, ["day"]).schema.field("day").type == pa.date32()
    alone = formats.get(name)  # the default, schema=file: knowing the source changes nothing
    alone.know_source(table)
    blind = alone.read(path)
    assert blind.schema.field("qty").type == pa.int64()  # integral floats inferred as ints
    assert blind.schema.field("day").type != pa.date32() or name == "csv-pyarrow"


def test_csv_pyarrow_uses_the_fast_chunker_only_without_line_breaks(tmp_path):
    plain, multi = formats.get("csv-pyarrow"), formats.get("csv-pyarrow")
    assert plain.know_source(_table(["a", None, "b"])) == {"newlines_in_values": False}
    assert multi.know_source(_table(["a", "x\ny", "b"])) == {"newlines_in_values": True}
    assert formats.get("csv-pyarrow").options["newlines_in_values"] is None  # unknown: safe
    table = _table(["a", "x\ny", "b"])
    path = tmp_path / "t.csv"
    multi.write(table, path)
    assert multi.read(path).column("comment").to_pylist() == ["a", "x\ny", "b"]
    chosen = formats.get("csv-pyarrow", {"newlines_in_values": True})
    assert chosen.know_source(_table(["a", None, "b"])) == {"newlines_in_values": True}


def test_jsonl_single_column_read_uses_the_source_schema(tmp_path):
    adapter = formats.get("jsonl-orjson", {"schema": "declared"})
    if not adapter.available().ok:
        pytest.skip(adapter.available().reason)
    table = pa.table(
        {
            "n": pa.array([1, None, 3], pa.int8()),
            "at": pa.array([dt.datetime(2020, 1, 1, 1, 2, 3, 4), None, None], pa.timestamp("us")),
            "s": ["a", "b", None],
        }
    )
    path = tmp_path / "t.jsonl"
    adapter.write(table, path)
    assert adapter.read_columns(path, ["at"]).schema.field("at").type == pa.string()  # inferred
    adapter.know_source(table)
    for name in ("n", "at"):
        got = adapter.read_columns(path, [name])
        assert got.column_names == [name]
        assert got.column(name).equals(table.column(name))
    assert adapter.read_columns(path, ["s", "n"]).column_names == ["s", "n"]
