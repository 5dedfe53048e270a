"""Sampling: spec parsing, each method's defining property, reservoir uniformity, ratio delta."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from benchmarks.datasets.sampling import (
    SampleSpec,
    apply_sample,
    compression_ratio_delta,
    parse_sample,
    reservoir_sample,
)
from benchmarks.errors import UsageError


def grouped_table(rows: int = 10_000, seed: int = 0) -> pa.Table:
    """Row ids plus a skewed group column (with nulls) to sample from."""
    rng = np.random.default_rng(seed)
    codes = rng.choice(5, size=rows, p=[0.6, 0.25, 0.1, 0.04, 0.01])
    group = pa.array(np.array(list("abcde"))[codes]).to_pylist()
    group = [None if i % 97 == 0 else g for i, g in enumerate(group)]
    return pa.table({"id": pa.array(np.arange(rows)), "group": pa.array(group, pa.string())})


def ids(table: pa.Table) -> np.ndarray:
    return table["id"].to_numpy()


def of_group(table: pa.Table, group: str | None) -> pa.Table:
    """The rows of one group (None: the null group)."""
    column = table["group"]
    return table.filter(pc.is_null(column) if group is None else pc.equal(column, group))


# -- parsing ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("head:10", SampleSpec("head", n=10)),
        ("random:0.25", SampleSpec("random", fraction=0.25)),
        ("random:1.0", SampleSpec("random", fraction=1.0)),
        ("random:500", SampleSpec("random", n=500)),
        ("stratified:group:0.1", SampleSpec("stratified", fraction=0.1, column="group")),
        ("stratified:a:b:0.5", SampleSpec("stratified", fraction=0.5, column="a:b")),
        ("quota:group:3", SampleSpec("quota", n=3, column="group")),
        ("systematic:7", SampleSpec("systematic", n=7)),
        ("reservoir:100", SampleSpec("reservoir", n=100)),
    ],
)
def test_parse_sample_and_round_trip(text: str, expected: SampleSpec) -> None:
    spec = parse_sample(text)
    assert spec == expected
    assert parse_sample(str(spec)) == spec


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("rnd:5", "did you mean 'random'"),
        ("", "empty sample spec"),
        ("head", "needs an argument"),
        ("head:0", "at least 1"),
        ("head:-3", "at least 1"),
        ("head:ten", "whole number"),
        ("random:0.0", "(0, 1]"),
        ("random:1.5", "(0, 1]"),
        ("random:abc", "(0, 1]"),
        ("stratified:group", "column and a size"),
        ("stratified:group:2", "(0, 1]"),
        ("quota:group:0", "at least 1"),
        ("systematic:0", "K must be at least 1"),
        ("reservoir:-1", "at least 1"),
    ],
)
def test_bad_specs_are_one_line_usage_errors(text: str, fragment: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_sample(text)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("text", ["head:101", "random:101", "systematic:101", "reservoir:101"])
def test_more_rows_than_the_source_is_an_error(text: str) -> None:
    with pytest.raises(UsageError, match="source has 100"):
        apply_sample(grouped_table(100), parse_sample(text))


def test_missing_or_nested_column_is_an_error() -> None:
    table = grouped_table(100)
    with pytest.raises(UsageError, match="did you mean 'group'"):
        apply_sample(table, parse_sample("quota:grop:1"))
    nested = table.append_column("l", pa.array([[1]] * 100))
    with pytest.raises(UsageError, match="cannot group rows by column 'l'"):
        apply_sample(nested, parse_sample("stratified:l:0.5"))


def test_empty_table_is_an_error() -> None:
    with pytest.raises(UsageError, match="empty table"):
        apply_sample(grouped_table(0), parse_sample("random:0.5"))


# -- each method's defining property -------------------------------------------------


def test_head_is_the_first_n_rows() -> None:
    table = grouped_table()
    assert apply_sample(table, parse_sample("head:123")).equals(table.slice(0, 123))


@pytest.mark.parametrize(("text", "size"), [("random:0.1", 1000), ("random:777", 777)])
def test_random_is_seeded_without_replacement_in_table_order(text: str, size: int) -> None:
    table = grouped_table()
    sample = apply_sample(table, parse_sample(text), seed=3)
    picked = ids(sample)
    assert len(picked) == size
    assert np.all(np.diff(picked) > 0)  # unique, and the source order is kept
    assert sample.equals(apply_sample(table, parse_sample(text), seed=3))
    assert not sample.equals(apply_sample(table, parse_sample(text), seed=4))


def test_stratified_keeps_each_group_proportion_within_rounding() -> None:
    table = grouped_table()
    sample = apply_sample(table, parse_sample("stratified:group:0.1"), seed=1)
    full = Counter(table["group"].to_pylist())
    part = Counter(sample["group"].to_pylist())
    assert set(part) == set(full)  # every group, the null one included
    for group, size in full.items():
        assert part[group] == max(1, round(size * 0.1))
    other = apply_sample(table, parse_sample("stratified:group:0.1"), seed=2)
    assert not sample.equals(other)
    assert np.all(np.diff(ids(sample)) > 0)


def test_quota_takes_the_first_n_of_each_group_without_randomness() -> None:
    table = grouped_table(2000)
    sample = apply_sample(table, parse_sample("quota:group:25"), seed=1)
    assert sample.equals(apply_sample(table, parse_sample("quota:group:25"), seed=99))
    for group in set(table["group"].to_pylist()):
        in_group = pc.is_null(table["group"]) if group is None else pc.equal(table["group"], group)
        expected = ids(table.filter(in_group))[:25]  # all of a group smaller than 25
        got_mask = (
            pc.is_null(sample["group"]) if group is None else pc.equal(sample["group"], group)
        )
        assert np.array_equal(ids(sample.filter(got_mask)), expected)


def test_systematic_is_every_kth_row_from_a_seeded_start() -> None:
    table = grouped_table(1000)
    sample = apply_sample(table, parse_sample("systematic:7"), seed=5)
    picked = ids(sample)
    assert picked[0] < 7 and np.all(np.diff(picked) == 7)
    assert len(picked) == len(range(picked[0], 1000, 7))


# -- reservoir ------------------------------------------------------------------------


def uneven_batches(table: pa.Table, sizes: list[int]) -> list[pa.RecordBatch]:
    """``table`` cut at uneven sizes (an empty batch included) to stress batch boundaries."""
    whole = table.combine_chunks().to_batches()[0]
    starts = np.cumsum([0, *sizes[:-1]])
    return [whole.slice(int(start), size) for start, size in zip(starts, sizes, strict=True)]


def chi_square_critical(df: int, z: float = 3.09) -> float:
    """The 99.9% chi-square quantile: scipy when installed, else Wilson-Hilferty."""
    try:
        from scipy.stats import chi2
    except ImportError:
        return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3
    return float(chi2.ppf(0.999, df))


def test_reservoir_is_uniform_over_many_draws() -> None:
    # Small population, many seeded draws: sharp enough to catch an off-by-one in
    # Algorithm R's j = U[0, t] (statistic ~170 against a 99.9% bound of ~44).
    rows, n, draws = 20, 5, 3000
    batches = uneven_batches(grouped_table(rows), [3, 0, 9, 8])
    counts = np.zeros(rows)
    for seed in range(draws):
        counts[ids(reservoir_sample(batches, n, seed=seed))] += 1
    expected = draws * n / rows
    statistic = float(((counts - expected) ** 2 / expected).sum())
    assert statistic < chi_square_critical(rows - 1), counts


def test_reservoir_is_one_pass_exact_size_and_in_stream_order() -> None:
    table = grouped_table(5000)
    consumed = []

    def stream():
        for batch in table.to_batches(max_chunksize=333):
            consumed.append(batch.num_rows)
            yield batch

    sample = reservoir_sample(stream(), 100, seed=1)
    assert sum(consumed) == 5000  # a generator: one pass is all it gets
    picked = ids(sample)
    assert len(picked) == 100 and np.all(np.diff(picked) > 0)
    assert sample.equals(reservoir_sample(table.to_batches(max_chunksize=333), 100, seed=1))
    everything = reservoir_sample(table.to_batches(max_chunksize=333), 5000, seed=1)
    assert everything.equals(table.combine_chunks())


def test_reservoir_memory_stays_bounded_by_n() -> None:
    n, batch_rows, total_batches = 2000, 10_000, 200  # 2M rows streamed, 16 MB of ids
    peak = 0

    offsets = pa.array(np.arange(batch_rows))

    def stream():
        nonlocal peak
        for i in range(total_batches):
            # pc.add allocates from Arrow's pool, so batches kept alive would show in the peak.
            yield pa.record_batch({"id": pc.add(offsets, i * batch_rows)})
            peak = max(peak, pa.total_allocated_bytes())

    before = pa.total_allocated_bytes()
    sample = reservoir_sample(stream(), n, seed=0)
    assert sample.num_rows == n
    # Kept rows (at most ~3n) plus one batch in flight, never the 16 MB stream.
    assert peak - before < 8 * (4 * n + 2 * batch_rows) + 1_000_000


def test_reservoir_too_small_source_is_an_error() -> None:
    with pytest.raises(UsageError, match="source has 10"):
        reservoir_sample(grouped_table(10).to_batches(), 11)
    with pytest.raises(UsageError, match="at least 1"):
        reservoir_sample(grouped_table(10).to_batches(), 0)


# -- compression ratio ----------------------------------------------------------------


def test_compression_ratio_delta_reports_both_ratios() -> None:
    table = grouped_table(5000)
    same = compression_ratio_delta(table, table)
    assert same["delta"] == 0 and same["codec"] in ("zstd", "snappy")
    sample = apply_sample(table, parse_sample("random:0.1"))
    report = compression_ratio_delta(table, sample)
    assert report["sample_rows"] == 500
    for side in ("full", "sample"):
        ratio = report[f"{side}_arrow_bytes"] / report[f"{side}_file_bytes"]
        assert report[f"{side}_ratio"] == pytest.approx(ratio)
    assert report["delta"] == pytest.approx(report["sample_ratio"] - report["full_ratio"])
