"""Ratio to the group's fastest from rounds taken side by side, on synthetic rounds."""

from __future__ import annotations

import statistics

import pandas as pd
import pytest

from benchmarks.analysis import paired
from benchmarks.analysis.compare import Change
from benchmarks.run.merge import merge_entries
from benchmarks.run.ratios import PROCESS_METHOD, ROUND_METHOD, add_ratios, coverage


def _entry(case: str, data: list[float], worker: str = "w1", group: str = "g", **extra) -> dict:
    from pytest_benchmark.stats import Stats

    stats = Stats()
    for x in data:
        stats.update(x)
    info = {"case_id": case, "operation": "read", "group": group, "group_worker": worker,
            "interleave": "round", **extra}  # fmt: skip
    return {"name": case, "extra_info": info, "stats": {**stats.as_dict(), "data": data}}


def test_ratio_is_the_median_of_per_round_ratios_with_drift_cancelled():
    drift = [1.0, 1.5, 1.0, 2.0, 1.2, 1.1, 1.8]  # the machine slows and recovers
    fast = _entry("F", [0.010 * d for d in drift])
    slow = _entry("S", [0.013 * d for d in drift])
    add_ratios([fast, slow])
    info = slow["extra_info"]
    assert info["ratio_to_fastest"] == pytest.approx(1.3)
    # every round saw the same 1.3: the interval is that point, though medians spread 2x
    assert info["ratio_low"] == pytest.approx(1.3) and info["ratio_high"] == pytest.approx(1.3)
    assert info["ratio_pairs"] == 7 and info["ratio_method"] == ROUND_METHOD
    assert info["fastest_case"] == "F" and info["ratio_confidence"] == 0.95
    assert fast["extra_info"]["ratio_to_fastest"] == 1.0


def test_ratio_interval_comes_from_the_spread_of_the_paired_ratios():
    fast = _entry("F", [1.0] * 9)
    ratios = [1.1, 1.3, 1.2, 1.25, 1.15, 1.22, 1.18, 1.35, 1.05]
    slow = _entry("S", ratios)
    add_ratios([slow, fast])
    info = slow["extra_info"]
    assert info["ratio_to_fastest"] == pytest.approx(statistics.median(ratios))
    assert min(ratios) <= info["ratio_low"] < info["ratio_to_fastest"] < info["ratio_high"]
    assert info["ratio_high"] <= max(ratios)


def test_few_pairs_claim_only_the_coverage_they_have():
    fast, slow = _entry("F", [1.0, 1.0, 1.0]), _entry("S", [2.0, 3.0, 2.5])
    add_ratios([fast, slow])
    info = slow["extra_info"]
    assert (info["ratio_low"], info["ratio_high"]) == (2.0, 3.0)
    assert info["ratio_confidence"] == pytest.approx(0.75) == coverage(3)
    one_f, one_s = _entry("F", [1.0]), _entry("S", [2.0])
    add_ratios([one_f, one_s])
    assert one_s["extra_info"]["ratio_to_fastest"] == 2.0 and "ratio_low" not in one_s["extra_info"]


def test_unequal_round_counts_pair_only_the_rounds_both_took():
    fast = _entry("F", [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 5.0, 5.0])  # went on alone, then slowed
    slow = _entry("S", [2.0, 2.0, 2.0, 2.0, 2.0, 2.0])
    add_ratios([fast, slow])
    assert slow["extra_info"]["ratio_to_fastest"] == 2.0 and slow["extra_info"]["ratio_pairs"] == 6


def test_processes_are_paired_by_worker_and_widen_the_interval():
    f1, f2 = _entry("F", [1.0] * 4, "w1"), _entry("F", [2.0] * 4, "w2")
    s1, s2 = _entry("S", [1.2] * 4, "w1"), _entry("S", [2.8] * 4, "w2")
    fast, slow = merge_entries([f1, f2]), merge_entries([s1, s2])
    assert slow["extra_info"]["process_workers"] == ["w1", "w2"]
    add_ratios([fast, slow])
    info = slow["extra_info"]
    assert info["ratio_pairs"] == 8
    assert info["ratio_low"] == pytest.approx(1.2) and info["ratio_high"] == pytest.approx(1.4)


def test_rounds_of_different_workers_are_never_paired():
    fast, slow = _entry("F", [1.0] * 5, "w1"), _entry("S", [2.0] * 5, "w2")
    add_ratios([fast, slow])
    assert "ratio_to_fastest" not in slow["extra_info"]


