"""Merging a case's worker-process parts: pooled pytest-benchmark stats, a between-process CI."""

from __future__ import annotations

import statistics

from benchmarks.run.merge import merge_entries, process_interval
from benchmarks.run.parts import case_parts, final_parts, next_batch, parts_done
from benchmarks.run.results import _entry_problem
from benchmarks.suite.cases import Case
from benchmarks.suite.rounds import median_ci


def _entry(data: list[float], **extra) -> dict:
    from pytest_benchmark.stats import Stats

    stats = Stats()
    for x in data:
        stats.update(x)
    info = {"operation": "read", "data_bytes": 1_000_000, "file_bytes": 500_000,
            "peak_memory_bytes": 42, "round_trip": "lossless", "rounds": len(data),
            "warmup_rounds": 1, "case_budget_s": 0.25, **extra}  # fmt: skip
    return {"name": "n", "group": "read mixed", "extra_info": info,
            "stats": {**stats.as_dict(), "data": data}}  # fmt: skip


def test_two_parts_pool_their_rounds_into_pytest_benchmark_stats():
    a, b = [1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]
    merged = merge_entries([_entry(a), _entry(b, peak_memory_bytes=99, round_trip="lossy")])
    stats, info = merged["stats"], merged["extra_info"]
    assert stats["data"] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    assert (stats["median"], stats["mean"], stats["min"], stats["max"]) == (4.0, 4.0, 1.0, 7.0)
    assert stats["rounds"] == 7 and stats["total"] == 28.0
    assert stats["stddev"] == statistics.stdev(a + b)
    assert (stats["q1"], stats["q3"]) == (2.25, 5.75)  # pytest-benchmark's quartiles
    assert info["processes"] == 2 and info["process_medians"] == [2.0, 5.5]
    assert info["process_rounds"] == [3, 4] and info["rounds"] == 7
    assert info["warmup_rounds"] == 2 and info["case_budget_s"] == 0.5
    # memory, size and round trip are part 0's; throughput follows the pooled median
    assert info["peak_memory_bytes"] == 42 and info["round_trip"] == "lossless"
    assert info["logical_mb_s"] == 1_000_000 / 4.0 / 1e6
    assert info["physical_mb_s"] == 500_000 / 4.0 / 1e6
    assert _entry_problem(merged) is None  # still a valid results entry


def test_the_interval_covers_every_process_median():
    # within each process the rounds agree closely; the processes do not
    parts = [[1.00 + i / 1000 for i in range(20)], [1.10 + i / 1000 for i in range(20)],
             [1.30 + i / 1000 for i in range(20)]]  # fmt: skip
    merged = merge_entries([_entry(p) for p in parts])
    info = merged["extra_info"]
    pooled = median_ci([x for p in parts for x in p])
    assert pooled.low > min(info["process_medians"])  # the pooled interval alone misses them
    assert info["ci_low"] == min(info["process_medians"]) == statistics.median(parts[0])
    assert info["ci_high"] == max(info["process_medians"]) == statistics.median(parts[2])
    assert info["ci_low"] <= merged["stats"]["median"] <= info["ci_high"]
    assert info["ci_target_met"] is False  # ±14%: the processes disagree


def test_agreeing_processes_keep_the_pooled_interval():
    pooled = [1.0, 1.01, 1.02, 1.03, 1.04, 1.05, 1.06, 1.07, 1.08, 1.09]
    ci = process_interval(pooled, [1.045, 1.045])
    exact = median_ci(pooled)
    assert (ci.low, ci.high) == (exact.low, exact.high)


def test_one_part_is_the_entry_unchanged():
    entry = _entry([1.0, 2.0])
    assert merge_entries([entry]) is entry


def _case(name: str) -> Case:
    return Case("mixed", None, name, "none", "read")


def _finish(case: Case, part: int | None, status: str = "passed") -> dict:
    record = {"event": "finish", "id": case.id, "status": status}
    return record if part is None else {**record, "part": part}


def test_parts_run_in_order_and_a_failed_part_ends_its_case():
    a, b, c = _case("feather"), _case("parquet-pyarrow"), _case("orc-pyarrow")
    records = [_finish(a, 0), _finish(b, 0, "failed"), _finish(c, 0), _finish(c, 1)]
    final = final_parts(records)
    assert next_batch([a, b, c], final, 3) == (1, [a])  # the lowest missing part first
    assert parts_done([a, b, c], final, 3) == 1 + 3 + 2  # b is complete: it failed
    assert [r["status"] for r in case_parts(b, final, 3)] == ["failed"]


def test_a_journal_from_before_processes_is_part_zero():
    a = _case("feather")
    final = final_parts([_finish(a, None)])
    assert next_batch([a], final, 1) == (0, [])
    assert next_batch([a], final, 2) == (1, [a])
