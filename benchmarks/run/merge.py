"""One results entry from a case's worker-process parts: pooled rounds, a between-process CI.

Each part is pytest-benchmark's own entry (with its raw ``data``). The merged entry keeps
that shape: ``stats`` are pytest-benchmark's ``Stats`` recomputed over every round of every
part, so median/mean/min/max/stddev/rounds/data stay consistent with each other. Sizes,
memory and round-trip come from part 0 (the only part that measures them).

The interval: the order-statistics interval of the pooled rounds alone is too narrow
when processes disagree (each process's rounds share its heap layout, page placement and
CPU state, so they are not independent draws of the run-to-run spread). It is widened to
cover every process's median: with 3 processes the range of their medians alone is a 75%
interval for the median process (1 - 2 * 0.5**3), so the widened interval says at least
that much between-process doubt. ``ci_method`` records this.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pytest_benchmark.stats import Stats

from benchmarks.suite.measure import throughputs
from benchmarks.suite.rounds import TARGET, Interval, median_ci

CI_METHOD = "pooled rounds' order-statistics interval, widened to every process median"


def merge_entries(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """The case's entry from its passed parts' entries (one part: unchanged)."""
    if len(entries) < 2 or any("data" not in (e.get("stats") or {}) for e in entries):
        return entries[0]
    pooled = [float(x) for e in entries for x in e["stats"]["data"]]
    stats = Stats()
    for value in pooled:
        stats.update(value)
    merged_stats = {**stats.as_dict(), "data": pooled}
    first = entries[0]
    info = dict(first["extra_info"])
    info.update(_timing_info(entries, pooled, stats.median, info))
    return {**first, "extra_info": info, "stats": merged_stats}


def process_interval(pooled: list[float], medians: list[float]) -> Interval:
    """The pooled median's interval, widened to cover each process's median."""
    ci = median_ci(pooled)  # widening only adds coverage: it claims the pooled confidence
    return Interval(ci.median, min(ci.low, *medians), max(ci.high, *medians), ci.confidence)


def _timing_info(
    entries: list[dict[str, Any]], pooled: list[float], median: float, info: dict[str, Any]
) -> dict[str, Any]:
    """extra_info keys that follow from the timings, recomputed over every part."""
    medians = [float(e["stats"]["median"]) for e in entries]
    ci = process_interval(pooled, medians)
    parts = [e["extra_info"] for e in entries]
    out: dict[str, Any] = {
        "processes": len(entries),
        "process_medians": medians,
        "process_rounds": [int(e["stats"]["rounds"]) for e in entries],
        # which worker timed each part: ratios pair only rounds of one worker (run/ratios.py)
        "process_workers": [p.get("group_worker") for p in parts],
        "rounds": len(pooled),
        "warmup_rounds": sum(int(p.get("warmup_rounds", 0)) for p in parts),
        "case_budget_s": sum(float(p.get("case_budget_s", 0.0)) for p in parts),
        "ci_low": ci.low,
        "ci_high": ci.high,
        "ci_confidence": ci.confidence,
        "ci_target_met": ci.met(TARGET),
        "ci_method": CI_METHOD,
    }
    io = {"bytes_read": info["bytes_read"]} if "bytes_read" in info else {}
    op = info.get("operation", "")
    out.update(throughputs(op, info.get("data_bytes"), info.get("file_bytes"), io, median))
    if "p50_s" in info:  # take: per-call latency percentiles over every process's calls
        out.update(lookups=len(pooled), p50_s=float(np.percentile(pooled, 50)),
                   p99_s=float(np.percentile(pooled, 99)))  # fmt: skip
    if "rows_per_s" in info and median > 0:
        out["rows_per_s"] = info["rows_appended"] / median
    return out
