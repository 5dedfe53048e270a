"""One shared suite for every registered adapter (as fsspec's tests/abstract).

A new adapter gets every test here by registering; nothing in this file names a format.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

import formats
from formats import Filter, FormatAdapter, FormatReadError, UnsupportedCodec, UnsupportedType
from formats.base import ACCESS_PATTERNS
from formats.fidelity import fidelity_table

ALL = formats.names()


def _adapter(name: str) -> FormatAdapter:
    adapter = formats.get(name)
    status = adapter.available()
    if not status.ok:
        pytest.skip(status.reason)
    return adapter


def _codec_cases() -> list[tuple[str, str]]:
    return [(n, c) for n in ALL for c in formats.get(n).available_codecs()]


def _write(adapter: FormatAdapter, table: pa.Table, tmp_path, codec: str | None = None):
    path = tmp_path / adapter.file_name("t", codec)
    adapter.write(table, path, codec)
    return path


def assert_same_values(got: pa.Table, expected: pa.Table) -> None:
    assert got.column_names == expected.column_names
    for name in expected.column_names:
        assert got.column(name).to_pylist() == expected.column(name).to_pylist(), name


def test_declared_metadata_is_valid():
    for name in ALL:
        adapter = formats.get(name)
        assert adapter.orientation in ("row", "column"), name
        assert adapter.encoding in ("text", "binary"), name
        assert adapter.codecs and adapter.extension and adapter.format and adapter.engine
        assert adapter.native <= set(ACCESS_PATTERNS), name


@pytest.mark.parametrize("name", ALL)
def test_native_ops_are_really_overridden(name):
    adapter = formats.get(name)
    for op in adapter.native:
        assert getattr(type(adapter), op) is not getattr(FormatAdapter, op), (name, op)


@pytest.mark.parametrize(("name", "codec"), _codec_cases())
def test_round_trip_every_codec(name, codec, small_table, tmp_path):
    adapter = _adapter(name)
    path = _write(adapter, small_table, tmp_path, codec)
    assert_same_values(adapter.read(path), small_table)


@pytest.mark.parametrize("name", ALL)
def test_read_columns_projects_in_order(name, small_table, tmp_path):
    adapter = _adapter(name)
    path = _write(adapter, small_table, tmp_path)
    assert_same_values(
        adapter.read_columns(path, ["name", "id"]), small_table.select(["name", "id"])
    )


@pytest.mark.parametrize("name", ALL)
def test_take_returns_rows_in_requested_order(name, small_table, tmp_path):
    adapter = _adapter(name)
    path = _write(adapter, small_table, tmp_path)
    indices = [5, 0, 49, 17, 5]
    assert_same_values(adapter.take(path, indices), small_table.take(indices))


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize(
    "predicate",
    [Filter("id", "<", 10), Filter("category", "==", "b"), Filter("x", ">=", 20.0)],
    ids=str,
)
def test_scan_matches_arrow_filter(name, predicate, small_table, tmp_path):
    adapter = _adapter(name)
    path = _write(adapter, small_table, tmp_path)
    expected = small_table.filter(predicate.to_arrow())
    assert_same_values(adapter.scan(path, predicate), expected)


@pytest.mark.parametrize("name", ALL)
def test_iter_batches_respects_batch_size(name, small_table, tmp_path):
    adapter = _adapter(name)
    path = _write(adapter, small_table, tmp_path)
    batches = list(adapter.iter_batches(path, 7))
    assert batches and all(0 < b.num_rows <= 7 for b in batches)
    assert_same_values(pa.Table.from_batches(batches), small_table)


@pytest.mark.parametrize("name", ALL)
def test_unknown_codec_is_refused(name, small_table, tmp_path):
    adapter = _adapter(name)
    with pytest.raises(UnsupportedCodec, match=name):
        adapter.write(small_table, tmp_path / "x", "no-such-codec")


@pytest.mark.parametrize("name", ALL)
def test_every_type_is_written_or_refused_clearly(name, tmp_path):
    """Each fidelity column alone: the adapter writes it or raises UnsupportedType, nothing else."""
    adapter = _adapter(name)
    table = fidelity_table()
    for i, column in enumerate(table.column_names):
        path = tmp_path / f"c{i}.{adapter.extension}"
        try:
            adapter.write(table.select([column]), path)
        except UnsupportedType as exc:
            assert column in str(exc) and adapter.format.lower() in str(exc).lower()
            continue
        assert adapter.read(path).num_rows == table.num_rows, column


@pytest.mark.parametrize("name", ALL)
def test_reading_a_foreign_file_names_file_and_format(name, tmp_path):
    adapter = _adapter(name)
    path = tmp_path / f"garbage.{adapter.extension}"
    if adapter.writes_directory:
        path.mkdir()
        (path / "data").write_bytes(b"\x00\x01 not a real file \xff" * 10)
    else:
        path.write_bytes(b"\x00\x01 not a real file \xff" * 10)
    with pytest.raises(FormatReadError, match="garbage"):
        adapter.read(path)


@pytest.mark.parametrize("name", ALL)
def test_iter_rows_yields_every_record_as_a_dict(name, small_table, tmp_path):
    adapter = _adapter(name)
    path = _write(adapter, small_table, tmp_path)
    assert list(adapter.iter_rows(path)) == small_table.to_pylist()
