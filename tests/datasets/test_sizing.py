"""Size estimates before loading: close to the real Arrow size, and refusals that name the fix."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from benchmarks.datasets import load_dataset, real, sizing
from benchmarks.errors import UsageError
from tests.datasets.test_datasets import needs_tpchgen


@pytest.mark.parametrize("spec", ["mixed", "logs", "strings", "wide:10", "embeddings:16"])
def test_synthetic_estimate_is_close_to_the_table(spec: str) -> None:
    name, _, arg = spec.partition(":")
    table = load_dataset(spec, 20_000, seed=2).table
    guess = sizing.estimate(spec, 20_000, 2, real.default_data_dir())
    assert guess is not None and guess.rows == 20_000
    assert guess.nbytes == pytest.approx(table.nbytes, rel=0.1)


@pytest.mark.parametrize("spec", ["wide:200", "embeddings:300"])
def test_wide_arguments_are_extrapolated_linearly(spec: str) -> None:
    table = load_dataset(spec, 2_000).table
    guess = sizing.estimate(spec, 2_000, 0, real.default_data_dir())
    assert guess.nbytes == pytest.approx(table.nbytes, rel=0.05)


def test_refusal_names_size_memory_and_the_fix() -> None:
    with pytest.raises(UsageError) as err:
        sizing.check_fits("mixed", 10**9, 0, real.default_data_dir(), available=22 * 10**9)
    message = str(err.value)
    assert message.startswith("mixed at 1,000,000,000 rows needs about ")
    assert "GB in memory as a table, 22 GB is available; rerun with --stream (bounded " in message
    assert message.endswith("memory) or fewer --rows")


def test_a_dataset_that_fits_passes() -> None:
    size = sizing.check_fits("mixed", 1_000, 0, real.default_data_dir(), available=10**9)
    assert size is not None and size.rows == 1_000


def test_oversized_family_argument_is_refused_without_allocating() -> None:
    # 50,000 rows x 1,000,000 float32 features: about 200 GB, estimated from 32 features
    with pytest.raises(UsageError, match=r"^wide:1000000 needs about \d+ GB"):
        sizing.check_fits("wide:1000000", None, 0, real.default_data_dir(), available=10**10)


def test_parquet_file_is_sized_from_its_footer(tmp_path) -> None:
    table = load_dataset("mixed", 5_000).table
    path = tmp_path / "mine.parquet"
    pq.write_table(table, path, row_group_size=1_000)
    guess = sizing.estimate(f"file:{path}", None, 0, tmp_path)
    assert guess.rows == 5_000
    assert guess.nbytes == pytest.approx(table.nbytes, rel=0.5)
    with pytest.raises(UsageError, match=r"mine.parquet needs about .* GB is available"):
        sizing.check_fits(f"file:{path}", None, 0, tmp_path, available=1_000)


def test_sparse_text_file_is_refused_by_its_size(tmp_path) -> None:
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:  # a sparse 30 GB file: no disk used
        f.truncate(30 * 10**9)
    with pytest.raises(UsageError, match=r"huge.csv needs about 90 GB"):
        sizing.check_fits(f"file:{path}", None, 0, tmp_path, available=20 * 10**9)


@needs_tpchgen
def test_tpch_estimate_is_close_to_the_table(tmp_path) -> None:
    table, _ = real.load_tpch("0.001", tmp_path)
    sizing.lineitem_bytes_per_row.cache_clear()
    guess = sizing.estimate("tpch-lineitem:0.001", None, 0, tmp_path)
    assert guess.rows == table.num_rows
    assert guess.nbytes == pytest.approx(table.nbytes, rel=0.1)
    ten = sizing.estimate("tpch-lineitem:10", None, 0, tmp_path)  # not generated: the row rule
    assert ten.rows == 60_012_150 and ten.nbytes > 5e9
