"""How sure a figure is: each case's interval of the median, and which formats tie.

An interval is 95% only when its rounds give that: below 6 rounds it is min..max and
claims its own coverage (``confidence``), which the tables print beside it ("±3% (88%)").

Runs with ``--rounds auto`` record ``ci_low``/``ci_high`` per case (suite/rounds.py). Two
formats whose intervals overlap cannot be told apart by this run, so every view calls
them a tie rather than ranking noise. Results files from before the intervals have no
such columns: then nothing is called a tie here and callers fall back to the IQR.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from benchmarks.suite.rounds import CONFIDENCE, range_coverage

CI_KEYS = ("ci_low", "ci_high")


def has_ci(frame: pd.DataFrame) -> bool:
    """True when the frame carries intervals for at least one case."""
    return all(k in frame for k in CI_KEYS) and frame["ci_low"].notna().any()


def interval(row: pd.Series | dict[str, Any]) -> tuple[float, float] | None:
    """(low, high) of a case, or None when the results file has none for it."""
    low, high = row.get("ci_low"), row.get("ci_high")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return None
    rounds = row.get("rounds")
    if rounds is not None and not pd.isna(rounds) and int(rounds) < 2:
        return None  # files written before one round stopped claiming a zero-width interval
    return float(low), float(high)


def confidence(row: pd.Series | dict[str, Any]) -> float | None:
    """The confidence a case's interval really has: what the file records, and never more
    than min..max of its rounds covers (files written before intervals said so claimed
    95% for 2 rounds, whose range covers the median only half the time)."""
    if interval(row) is None:
        return None
    recorded = row.get("ci_confidence")
    claim = CONFIDENCE if recorded is None or pd.isna(recorded) else float(recorded)
    rounds = row.get("rounds")
    if rounds is None or pd.isna(rounds) or range_coverage(int(rounds)) >= CONFIDENCE:
        return claim
    return min(claim, range_coverage(int(rounds)))


def overlap(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool | None:
    """True when two intervals overlap; None when either is unknown."""
    if a is None or b is None:
        return None
    return a[0] <= b[1] and b[0] <= a[1]


def half_width_text(row: pd.Series) -> str:
    """'±1.8%': the interval's larger side relative to the median; '-' without one."""
    ci, median = interval(row), row.get("median")
    if ci is None or median is None or pd.isna(median) or median <= 0:
        return "-"
    half = max(median - ci[0], ci[1] - median) / median
    claim = confidence(row)
    below = claim is not None and claim < CONFIDENCE - 1e-12
    return f"±{half:.1%} ({claim:.0%})" if below else f"±{half:.1%}"


def ties_with_fastest(group: pd.DataFrame) -> pd.Series:
    """Per row: True when its interval overlaps the fastest row's (the fastest included)."""
    if group.empty or not has_ci(group):
        return pd.Series(False, index=group.index)
    best = interval(group.loc[group["median"].idxmin()])
    return group.apply(lambda row: bool(overlap(interval(row), best)), axis=1)


def _cases(frame: pd.DataFrame, adapter: str, codec: str, operation: str) -> pd.DataFrame:
    ok = frame[frame["error"].isna()] if "error" in frame else frame
    mine = (ok["adapter"] == adapter) & (ok["codec"] == codec) & (ok["operation"] == operation)
    return ok[mine]


def within_noise(
    frame: pd.DataFrame, a: tuple[str, str], b: tuple[str, str], operation: str, keys: list[str]
) -> bool:
    """True when (adapter, codec) ``a`` and ``b`` overlap in every case of ``operation``."""
    if not has_ci(frame):
        return False
    left, right = _cases(frame, *a, operation), _cases(frame, *b, operation)
    keys = [k for k in keys if k in frame]
    pairs = left.merge(right, on=keys, suffixes=("_a", "_b")) if keys else pd.DataFrame()
    if pairs.empty:
        return False
    for _, p in pairs.iterrows():
        ca = interval({"ci_low": p["ci_low_a"], "ci_high": p["ci_high_a"]})
        cb = interval({"ci_low": p["ci_low_b"], "ci_high": p["ci_high_b"]})
        if not overlap(ca, cb):
            return False
    return True


def noise_sentence(names: tuple[str, str], operations: list[str]) -> str:
    """'parquet-pyarrow and feather are within noise on read.'"""
    return f"{names[0]} and {names[1]} are within noise on {' and '.join(operations)}."


def same_ratio(a: float, b: float) -> bool:
    """Non-timed metrics (bytes, universality) tie only when equal."""
    return (pd.isna(a) and pd.isna(b)) or (
        not pd.isna(a) and not pd.isna(b) and math.isclose(a, b, rel_tol=1e-9)
    )
