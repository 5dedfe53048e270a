"""A library's crash on one column's type or values becomes UnsupportedType naming it, in
one shared place (formats/refusals.py); our own bugs and non-data errors stay what they are.

The crashes are real ones found by running the fidelity table over every adapter: polars
panics (a Rust assert, a BaseException) on decimal256, pyarrow's cast in the protobuf
adapter raises ArrowNotImplementedError on month_day_nano_interval, and DuckDB refuses a
negative interval only when it meets one (a value, not a type).
"""

from __future__ import annotations

import decimal

import pyarrow as pa
import pytest

import formats
from formats import UnsupportedType
from formats.arrow_family import Feather
from formats.refusals import is_library_error


def _adapter(name: str) -> formats.FormatAdapter:
    adapter = formats.get(name)
    if not adapter.available().ok:
        pytest.skip(adapter.available().reason)
    return adapter


def _decimal256(n: int) -> pa.Array:
    return pa.array([decimal.Decimal("1.5")] * n, pa.decimal256(50, 3))


def test_a_polars_panic_on_decimal256_names_the_column(tmp_path):
    adapter = _adapter("parquet-polars")
    table = pa.table({"id": range(3), "price": _decimal256(3), "name": ["a", "b", "c"]})
    path = tmp_path / "t.parquet"
    with pytest.raises(UnsupportedType, match="column 'price' of type decimal256") as info:
        adapter.write(table, path)
    assert info.value.column == "price" and info.value.format_name == "Parquet"
    assert "precision" in str(info.value)  # the library's own reason, its first line
    assert type(info.value.__cause__).__module__ == "pyo3_runtime"  # the panic, kept as cause
    assert not path.exists()  # no partial output left behind


def test_an_arrow_error_inside_an_adapter_names_the_column(tmp_path):
    adapter = _adapter("protobuf")
    every = pa.array([(1, 2, 3), None], pa.month_day_nano_interval())
    table = pa.table({"n": [1, 2], "gap": every})
    with pytest.raises(UnsupportedType, match="column 'gap'") as info:
        adapter.write(table, tmp_path / "t.pb")
    assert isinstance(info.value.__cause__, pa.ArrowNotImplementedError)


def test_a_value_refused_past_the_first_rows_is_still_found(tmp_path):
    """DuckDB's Parquet writer refuses negative intervals: one, at row 1500, names its column."""
    adapter = _adapter("parquet-duckdb")
    values = [(0, 1, 0)] * 2000
    values[1500] = (0, -1, 0)
    table = pa.table({"id": range(2000), "gap": pa.array(values, pa.month_day_nano_interval())})
    with pytest.raises(UnsupportedType, match="column 'gap'.*negative"):
        adapter.write(table, tmp_path / "t.parquet")
    adapter.write(table.slice(0, 1500), tmp_path / "ok.parquet")  # the same type, no such value


class _BuggyFeather(Feather):
    """Feather with a bug of ours in write (defined here: a subclass gets the guard too)."""

    def write(self, table: pa.Table, path, codec=None) -> None:
        table.to_dataframe()  # no such method: an AttributeError, a bug in our code


class _AlwaysFailingFeather(Feather):
    """Feather whose write fails whatever the data: no column is to blame."""

    def write(self, table: pa.Table, path, codec=None) -> None:
        raise ValueError("broken for every table")


def test_a_bug_in_our_code_is_not_made_a_refusal(tmp_path):
    with pytest.raises(AttributeError, match="to_dataframe"):
        _BuggyFeather().write(pa.table({"x": [1]}), tmp_path / "t.feather")
    assert not is_library_error(AttributeError("x")) and is_library_error(ValueError("x"))


def test_an_error_every_column_reproduces_keeps_its_own_type(tmp_path):
    with pytest.raises(ValueError, match="broken for every table"):
        _AlwaysFailingFeather().write(pa.table({"x": [1], "y": ["a"]}), tmp_path / "t.feather")


def test_an_error_no_column_reproduces_stays_itself(tmp_path):
    """A missing directory is the path's fault: the columns write fine elsewhere."""
    with pytest.raises(OSError):
        Feather().write(pa.table({"x": [1]}), tmp_path / "no" / "such" / "t.feather")
