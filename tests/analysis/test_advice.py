"""Advice on hand-made tidy tables: what is excluded, why, and what the answer says."""

from __future__ import annotations

import pandas as pd
import pytest
from rich.console import Console

from benchmarks.analysis.advice import advise, answer_lines, exclusions, ranked_on
from benchmarks.analysis.recommend import PROFILES
from benchmarks.analysis.summary import print_answer
from tests.analysis.test_recommend import WORLD, world_frame

TZ_CHANGE = "ts: timestamp[ns, tz=Asia/Kolkata] -> timestamp[ns, tz=UTC]"

#: Real adapter names (the registry knows who can append), each excelling somewhere.
REAL = {
    "avro-fastavro": WORLD["logger"],
    "parquet-pyarrow": WORLD["columnar"],
    "csv-pyarrow": ("CSV", 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5),  # fastest at all, but lossy
    "pickle": ("Pickle", 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1),  # faster still, but unsafe
    "lance": WORLD["indexed"],
}


def frame_with_tz_change() -> pd.DataFrame:
    """The world on a dataset whose time zone CSV drops; every read case was checked."""
    frame = world_frame(REAL).assign(round_trip="lossless", engine="e", native=True)
    csv = frame["adapter"] == "csv-pyarrow"
    frame.loc[csv & (frame["operation"] != "write"), "round_trip"] = "changed"
    frame["round_trip_change"] = None
    frame.loc[frame["round_trip"] == "changed", "round_trip_change"] = TZ_CHANGE
    frame.loc[frame["operation"] == "write", "round_trip"] = None
    pickle_appends = (frame["adapter"] == "pickle") & (frame["operation"] == "append")
    return frame[~pickle_appends]  # pickle's append cases were skipped: it cannot append


def _winners(frame: pd.DataFrame, **allow) -> dict[str, str]:
    found = {}
    for name in PROFILES:
        advice = advise(frame, name, **allow)
        if not advice.ranking.empty:
            found[name] = advice.ranking.iloc[0]["adapter"]
    return found


def test_a_non_utc_timestamp_makes_csv_ineligible_by_default():
    frame = frame_with_tz_change()
    excluded, _ = exclusions(frame, "serving")
    assert excluded["csv-pyarrow"] == f"changes this data: {TZ_CHANGE} (allow with --allow-lossy)"
    assert "csv-pyarrow" not in _winners(frame).values()


def test_allow_lossy_admits_csv_and_names_the_change():
    frame = frame_with_tz_change()
    advice = advise(frame, "serving", allow_lossy=True, allow_unsafe=False)
    assert advice.ranking.iloc[0]["adapter"] == "csv-pyarrow"
    assert advice.notes["csv-pyarrow"] == TZ_CHANGE
    lines = [ln for _, block in answer_lines(frame, allow_lossy=True) for ln in block]
    assert f"  admitted with --allow-lossy: {TZ_CHANGE}" in lines


def test_pickle_never_wins_without_allow_unsafe():
    frame = frame_with_tz_change()
    for allow_lossy in (False, True):
        assert "pickle" not in _winners(frame, allow_lossy=allow_lossy).values()
    reason = exclusions(frame, "storage")[0]["pickle"]
    assert "runs arbitrary code" in reason and "--allow-unsafe" in reason
    assert "pickle" in _winners(frame, allow_lossy=True, allow_unsafe=True).values()


def test_the_logging_profile_without_appends_says_it_needs_them():
    frame = frame_with_tz_change()
    advice = advise(frame[frame["operation"] != "append"], "logging")
    assert advice.ranking.empty
    assert advice.reason == "needs the append operation: run with --ops append"


def test_logging_excludes_what_cannot_append_and_names_the_mode():
    frame = frame_with_tz_change()
    advice = advise(frame, "logging", allow_unsafe=True)
    assert advice.excluded["pickle"].startswith("cannot append: a pickle is one object")
    assert advice.ranking.iloc[0]["label"] == "Avro via e (c), append"


def test_lookups_need_a_native_take():
    frame = frame_with_tz_change()
    frame.loc[(frame["adapter"] == "lance") & (frame["operation"] == "take"), "native"] = False
    advice = advise(frame, "lookups")
    assert advice.excluded["lance"] == "no native take: each take reads the whole file"
    assert advice.ranking.iloc[0]["adapter"] == "parquet-pyarrow"


