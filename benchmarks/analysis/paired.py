"""Rankings from ratios taken side by side: each case's ``ratio_to_fastest`` and its interval.

A run times the cases a ranking compares together, interleaved (suite/groups.py), and
records for each its ratio to the group's fastest case with an interval (run/ratios.py).
Drift common to the group cancels in the ratio, so where a frame has them rankings, ties,
the recommendation and ``fmtbench compare`` use ratios; the medians and their intervals
stay in the results. Results files without ratios (older runs, ``--isolate``) fall back to
the medians and their intervals, as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

RATIO = "ratio_to_fastest"


def has_ratios(frame: pd.DataFrame) -> bool:
    """True when at least one case carries a ratio to its group's fastest."""
    return RATIO in frame and frame[RATIO].notna().any()


def _number(value: Any) -> float | None:
    if value is None or pd.isna(value):
        return None
    return float(value)


def ratio_interval(row: pd.Series | dict[str, Any]) -> tuple[float, float] | None:
    """(ratio_low, ratio_high) of a case, or None without one."""
    low, high = _number(row.get("ratio_low")), _number(row.get("ratio_high"))
    return None if low is None or high is None else (low, high)


def one_group(rows: pd.DataFrame) -> bool:
    """Whether ``rows`` are all of one interleaved group and all carry a ratio: only then
    are their ratios to one fastest case, comparable with each other."""
    if rows.empty or RATIO not in rows or "group" not in rows:
        return False
    return bool(rows[RATIO].notna().all()) and rows["group"].nunique(dropna=False) == 1


def relative_times(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """``frame`` with each timed case's ``median`` replaced by its ratio to the fastest
    where every case compared with it (same ``keys``) has one from the same group.

    Rankings divide by the best value per case, so a ratio to the group's fastest ranks
    exactly as a median would, without the drift the two medians carry separately.
    """
    if not has_ratios(frame) or "median" not in frame:
        return frame
    ok = frame["median"].notna()
    if "error" in frame:
        ok &= frame["error"].isna()
    keys = [k for k in keys if k in frame]
    out = frame.copy()
    timed = frame[ok]
    parts = timed.groupby(keys, dropna=False) if keys else [((), timed)]
    for _, rows in parts:
        if one_group(rows):
            out.loc[rows.index, "median"] = rows[RATIO].astype(float)
    return out


def ties_by_ratio(group: pd.DataFrame) -> pd.Series | None:
    """Per row: True when its ratio interval overlaps the lowest ratio's (that row too);
    None when the rows are not one group with ratios (then the medians' intervals rule)."""
    if not one_group(group):
        return None
    best = ratio_interval(group.loc[group[RATIO].astype(float).idxmin()])
    if best is None:
        best = (1.0, 1.0)

    def tie(row: pd.Series) -> bool:
        mine = ratio_interval(row)
        return mine is not None and mine[0] <= best[1] and best[0] <= mine[1]

    return group.apply(tie, axis=1)


def pair_within_noise(a: pd.Series | dict[str, Any], b: pd.Series | dict[str, Any]) -> bool | None:
    """Whether two cases of one group cannot be told apart by their ratio intervals; None
    when they are not of one group with intervals (then ask the medians' intervals)."""
    ga, gb = a.get("group"), b.get("group")
    if ga is None or gb is None or pd.isna(ga) or pd.isna(gb) or ga != gb:
        return None
    ia, ib = ratio_interval(a), ratio_interval(b)
    if ia is None or ib is None:
        return None
    return ia[0] <= ib[1] and ib[0] <= ia[1]
