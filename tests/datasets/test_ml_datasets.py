"""The ML datasets hold what their names promise: real encoded images, long-tailed sequences."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pytest

from benchmarks.datasets import load_dataset


def test_images_are_real_jpeg_and_png_of_the_recorded_size():
    image = pytest.importorskip("PIL.Image")
    table = load_dataset("images", 60, seed=3).table
    assert table.schema.field("image").type == pa.binary()
    formats_seen = set()
    for row in table.to_pylist():
        picture = image.open(io.BytesIO(row["image"]))
        assert picture.size == (row["width"], row["height"])
        assert picture.format.lower() == row["format"]
        formats_seen.add(row["format"])
    assert formats_seen == {"jpeg", "png"}
    sizes = [len(b) for b in table["image"].to_pylist()]
    assert max(sizes) > 3 * min(sizes)  # varied sizes, not one blob repeated


def test_tokens_are_int32_sequences_with_a_long_tail():
    table = load_dataset("tokens", 5_000, seed=1).table
    assert table.schema.field("tokens").type == pa.list_(pa.int32())
    lengths = table["length"].to_numpy()
    assert np.array_equal(lengths, [len(t) for t in table["tokens"].to_pylist()])
    assert lengths.min() >= 1 and lengths.max() > 5 * np.median(lengths)


def test_images_are_made_once_then_read_from_the_data_cache(tmp_path):
    """The slow family is written to the cache on first use; the next load reads the same
    table back, and a damaged cache file is made again."""
    from benchmarks.datasets import load_dataset

    first = load_dataset("images", 300, seed=3, data_dir=tmp_path)
    cached = list((tmp_path / "synthetic").glob("images-*.arrow"))
    assert len(cached) == 1
    again = load_dataset("images", 300, seed=3, data_dir=tmp_path)
    assert again.table.equals(first.table)
    other = load_dataset("images", 300, seed=4, data_dir=tmp_path)
    assert not other.table.equals(first.table)  # the seed is part of the key
    assert len(list((tmp_path / "synthetic").glob("images-*.arrow"))) == 2
    cached[0].write_bytes(b"not an arrow file")
    assert load_dataset("images", 300, seed=3, data_dir=tmp_path).table.equals(first.table)
    assert not list((tmp_path / "synthetic").glob(".writing-*"))  # no scratch left behind
