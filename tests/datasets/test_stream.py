"""Datasets as streams: the same data as the whole-table loaders, one batch at a time."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks.datasets import load_dataset, real
from benchmarks.datasets import stream as st
from benchmarks.errors import UsageError
from tests.datasets.test_datasets import needs_tpchgen


def _collect(source: st.StreamSource) -> pa.Table:
    return pa.Table.from_batches(list(source.batches()), source.schema)


@pytest.mark.parametrize("spec", ["mixed", "numeric", "strings", "logs", "wide:7", "embeddings:4"])
def test_small_synthetic_stream_equals_the_table(spec: str) -> None:
    source = st.open_stream(spec, 3_000, seed=5)
    whole = load_dataset(spec, 3_000, seed=5).table
    assert source.schema == whole.schema
    assert source.num_rows == 3_000
    assert _collect(source).equals(whole)


def test_stream_batches_are_bounded_and_a_pass_can_be_repeated() -> None:
    source = st.open_synthetic("mixed", None, 2_000, seed=1, batch_rows=300)
    sizes = [b.num_rows for b in source.batches()]
    assert max(sizes) == 300 and sum(sizes) == 2_000
    assert _collect(source).equals(_collect(source))


def test_multi_chunk_stream_is_deterministic_with_unique_ids(monkeypatch) -> None:
    monkeypatch.setattr(st, "CHUNK_BYTES", 20_000)  # a few hundred rows per chunk
    first = _collect(st.open_stream("mixed", 5_000, seed=3))
    again = _collect(st.open_stream("mixed", 5_000, seed=3))
    other = _collect(st.open_stream("mixed", 5_000, seed=4))
    assert first.num_rows == 5_000 and first.equals(again)
    assert not first.equals(other)
    assert first.column("id").to_pylist() == list(range(5_000))


def test_chunks_after_the_first_differ_from_it() -> None:
    chunks = list(st.synthetic_chunks("numeric", 1_000, 0, None, 400))
    assert [c.num_rows for c in chunks] == [400, 400, 200]
    assert chunks[0].column("ratio") != chunks[1].column("ratio")


@needs_tpchgen
def test_tpch_stream_equals_the_loaded_table(tmp_path) -> None:
    source = st.open_stream("tpch-lineitem:0.001", data_dir=tmp_path)
    table, _ = real.load_tpch("0.001", tmp_path)
    assert _collect(source).equals(table)
    head = st.open_stream("tpch-lineitem:0.001", 1_000, data_dir=tmp_path)
    assert _collect(head).equals(table.slice(0, 1_000)) and head.params["sample"] == "head:1000"


def test_user_file_stream_round_trips(tmp_path) -> None:
    table = load_dataset("mixed", 2_500).table
    path = tmp_path / "mine.parquet"
    pq.write_table(table, path, row_group_size=400)
    source = st.open_stream(f"file:{path}")
    assert source.num_rows == 2_500 and source.source == "user"
    assert _collect(source).equals(table)


def test_user_file_stream_refuses_a_foreign_file(tmp_path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_bytes(b"not parquet at all")
    with pytest.raises(UsageError, match="could not be read as Parquet"):
        st.open_stream(f"file:{path}")


def test_user_csv_streams_in_batches(tmp_path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("a,b\n" + "".join(f"{i},x{i}\n" for i in range(3_000)))
    source = st.open_stream(f"file:{path}")
    assert source.num_rows is None  # a text file's rows are known only after a pass
    table = _collect(source)
    assert table.num_rows == 3_000 and table.column("a").to_pylist() == list(range(3_000))