def test_process_interleaving_takes_per_process_ratios_of_medians():
    kw = {"interleave": "process"}
    f = merge_entries(
        [_entry("F", [1.0, 1.1, 0.9], "w1", **kw), _entry("F", [2.0] * 3, "w2", **kw)]
    )
    s = merge_entries(
        [_entry("S", [3.0, 3.3, 2.7], "w1", **kw), _entry("S", [5.0] * 3, "w2", **kw)]
    )
    add_ratios([f, s])
    info = s["extra_info"]
    assert info["ratio_method"] == PROCESS_METHOD and info["ratio_pairs"] == 2
    assert (info["ratio_low"], info["ratio_high"]) == pytest.approx((2.5, 3.0))
    assert info["ratio_to_fastest"] == pytest.approx(2.75)


def test_groups_are_separate_and_failed_cases_get_no_ratio():
    a, b = _entry("A", [1.0] * 3, group="g1"), _entry("B", [3.0] * 3, group="g2")
    failed = {"name": "X", "extra_info": {"case_id": "X", "group": "g1", "error": "boom"},
              "stats": None}  # fmt: skip
    add_ratios([a, b, failed])
    assert a["extra_info"]["ratio_to_fastest"] == b["extra_info"]["ratio_to_fastest"] == 1.0
    assert "ratio_to_fastest" not in failed["extra_info"]


def _frame(rows: list[dict]) -> pd.DataFrame:
    base = {"dataset": "mixed", "rows": 1000, "cache": "warm", "operation": "read",
            "group": "g", "error": None, "ci_low": None, "ci_high": None, "rounds": 9}  # fmt: skip
    return pd.DataFrame([{**base, **r} for r in rows])


def test_rankings_use_ratios_where_every_case_of_the_group_has_one():
    # medians from different moments disagree with the side-by-side ratios: ratios rule
    frame = _frame([
        {"adapter": "a", "codec": "x", "median": 1.0, "ratio_to_fastest": 1.3},
        {"adapter": "b", "codec": "x", "median": 1.2, "ratio_to_fastest": 1.0},
    ])  # fmt: skip
    rel = paired.relative_times(frame, ["dataset", "rows", "cache"])
    assert list(rel["median"]) == [1.3, 1.0]
    mixed = frame.assign(group=["g", "h"])  # two groups: no common fastest, medians stay
    assert list(paired.relative_times(mixed, ["dataset"])["median"]) == [1.0, 1.2]


def test_ties_follow_the_ratio_intervals():
    frame = _frame([
        {"adapter": "a", "codec": "x", "median": 1.0, "ratio_to_fastest": 1.0,
         "ratio_low": 1.0, "ratio_high": 1.0},
        {"adapter": "b", "codec": "x", "median": 1.1, "ratio_to_fastest": 1.02,
         "ratio_low": 0.97, "ratio_high": 1.08},
        {"adapter": "c", "codec": "x", "median": 1.05, "ratio_to_fastest": 1.3,
         "ratio_low": 1.2, "ratio_high": 1.4},
    ])  # fmt: skip
    assert list(paired.ties_by_ratio(frame)) == [True, True, False]
    rows = frame.to_dict("records")
    assert paired.pair_within_noise(rows[0], rows[1]) is True
    assert paired.pair_within_noise(rows[1], rows[2]) is False
    assert paired.pair_within_noise(rows[0], {**rows[1], "group": "other"}) is None


def test_compare_judges_the_ratio_not_a_drifted_median():
    common = dict(case="c", operation="read", base_iqr=0.0, new_iqr=0.0, threshold=0.1,
                  base_ci=(0.9, 1.1), new_ci=(1.35, 1.5))  # fmt: skip
    drift = Change(base=1.0, new=1.4, base_rel=(1.3, 1.25, 1.35), new_rel=(1.31, 1.26, 1.36),
                   **common)  # fmt: skip
    assert drift.uses_ratio and drift.verdict == "same"  # the whole run was slower
    moved = Change(base=1.0, new=1.4, base_rel=(1.3, 1.25, 1.35), new_rel=(1.8, 1.7, 1.9),
                   **common)  # fmt: skip
    assert moved.verdict == "slower"
    alone = Change(base=1.0, new=1.4, **common)  # no ratios: the medians' intervals, as before
    assert not alone.uses_ratio and alone.verdict == "slower"