def test_each_format_is_ranked_once_at_its_best_engine():
    frame = frame_with_tz_change()
    slower = frame[frame["adapter"] == "parquet-pyarrow"].assign(
        adapter="parquet-other", engine="other", median=lambda f: f["median"] * 3
    )
    advice = advise(pd.concat([frame, slower]), "analytics")
    assert list(advice.ranking["adapter"]).count("parquet-other") == 0
    assert advice.ranking.iloc[0]["label"] == "Parquet via e (c)"


def test_the_terminal_answer_names_winner_reason_and_exclusions():
    console = Console(record=True, width=300)
    print_answer(frame_with_tz_change(), console, profile="lookups")
    text = console.export_text()
    assert "Recommendation for d (100 rows)" in text
    first = text.splitlines()[1]
    assert first.startswith("  lookups (ranked on take_p99, take_p50): Lance via e (c) wins on ")
    assert "x faster than runner-up" in first
    assert f"excluded csv-pyarrow: changes this data: {TZ_CHANGE}" in text
    assert "excluded pickle: Python-only" in text


@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_profile_gives_an_answer_or_says_why_not(profile):
    advice = advise(frame_with_tz_change(), profile)
    assert not advice.ranking.empty or advice.unmeasured


def frame_with_retype(strict: bool = False) -> pd.DataFrame:
    """Lance returns a string column as string_view, Parquet changes four decimals (and
    widens an int); the rest is lossless."""
    frame = frame_with_tz_change()
    reads = frame["operation"] != "write"
    lance, parquet = frame["adapter"] == "lance", frame["adapter"] == "parquet-pyarrow"
    frame["round_trip_retyped"] = None
    frame["round_trip_changes"] = None
    frame["round_trip_retyped"] = frame["round_trip_retyped"].astype(object)
    frame["round_trip_changes"] = frame["round_trip_changes"].astype(object)
    frame.loc[lance & reads, "round_trip"] = "retyped"
    for i in frame.index[lance & reads]:
        frame.at[i, "round_trip_retyped"] = ["category: string -> string_view"]
    decimals = [f"{c}: decimal128(15, 2) -> double" for c in ("l_quantity", "l_tax")]
    frame.loc[parquet & reads, "round_trip"] = "changed"
    frame.loc[parquet & reads, "round_trip_change"] = decimals[0]
    for i in frame.index[parquet & reads]:
        frame.at[i, "round_trip_changes"] = decimals
        frame.at[i, "round_trip_retyped"] = ["l_linenumber: int32 -> int64"]
    return frame


def test_retyped_formats_are_ranked_and_named_unless_strict_types():
    frame = frame_with_retype()
    advice = advise(frame, "lookups")
    assert advice.ranking.iloc[0]["adapter"] == "lance"  # same values: still the fastest
    assert "lance" not in advice.excluded
    lines = answer_lines(frame)[0][1]
    retyped = [line for line in lines if line.startswith("ranked lance")]
    assert retyped == [
        "ranked lance, which retypes this data: category: string -> string_view "
        "(values kept; --strict-types excludes it)"
    ]
    strict = advise(frame, "lookups", strict_types=True)
    assert strict.excluded["lance"].startswith("retypes this data: category: string -> ")
    assert "lance" not in set(strict.ranking["adapter"])


def test_an_exclusion_names_every_changed_column_and_not_the_retyped_one():
    frame = frame_with_retype()
    reason = exclusions(frame, "storage")[0]["parquet-pyarrow"]
    assert reason.startswith("changes this data: l_quantity, l_tax: decimal128(15, 2) -> double")
    assert "l_linenumber" not in reason


def test_serving_without_take_says_it_was_not_measured():
    frame = frame_with_tz_change()
    advice = advise(frame[frame["operation"] != "take"], "serving")
    assert advice.ranking.empty
    assert advice.reason.startswith("single-row latency by position or id (take) was not measured")
    assert not advise(frame, "serving").ranking.empty


def test_every_profile_line_names_the_metrics_it_ranked_on():
    lines = answer_lines(frame_with_tz_change())[0][1]
    ranked = [line for line in lines if " wins " in line or " ties " in line]
    assert ranked and all("(ranked on " in line for line in ranked)
    assert any(line.startswith("analytics (ranked on read_column, scan): ") for line in ranked)


def test_lakehouse_without_table_ops_says_so_and_ranks_with_cost_when_run():
    advice = advise(frame_with_tz_change(), "lakehouse")
    assert advice.ranking.empty
    assert advice.reason == (
        "table work (commits, row-level changes) was not measured: "
        "run with --ops commit,update,delete,merge"
    )
    ranked = advise(world_frame(), "lakehouse")
    assert ranked.ranking.iloc[0]["adapter"] == "lake"
    assert "cost" in ranked_on(ranked)
