"""The epoch's open readers: the file opened once per epoch, the same rows as the adapter's."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import formats
from benchmarks.suite import loader
from formats.epoch_readers import PathReader, open_reader, reader_for

#: (adapter, options) with a reader of their own; units small enough to have several.
OPEN_ONCE = [
    ("lance", {}),
    ("parquet-pyarrow", {"row_group_size": 64}),
    ("feather", {"batch_rows": 64}),
    ("hdf5", {"chunk_rows": 64}),
    ("zarr", {"chunk_rows": 64}),
    ("numpy", {}),
    ("webdataset", {"shard_rows": 64}),
    ("tfrecord", {"shard_rows": 64}),
]


def _table(rows: int = 300) -> pa.Table:
    return pa.table(
        {
            "id": pa.array(np.arange(rows, dtype=np.int64)),
            "vec": pa.FixedSizeListArray.from_arrays(
                pa.array(np.arange(rows * 3, dtype=np.float32)), 3
            ),
            "seq": pa.array([list(range(n % 5)) for n in range(rows)], pa.list_(pa.int32())),
        }
    )


def _written(name, options, tmp_path):
    adapter = formats.get(name, {k: v for k, v in options.items() if k in _specs(name)})
    path = tmp_path / adapter.file_name("t")
    adapter.write(_table(), path)
    return adapter, path


def _specs(name: str) -> set[str]:
    return set(formats.get(name).option_specs)


@pytest.mark.parametrize(("name", "options"), OPEN_ONCE)
def test_the_open_reader_gives_what_the_adapter_gives(name, options, tmp_path):
    adapter, path = _written(name, options, tmp_path)
    assert reader_for(adapter) is not None
    rows = np.array([299, 0, 17, 150, 64, 63, 17])
    with open_reader(adapter, path) as reader:
        assert not isinstance(reader, PathReader)
        assert reader.take(rows).to_pylist() == adapter.take(path, rows).to_pylist()
        assert reader.take(rows).column("id").to_pylist() == rows.tolist()
        units = loader.unit_rows(adapter, path)
        got = [reader.read_shard(u).to_pylist() for u in range(len(units))]
    if hasattr(adapter, "read_shard"):
        assert got == [adapter.read_shard(path, u).to_pylist() for u in range(len(units))]
    assert [r for part in got for r in part] == _table().to_pylist()


@pytest.mark.parametrize("name", ["lance", "hdf5", "zarr", "numpy"])
def test_a_global_epoch_opens_the_file_once_not_per_batch(name, tmp_path, monkeypatch):
    adapter, path = _written(name, {"chunk_rows": 64}, tmp_path)
    sizes = loader.unit_rows(adapter, path)
    plans = loader.make_plans("global", 0, loader.global_mode(adapter), sizes, 16, 0, seed=1)
    opened = []
    real_open = adapter._open
    monkeypatch.setattr(adapter, "_open", lambda p: opened.append(p) or real_open(p))
    monkeypatch.setattr(adapter, "take", lambda *a: pytest.fail("the path-based take ran"))
    run = loader.run_epoch(adapter, path, plans, sizes, 0, decode=False)
    assert sorted(run.order.tolist()) == list(range(300)) and len(run.positions) == 19
    assert len(opened) == 1


def test_formats_without_a_reader_fall_back_to_the_adapter(tmp_path):
    adapter, path = _written("orc-pyarrow", {}, tmp_path)
    assert reader_for(adapter) is None
    with open_reader(adapter, path) as reader:
        assert isinstance(reader, PathReader)
        assert reader.take(np.array([5, 1])).column("id").to_pylist() == [5, 1]
