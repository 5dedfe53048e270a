"""Each case's ratio to the fastest case of its group, from rounds taken side by side.

A group's cases were timed in the same worker processes, interleaved (suite/groups.py),
so round r of case A and round r of the group's fastest case F ran moments apart, under
the same machine state. Their ratio cancels drift that moves every format alike; that
is what a ranking needs, where two medians measured apart would each carry the drift.

- ``round`` interleaving: per process, the ratios A[r] / F[r] of the rounds both took
  (the first min(n_A, n_F) rounds of each). ``ratio_to_fastest`` is the median of those
  pooled over processes; ``ratio_low``..``ratio_high`` is its order-statistics interval
  (95% from 6 ratios on; below that the range, whose coverage ``ratio_confidence`` says),
  widened to cover every process's own median ratio, as the medians' interval is
  (run/merge.py): rounds of one process share its heap layout, so they are not
  independent draws of the between-process spread.
- ``process`` interleaving (append, --stream): per process the ratio of the two medians;
  the median of those, the interval their range (none from a single process).

The fastest case is the one with the lowest median; its own ratio is 1. Processes are
matched by ``group_worker`` (a worker's token), so parts timed by different workers (a
resumed run) are never paired. No ratio is recorded for a case with no shared worker.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from benchmarks.suite.groups import PROCESS
from benchmarks.suite.rounds import CONFIDENCE, median_ci

ROUND_METHOD = (
    "median of per-round ratios to the fastest case, rounds taken side by side; "
    "order-statistics interval widened to every process's median ratio"
)
PROCESS_METHOD = "median of per-process ratios of medians; interval: their range"
#: Keys a case gets (extra_info), in the order written.
RATIO_KEYS = ("ratio_to_fastest", "ratio_low", "ratio_high", "ratio_confidence",
              "ratio_method", "ratio_pairs", "fastest_case")  # fmt: skip


def blocks(entry: dict[str, Any]) -> dict[str, list[float]]:
    """The entry's timed rounds per worker token, in the order taken."""
    info, stats = entry["extra_info"], entry.get("stats") or {}
    data = [float(x) for x in stats.get("data") or []]
    workers = info.get("process_workers") or [info.get("group_worker")]
    counts = info.get("process_rounds") or [len(data)]
    if len(workers) != len(counts) or sum(counts) != len(data):
        return {}
    out, start = {}, 0
    for worker, n in zip(workers, counts, strict=True):
        if worker is not None:
            out[str(worker)] = data[start : start + n]
        start += n
    return out


def round_ratio(mine: dict[str, list[float]], fastest: dict[str, list[float]]) -> dict[str, Any]:
    """Ratio keys from rounds taken side by side (``round`` interleaving)."""
    per_process = []
    pooled: list[float] = []
    for worker, rounds in mine.items():
        pairs = [a / b for a, b in zip(rounds, fastest.get(worker, []), strict=False) if b > 0]
        if pairs:
            per_process.append(float(np.median(pairs)))
            pooled += pairs
    if not pooled:
        return {}
    ci = median_ci(pooled)
    out: dict[str, Any] = {"ratio_to_fastest": ci.median, "ratio_pairs": len(pooled),
                           "ratio_method": ROUND_METHOD}  # fmt: skip
    if len(pooled) >= 2:
        out["ratio_low"] = min(ci.low, *per_process)
        out["ratio_high"] = max(ci.high, *per_process)
        out["ratio_confidence"] = coverage(len(pooled))
    return out


def process_ratio(mine: dict[str, list[float]], fastest: dict[str, list[float]]) -> dict[str, Any]:
    """Ratio keys from per-process medians (``process`` interleaving)."""
    ratios = [
        float(np.median(rounds)) / float(np.median(fastest[w]))
        for w, rounds in mine.items()
        if rounds and fastest.get(w) and float(np.median(fastest[w])) > 0
    ]
    if not ratios:
        return {}
    out: dict[str, Any] = {"ratio_to_fastest": float(np.median(ratios)),
                           "ratio_pairs": len(ratios), "ratio_method": PROCESS_METHOD}  # fmt: skip
    if len(ratios) >= 2:
        out.update(ratio_low=min(ratios), ratio_high=max(ratios),
                   ratio_confidence=1 - 2 * 0.5 ** len(ratios))  # fmt: skip
    return out


def coverage(n: int) -> float:
    """The confidence an order-statistics interval of the median of n values has: 95%
    from 6 values on (scipy picks the pair), else the range's 1 - 2 * 0.5**n."""
    return CONFIDENCE if n >= 6 else 1 - 2 * 0.5**n


def add_ratios(entries: list[dict[str, Any]]) -> None:
    """Write the ratio keys into each timed entry's extra_info, group by group."""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in entries:
        info, stats = entry.get("extra_info") or {}, entry.get("stats") or {}
        if info.get("group") and stats.get("median") and not info.get("error"):
            groups[str(info["group"])].append(entry)
    for members in groups.values():
        fastest = min(members, key=lambda e: float(e["stats"]["median"]))
        mine_fast = blocks(fastest)
        for entry in members:
            info = entry["extra_info"]
            how = process_ratio if info.get("interleave") == PROCESS else round_ratio
            found = how(blocks(entry), mine_fast)
            if found:
                info.update(found, fastest_case=fastest["extra_info"].get("case_id"))
