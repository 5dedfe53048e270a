"""Appends: every mode an adapter offers gives back every appended row, in order."""

from __future__ import annotations

import pyarrow as pa
import pytest

import formats
from formats.base import APPEND_MODES, UnsupportedAppend
from formats.fidelity import compare_tables

#: Types every appending format stores exactly (CSV widens nothing here, JSON keeps them).
TABLE = pa.table(
    {
        "id": pa.array(range(23), pa.int64()),
        "level": pa.array([["info", "warn", None][i % 3] for i in range(23)]),
        "value": pa.array([i / 4 for i in range(23)], pa.float64()),
    }
)

CASES = [
    pytest.param(name, mode, id=f"{name}-{mode}")
    for name in formats.names()
    for mode in formats.registry[name].append_modes
]


@pytest.mark.parametrize(("name", "mode"), CASES)
def test_appended_rows_come_back_all_and_in_order(name, mode, tmp_path):
    adapter = formats.get(name)
    if not adapter.available().ok:
        pytest.skip(adapter.available().reason)
    path = tmp_path / f"log.{adapter.extension}"
    appender = adapter.open_appender(path, TABLE.schema, mode)
    for start in (0, 1, 11):  # batches of 1, 10 and 12 rows
        appender.append(TABLE.slice(start, {0: 1, 1: 10, 11: 12}[start]))
    appender.close()
    # the same rows as one write gives back (Vortex reads strings as string_view either way)
    adapter.write(TABLE, tmp_path / f"one.{adapter.extension}")
    whole = adapter.read(tmp_path / f"one.{adapter.extension}")
    assert whole.num_rows == 23
    assert compare_tables(whole, adapter.read_appended(path, mode)) == ("lossless", [])
    column = adapter.read_appended(path, mode, ["id"])
    assert column.column("id").to_pylist() == list(range(23))


def test_the_formats_the_workload_names_can_append():
    modes = {name: formats.registry[name].append_modes for name in formats.names()}
    for name in ("csv-pyarrow", "jsonl-orjson", "avro-fastavro", "lance"):
        assert "append" in modes[name], name
    for name in ("parquet-pyarrow", "feather"):
        assert set(modes[name]) == {"row-group-per-batch", "file-per-batch"}, name
    assert all(set(m) <= set(APPEND_MODES) for m in modes.values())


def test_a_format_that_cannot_append_says_why(tmp_path):
    with pytest.raises(UnsupportedAppend, match="pickle cannot append .*one object"):
        formats.get("pickle").open_appender(tmp_path / "x.pkl", TABLE.schema, "append")
    with pytest.raises(UnsupportedAppend, match="offers row-group-per-batch, file-per-batch"):
        formats.get("parquet-pyarrow").open_appender(tmp_path / "x", TABLE.schema, "append")
    assert not (tmp_path / "x.pkl").exists() and not (tmp_path / "x").exists()
