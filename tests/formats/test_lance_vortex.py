"""What the Lance and Vortex adapters (and the libraries under them) really do, measured by
round trips: take order, scan pushdown answers, type changes, refusals and read errors.

Tests named ``test_library_*`` pin a library behaviour an adapter works around; if one fails
after an upgrade, the workaround may be obsolete (or wrong) and should be revisited.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pyarrow as pa
import pytest

import formats
from formats import Filter, FormatReadError, UnsupportedType
from formats.base import path_bytes

lance = pytest.importorskip("lance")
vx = pytest.importorskip("vortex")
ve = pytest.importorskip("vortex.expr")

ADAPTERS = ["lance", "vortex"]


def mixed_table(rows: int = 300) -> pa.Table:
    """Every column kind a scan may filter on, with nulls and NaN in the float column."""
    ids = np.arange(rows)
    x = [None if i % 11 == 0 else (math.nan if i % 13 == 0 else i * 0.25 - 20) for i in ids]
    ts = [dt.datetime(2024, 1, 1) + dt.timedelta(hours=int(i)) for i in ids]
    return pa.table(
        {
            "id": pa.array(ids, pa.int64()),
            "small": pa.array(ids % 100, pa.int8()),
            "x": pa.array(x, pa.float64()),
            "f32": pa.array(ids * 0.05, pa.float32()),
            "name": pa.array([None if i % 7 == 0 else f"n{i % 17}" for i in ids]),
            "color": pa.array(["red", "green", "blue"] * (rows // 3)).dictionary_encode(),
            "flag": pa.array(ids % 2 == 0),
            "ts": pa.array(ts, pa.timestamp("ns")),
            "ts_tz": pa.array(ts, pa.timestamp("us", tz="UTC")),
        }
    )


@pytest.fixture(params=ADAPTERS)
def adapter(request):
    return formats.get(request.param)


@pytest.fixture
def written(adapter, tmp_path):
    table = mixed_table()
    path = tmp_path / adapter.file_name("mixed")
    adapter.write(table, path)
    return adapter, path, table


def values(table: pa.Table) -> dict[str, list]:
    """Column values, with NaN made comparable (NaN != NaN would fail every equal table)."""
    nan = "NaN"
    return {
        name: [nan if isinstance(v, float) and math.isnan(v) else v for v in col.to_pylist()]
        for name, col in zip(table.column_names, table.columns, strict=True)
    }


# -- take -------------------------------------------------------------------------------
@pytest.mark.parametrize("indices", [[5, 0, 299, 17, 5, 5], [3, 2, 1], [0, 10, 20], []])
def test_take_returns_requested_order_with_duplicates(written, indices):
    adapter, path, table = written
    got = adapter.take(path, indices)
    assert values(got) == values(table.take(pa.array(indices, pa.int64())))
    assert got.schema == adapter.read(path).schema


@pytest.mark.parametrize("indices", [[0, 300], [-1], [299, 300]])
def test_take_out_of_range_is_index_error(written, indices):
    adapter, path, _ = written
    with pytest.raises(IndexError):
        adapter.take(path, indices)


def test_library_lance_take_keeps_order_and_duplicates(tmp_path):
    lance.write_dataset(pa.table({"id": list(range(100))}), str(tmp_path / "t.lance"))
    got = lance.dataset(str(tmp_path / "t.lance")).take([70, 3, 70, 0])
    assert got["id"].to_pylist() == [70, 3, 70, 0]


def test_library_vortex_take_needs_strictly_increasing_indices(tmp_path):
    path = str(tmp_path / "t.vortex")
    vx.io.write(pa.table({"id": list(range(100))}), path)
    with pytest.raises(Exception, match="strictly increasing"):
        vx.open(path).to_arrow(indices=vx.array(pa.array([70, 3]))).read_all()


# -- scan -------------------------------------------------------------------------------
PREDICATES = [
    Filter("id", "<", 10),
    Filter("id", ">=", np.int64(290)),
    Filter("id", "<", 10.5),  # int column, fractional value: Arrow compares as double
    Filter("small", "<", 300),  # value outside int8
    Filter("x", ">", 0.0),  # NaN must not match, as in Arrow
    Filter("x", ">=", 5),
    Filter("x", "<", 0),
    Filter("x", "!=", 1.0),
    Filter("f32", ">", 0.1),  # 0.1 is not a float32: Arrow compares in double
    Filter("name", "==", "n3"),
    Filter("name", "!=", "n3"),
    Filter("color", "==", "green"),  # dictionary column
    Filter("flag", "==", True),
    Filter("ts", "<", dt.datetime(2024, 1, 3, 12)),
    Filter("ts_tz", ">=", dt.datetime(2024, 1, 5, tzinfo=dt.UTC)),
]


@pytest.mark.parametrize("predicate", PREDICATES, ids=str)
def test_scan_pushdown_gives_the_rows_arrow_gives(written, predicate):
    adapter, path, table = written
    expected = table.filter(predicate.to_arrow())
    assert values(adapter.scan(path, predicate)) == values(expected)


def _nan_table() -> pa.Table:
    return pa.table({"x": pa.array([1.0, math.nan, None, -1.0])})


def test_library_lance_orders_nan_above_numbers(tmp_path):
    lance.write_dataset(_nan_table(), str(tmp_path / "n.lance"))
    got = lance.dataset(str(tmp_path / "n.lance")).to_table(filter="x > 0.0")
    assert got["x"].to_pylist()[1] != got["x"].to_pylist()[1]  # NaN kept; Arrow drops it


def test_library_vortex_orders_nan_above_numbers(tmp_path):
    path = str(tmp_path / "n.vortex")
    vx.io.write(_nan_table(), path)
    got = vx.open(path).to_arrow(expr=ve.column("x") > 0.5).read_all()["x"].to_pylist()
    assert len(got) == 2 and math.isnan(got[1])


def test_library_vortex_truncates_a_literal_that_does_not_fit(tmp_path):
    path = str(tmp_path / "i.vortex")
    vx.io.write(pa.table({"id": list(range(20))}), path)
    vxf = vx.open(path)
    literal = ve.literal(vxf.dtype.fields()[0], 10.5)
    assert vxf.to_arrow(expr=ve.column("id") < literal).read_all().num_rows == 10  # Arrow: 11


def test_lance_last_io_shows_a_projection_reads_less(tmp_path):
    adapter = formats.get("lance")
    path = tmp_path / "big.lance"
    adapter.write(pa.table({"id": np.arange(200_000), "pad": np.arange(200_000) * 3}), path)
    adapter.read(path)
    full = adapter.last_io["bytes_read"]
    adapter.read_columns(path, ["id"])
    assert 0 < adapter.last_io["bytes_read"] < full


# -- types ------------------------------------------------------------------------------
def _round_trip(adapter, tmp_path, array: pa.Array) -> pa.ChunkedArray:
    path = tmp_path / adapter.file_name("one")
    adapter.write(pa.table({"c": array}), path)
    return adapter.read(path).column("c")


UINT64 = pa.array([0, 2**64 - 1, None], pa.uint64())
DICT = pa.array(["a", "b", "a", None]).dictionary_encode()
TS_TZ = pa.array([dt.datetime(2024, 3, 1, 12), None], pa.timestamp("ns", tz="Europe/Paris"))


@pytest.mark.parametrize(
    ("name", "array", "expected_type"),
    [
        ("lance", UINT64, pa.uint64()),
        ("vortex", UINT64, pa.uint64()),
        ("lance", DICT, DICT.type),
        ("vortex", DICT, pa.string_view()),  # Vortex decodes dictionaries
        ("lance", TS_TZ, TS_TZ.type),
        ("vortex", TS_TZ, TS_TZ.type),
        ("lance", pa.array(["s", None]), pa.string()),
        ("vortex", pa.array(["s", None]), pa.string_view()),
        ("vortex", pa.array([b"b", None]), pa.binary_view()),
        ("vortex", pa.array([[1], None], pa.large_list(pa.int64())), pa.list_(pa.int64())),
    ],
    ids=lambda v: str(v)[:24],
)
def test_types_come_back_as_measured(name, array, expected_type, tmp_path):
    back = _round_trip(formats.get(name), tmp_path, array)
    assert back.type == expected_type
    assert back.to_pylist() == array.to_pylist()


UNSUPPORTED = [
    ("lance", pa.array([1, None], pa.decimal32(5, 2))),
    ("lance", pa.RunEndEncodedArray.from_arrays([2], [1])),
    ("lance", pa.array([{}, None], pa.struct([]))),  # only with nulls: depends on the data
    ("lance", pa.array([pa.MonthDayNano([1, 2, 3]), None], pa.month_day_nano_interval())),
    ("vortex", pa.array([b"ab", None], pa.binary(2))),
    ("vortex", pa.array([dt.timedelta(1), None], pa.duration("us"))),
    ("vortex", pa.array([pa.MonthDayNano([1, 2, 3]), None], pa.month_day_nano_interval())),
]


@pytest.mark.parametrize(("name", "array"), UNSUPPORTED, ids=lambda v: str(v)[:24])
def test_unsupported_column_is_named_and_nothing_is_left(name, array, tmp_path):
    adapter = formats.get(name)
    table = pa.table({"ok": pa.array(range(len(array))), "bad": array})
    path = tmp_path / adapter.file_name("bad")
    with pytest.raises(UnsupportedType) as info:
        adapter.write(table, path)
    assert info.value.column == "bad" and info.value.type == array.type
    assert adapter.format in str(info.value)
    assert not path.exists()


# -- codecs and files -------------------------------------------------------------------
def test_lance_codecs_change_size_but_not_the_table(tmp_path):
    adapter = formats.get("lance")
    table = pa.table({"s": [f"value-{i % 50}" for i in range(20_000)], "i": range(20_000)})
    sizes = {}
    for codec in adapter.codecs:
        path = tmp_path / adapter.file_name("c", codec)
        adapter.write(table, path, codec)
        back = adapter.read(path)
        assert back.equals(table, check_metadata=True), codec  # codec metadata is removed
        batch = next(adapter.iter_batches(path, 1000))
        assert batch.schema.equals(table.schema, check_metadata=True), codec
        sizes[codec] = path_bytes(path)
    assert sizes["zstd"] < sizes["none"]


def test_vortex_compact_is_smaller(tmp_path):
    adapter = formats.get("vortex")
    table = pa.table({"x": np.random.default_rng(0).normal(size=50_000)})
    sizes = {}
    for codec in adapter.codecs:
        path = tmp_path / adapter.file_name("c", codec)
        adapter.write(table, path, codec)
        sizes[codec] = path.stat().st_size
    assert sizes["compact"] < sizes["default"]


def test_lance_rewrite_replaces_rather_than_adds_a_version(tmp_path):
    adapter = formats.get("lance")
    table = pa.table({"i": np.arange(50_000)})
    path = tmp_path / "t.lance"
    adapter.write(table, path)
    once = path_bytes(path)
    adapter.write(table, path)
    assert path_bytes(path) < 1.1 * once  # the manifest varies by a byte or so
    assert adapter.read(path).num_rows == table.num_rows


def test_library_lance_overwrite_mode_keeps_old_files(tmp_path):
    table = pa.table({"i": np.arange(50_000)})
    path = str(tmp_path / "t.lance")
    lance.write_dataset(table, path)
    once = path_bytes(path)
    lance.write_dataset(table, path, mode="overwrite")
    assert path_bytes(path) > 1.5 * once


def test_vortex_reports_no_io_and_lance_does(written):
    adapter, path, _ = written
    adapter.read_columns(path, ["id"])
    if adapter.name == "lance":
        assert adapter.last_io["bytes_read"] > 0
    else:
        assert adapter.last_io == {}


# -- reading the wrong thing ------------------------------------------------------------
def test_missing_path_is_file_not_found(adapter, tmp_path):
    with pytest.raises(FileNotFoundError):
        adapter.read(tmp_path / f"absent.{adapter.extension}")


def test_truncated_vortex_file_is_a_format_read_error(tmp_path):
    adapter = formats.get("vortex")
    path = tmp_path / "t.vortex"
    adapter.write(mixed_table(), path)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(FormatReadError, match="t.vortex"):
        adapter.read(path)


def test_a_vortex_file_is_not_a_lance_dataset(tmp_path):
    path = tmp_path / "t.vortex"
    formats.get("vortex").write(mixed_table(), path)
    with pytest.raises(FormatReadError, match="Lance"):
        formats.get("lance").read(path)
