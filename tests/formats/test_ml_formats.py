"""The ML training formats on what they are for: tensors, ragged sequences, blobs, shards."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

import formats
from formats import UnsupportedType

ML = ["webdataset", "tfrecord", "hdf5", "zarr", "numpy"]


def ml_table(rows: int = 23) -> pa.Table:
    """A vector, a ragged token list with empty and null rows, a blob, text and a label."""
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((rows, 4)).astype(np.float32)
    lengths = rng.integers(0, 6, rows)
    tokens = [list(range(n)) if i % 5 else (None if i % 10 else []) for i, n in enumerate(lengths)]
    return pa.table(
        {
            "embedding": pa.FixedSizeListArray.from_arrays(
                pa.array(vectors.reshape(-1)), 4, mask=pa.array([i == 3 for i in range(rows)])
            ),
            "tokens": pa.array(tokens, pa.list_(pa.int32())),
            "blob": pa.array([bytes([i, 0, 255]) * i if i != 7 else None for i in range(rows)]),
            "caption": pa.array([f"row {i} é" for i in range(rows)]),
            "score": pa.array(rng.standard_normal(rows)),  # float64: exact everywhere
            "label": pa.array(rng.integers(0, 10, rows).astype(np.int8)),
        }
    )


def _adapter(name: str, **options):
    adapter = formats.get(name, options)
    if not adapter.available().ok:
        pytest.skip(adapter.available().reason)
    return adapter


@pytest.mark.parametrize("name", ML)
def test_tensors_ragged_lists_and_blobs_round_trip(name, tmp_path):
    adapter = _adapter(name)
    table = ml_table()
    path = tmp_path / adapter.file_name("ml")
    adapter.write(table, path)
    back = adapter.read(path)
    assert back.schema == table.schema
    assert back.to_pylist() == table.to_pylist()


@pytest.mark.parametrize("name", ML)
def test_take_keeps_order_and_repeats_and_refuses_out_of_range(name, tmp_path):
    adapter = _adapter(name)
    table = ml_table()
    path = tmp_path / adapter.file_name("ml")
    adapter.write(table, path)
    wanted = [22, 3, 7, 0, 3, 15]
    assert adapter.take(path, wanted).to_pylist() == table.take(wanted).to_pylist()
    with pytest.raises(IndexError):
        adapter.take(path, [23])


@pytest.mark.parametrize(
    ("name", "option"),
    [
        ("webdataset", "shard_rows"),
        ("tfrecord", "shard_rows"),
        ("hdf5", "chunk_rows"),
        ("zarr", "chunk_rows"),
    ],
)
def test_shards_follow_the_knob_and_read_back_in_order(name, option, tmp_path):
    adapter = _adapter(name, **{option: 10})
    table = ml_table()
    path = tmp_path / adapter.file_name("ml")
    adapter.write(table, path)
    assert adapter.shard_rows(path) == [10, 10, 3]
    parts = [adapter.read_shard(path, i) for i in range(3)]
    assert pa.concat_tables(parts).to_pylist() == table.to_pylist()


@pytest.mark.parametrize("name", ML)
def test_a_null_inside_a_list_is_refused_naming_the_column(name, tmp_path):
    adapter = _adapter(name)
    table = pa.table({"seq": pa.array([[1, None]], pa.list_(pa.int64()))})
    with pytest.raises(UnsupportedType, match="'seq'"):
        adapter.write(table, tmp_path / adapter.file_name("bad"))


def test_tfrecord_refuses_uint64_by_name(tmp_path):
    adapter = _adapter("tfrecord")
    with pytest.raises(UnsupportedType, match="'big'.*TFRecord"):
        adapter.write(pa.table({"big": pa.array([2**63], pa.uint64())}), tmp_path / "x")


def test_hdf5_stores_ragged_rows_as_vlen_and_vectors_as_2d(tmp_path):
    h5py = pytest.importorskip("h5py")
    adapter = _adapter("hdf5", chunk_rows=8)
    path = tmp_path / "t.h5"
    adapter.write(ml_table(), path, "gzip")
    with h5py.File(path) as f:
        assert f["embedding"].shape == (23, 4) and f["embedding"].chunks == (8, 4)
        assert h5py.check_vlen_dtype(f["tokens"].dtype) == np.int32
        assert h5py.check_vlen_dtype(f["blob"].dtype) == np.uint8
        assert f["embedding"].compression == "gzip"


def test_zarr_chunks_whole_rows(tmp_path):
    zarr = pytest.importorskip("zarr")
    adapter = _adapter("zarr", chunk_rows=8)
    path = tmp_path / "t.zarr"
    adapter.write(ml_table(), path)
    group = zarr.open_group(str(path), mode="r")
    assert group["embedding.data"].chunks == (8, 4)
    assert group["tokens.offsets"].shape == (24,)


def test_numpy_arrays_load_memory_mapped_without_pickle(tmp_path):
    adapter = _adapter("numpy")
    path = tmp_path / "t.npy.d"
    adapter.write(ml_table(), path)
    for file in path.glob("*.npy"):
        mapped = np.load(file, mmap_mode="r", allow_pickle=False)
        assert mapped.dtype != object, file.name
    assert np.load(path / "embedding.data.npy", mmap_mode="r").shape == (23, 4)
