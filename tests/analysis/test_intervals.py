"""Saying how sure: intervals in summary, charts' whiskers, ties in rankings, compare by overlap."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.console import Console

from benchmarks.analysis import intervals, precision, ties
from benchmarks.analysis import recommend as rec
from benchmarks.analysis.charts.bars import _whiskers
from benchmarks.analysis.compare import compare
from benchmarks.analysis.summary import summary_tables
from tests.analysis.test_compare import entry, results_file


def row(adapter: str, median: float, low: float | None, high: float | None, op: str = "read"):
    return {"dataset": "d", "rows": 10, "adapter": adapter, "format": adapter, "codec": "c",
            "operation": op, "cache": "warm", "median": median, "ci_low": low, "ci_high": high,
            "error": None, "file_bytes": 100.0}  # fmt: skip


def test_overlap_and_half_width():
    assert intervals.overlap((1.0, 2.0), (1.9, 3.0)) is True
    assert intervals.overlap((1.0, 2.0), (2.1, 3.0)) is False
    assert intervals.overlap(None, (1.0, 2.0)) is None
    assert intervals.half_width_text(pd.Series(row("a", 1.0, 0.99, 1.018))) == "±1.8%"
    assert intervals.half_width_text(pd.Series(row("a", 1.0, None, None))) == "-"


def _console_text(frame: pd.DataFrame) -> str:
    console = Console(width=200, record=True)
    for t in summary_tables(frame):
        console.print(t)
    return console.export_text()


def test_summary_shows_the_interval_and_calls_overlaps_a_tie():
    frame = pd.DataFrame(
        [row("fast", 1.0, 0.98, 1.02), row("close", 1.01, 0.99, 1.03), row("slow", 2.0, 1.9, 2.1)]
    )
    text = _console_text(frame)
    assert "95% CI" in text and "±2.0%" in text
    lines = {ln.split()[1]: ln for ln in text.splitlines() if ln.startswith("│")}
    assert "tie" in lines["close"] and "tie" not in lines["slow"] and "tie" not in lines["fast"]


def test_summary_of_an_old_file_without_intervals_has_no_ties():
    frame = pd.DataFrame([row("fast", 1.0, None, None), row("close", 1.01, None, None)])
    assert "tie" not in _console_text(frame)


def test_chart_whiskers_are_the_interval_when_recorded():
    with_ci = pd.Series({"median": 1.0, "ci_low": 0.9, "ci_high": 1.2, "q1": 0.5, "q3": 1.5})
    below, above = _whiskers(with_ci, 1.0, 1.0)
    assert (round(below, 9), round(above, 9)) == (0.1, 0.2)
    old = pd.Series({"median": 1.0, "q1": 0.5, "q3": 1.5})
    assert _whiskers(old, 1.0, 1.0) == (0.5, 0.5)


def _world(close_high: float) -> pd.DataFrame:
    return pd.DataFrame(
        [
            row("parquet", 1.0, 0.98, 1.02),
            row("feather", 1.01, 0.995, close_high),
            row("csv", 3.0, 2.9, 3.1),
        ]  # fmt: skip
    )


def test_ranking_shows_formats_within_noise_as_a_tie():
    frame, weights = _world(1.03), {"read": 1.0}
    ranking = rec.rank(frame, weights)
    assert list(ranking["adapter"]) == ["parquet", "feather", "csv"]
    assert ties.tie_ranks(frame, ranking, weights) == ["1", "=1", "3"]
    assert ties.noise_note(frame, ranking, weights) == (
        "parquet and feather are within noise on read."
    )


def test_no_tie_when_intervals_are_apart_or_unknown():
    weights = {"read": 1.0}
    frame = _world(1.03).assign(ci_low=[0.98, 1.005, 2.9], ci_high=[1.0, 1.03, 3.1])
    ranking = rec.rank(frame, weights)
    assert ties.tie_ranks(frame, ranking, weights) == ["1", "2", "3"]
    assert ties.noise_note(frame, ranking, weights) == ""
    old = _world(1.03).drop(columns=["ci_low", "ci_high"])
    assert ties.tie_ranks(old, rec.rank(old, weights), weights) == ["1", "2", "3"]


def test_a_size_difference_breaks_a_timing_tie():
    frame = _world(1.03)
    frame.loc[frame["adapter"] == "feather", "file_bytes"] = 200.0
    weights = {"read": 1.0, "file_bytes": 1.0}
    ranking = rec.rank(frame, weights)
    assert "=" not in "".join(ties.tie_ranks(frame, ranking, weights))
    assert "within noise on read" in ties.noise_note(frame, ranking, weights)


def ci_entry(adapter: str, median: float, low: float, high: float, iqr: float = 0.0) -> dict:
    e = entry(adapter, "read", median, iqr=iqr)
    e["extra_info"].update(ci_low=low, ci_high=high, ci_target_met=True)
    return e


def test_compare_calls_a_change_only_when_intervals_are_apart(tmp_path: Path):
    base = results_file(tmp_path / "b.json", [ci_entry("p", 1.0, 0.95, 1.05),
                                               ci_entry("q", 1.0, 0.99, 1.01)])  # fmt: skip
    new = results_file(tmp_path / "n.json", [ci_entry("p", 1.2, 1.04, 1.3),
                                              ci_entry("q", 1.2, 1.18, 1.22)])  # fmt: skip
    verdicts = {c.case.split()[1]: c.verdict for c in compare(base, new, 0.10).changes}
    assert verdicts == {"p/c": "same", "q/c": "slower"}


def test_compare_falls_back_to_the_iqr_without_intervals(tmp_path: Path):
    base = results_file(tmp_path / "b.json", [entry("p", "read", 1.0, iqr=0.5)])
    new = results_file(tmp_path / "n.json", [entry("p", "read", 1.2, iqr=0.5)])
    (change,) = compare(base, new, 0.10).changes
    assert not change.uses_ci and change.verdict == "same"  # 0.2 change < 0.5 IQR
    base = results_file(tmp_path / "b.json", [entry("p", "read", 1.0, iqr=0.05)])
    new = results_file(tmp_path / "n.json", [entry("p", "read", 1.2, iqr=0.05)])
    assert compare(base, new, 0.10).changes[0].verdict == "slower"


def test_precision_pairs_keep_cases_of_at_least_10_ms(tmp_path: Path):
    one = [entry("p", "read", 0.100), entry("q", "read", 0.005), entry("r", "read", 0.050)]
    two = [entry("p", "read", 0.104), entry("q", "read", 0.009), entry("r", "read", 0.060)]
    first, second = results_file(tmp_path / "1.json", one), results_file(tmp_path / "2.json", two)
    found = precision.pairs(first, second)
    assert [p.case.split()[1] for p in found] == ["p/c", "r/c"]
    assert [p.within() for p in found] == [True, False]
    assert precision.verdict(found) == "1 of 2 cases >= 10 ms within 5% (50%)"


def test_report_ranking_shows_the_tie_and_says_why():
    from benchmarks.analysis.report import Choices, to_markdown
    from benchmarks.analysis.report_advice import profile_blocks

    blocks = profile_blocks(_world(1.03), "reads", "custom", {"read": 1.0}, Choices())
    md = to_markdown(blocks, Path("."))
    assert "| =1 | feather" in md
    assert "parquet and feather are within noise on read." in md
