"""scripts/compare_direct.py's machinery: shuffled pairs, per-round ratios with an interval,
a direct library call for every format (lance, vortex, protobuf too), decimals handled."""

from __future__ import annotations

import decimal
import json
import random
import time

import pyarrow as pa
import pytest

import formats
from benchmarks.suite.direct import paired_ratio, run_comparison, shuffled_pairs
from benchmarks.suite.direct_calls import factories


def test_every_round_runs_both_once_in_an_order_drawn_per_round():
    log: list[str] = []
    calls = [(lambda: log.append("A"), lambda: None), (lambda: log.append("B"), lambda: None)]
    times = shuffled_pairs(calls, 20, random.Random(1))
    assert [len(t) for t in times] == [20, 20]  # round 0 (warm-up) dropped
    rounds = [tuple(log[i : i + 2]) for i in range(0, len(log), 2)]
    assert len(rounds) == 21 and all(sorted(r) == ["A", "B"] for r in rounds)
    assert {("A", "B"), ("B", "A")} <= set(rounds)  # not a fixed A-then-B order


def test_setup_is_not_timed():
    calls = [(lambda: None, lambda: time.sleep(0.02)), (lambda: None, lambda: None)]
    mine, _ = shuffled_pairs(calls, 3, random.Random(0))
    assert max(mine) < 0.01


def test_the_ratio_comes_from_rounds_side_by_side_and_ignores_common_drift():
    drift = [1.0, 1.3, 0.8, 2.0, 1.1, 0.9, 1.6, 1.0, 1.2, 0.7]  # the machine slows and speeds
    theirs = [0.010 * d for d in drift]
    mine = [0.015 * d for d in drift]
    ratio, low, high, confidence = paired_ratio(mine, theirs)
    assert ratio == pytest.approx(1.5) and low == pytest.approx(1.5) and high == pytest.approx(1.5)
    assert confidence == pytest.approx(0.95)
    # medians taken apart would carry the drift; the paired ratio does not
    mine_alone = sorted(mine)[5] / sorted(theirs)[4]
    assert mine_alone != pytest.approx(1.5)


def test_the_interval_claims_only_the_confidence_its_rounds_give():
    ratio, low, high, confidence = paired_ratio([2.0, 3.0], [1.0, 1.0])
    assert (ratio, low, high) == (2.5, 2.0, 3.0) and confidence == pytest.approx(0.5)
    with pytest.raises(ValueError, match="positive"):
        paired_ratio([1.0], [0.0])


def test_decimals_go_through_the_json_and_msgpack_defaults(tmp_path):
    import msgpack

    table = pa.table({"d": pa.array([decimal.Decimal("1.25"), None], pa.decimal128(10, 2))})
    calls = factories(table, tmp_path)
    expected = [{"d": "1.25"}, {"d": None}]  # exact text, as the adapters write decimals
    calls["json-orjson"]()["write"](table, tmp_path / "a.json")
    assert json.loads((tmp_path / "a.json").read_text()) == expected
    calls["jsonl-orjson"]()["write"](table, tmp_path / "a.jsonl")
    lines = (tmp_path / "a.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in lines] == expected
    calls["msgpack"]()["write"](table, tmp_path / "a.msgpack")
    assert msgpack.unpackb((tmp_path / "a.msgpack").read_bytes()) == expected


@pytest.mark.parametrize("name", ["lance", "vortex", "protobuf", "parquet-pyarrow", "json-orjson"])
def test_a_direct_call_reads_the_adapters_file_and_writes_its_own(name, tmp_path):
    adapter = formats.get(name)
    if not adapter.available().ok:
        pytest.skip(adapter.available().reason)
    table = pa.table({"id": [1, 2, 3], "s": ["a", None, "c"], "x": [0.5, 1.5, None]})
    path = tmp_path / adapter.file_name("t")
    adapter.write(table, path)
    calls = factories(table, tmp_path)[name]()
    assert calls["read"](path).column("s").to_pylist() == ["a", None, "c"]
    assert calls["read_column"](path, "id").column("id").to_pylist() == [1, 2, 3]
    calls["write"](table, tmp_path / f"direct.{adapter.extension}")
    assert (tmp_path / f"direct.{adapter.extension}").exists()


def test_every_format_family_has_a_direct_call(tmp_path):
    named = set(factories(pa.table({"a": [1]}), tmp_path))
    assert {"lance", "vortex", "protobuf", "parquet-pyarrow", "csv-duckdb", "avro-polars"} <= named
    families = {formats.get(n).format for n in named}
    assert {"Parquet", "Feather", "ORC", "CSV", "JSON", "JSON Lines", "Avro", "Lance"} <= families


def test_a_whole_comparison_on_small_data(tmp_path):
    seen, skipped = [], []
    rows = run_comparison(
        60, 2, tmp_path, ["feather", "lance"], report=seen.append,
        skipped=lambda n, why: skipped.append(n),
    )  # fmt: skip
    assert not skipped and rows == seen
    assert {r.adapter for r in rows} == {"feather", "lance"}
    assert {r.op.split("[")[0] for r in rows} == {"write", "read", "read_column"}
    assert all(r.pairs == 2 and r.ratio > 0 and r.low <= r.ratio <= r.high for r in rows)
