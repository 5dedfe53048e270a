"""Ties in a recommendation ranking: formats this run cannot tell apart are shown as equal.

Two neighbours in a ranking tie when, on every weighted metric, they cannot be told
apart: a timed metric by overlapping intervals in every case (the intervals of the ratio
to the group's fastest where the cases were timed side by side, else the medians' 95%
intervals), any other
metric (bytes, universality) by an equal ratio. Tail latencies (take p50/p99) have no
interval, so they never tie unless equal.
"""

from __future__ import annotations

import pandas as pd

from benchmarks.analysis import recommend as rec
from benchmarks.analysis.intervals import (
    has_ci,
    interval,
    noise_sentence,
    overlap,
    same_ratio,
    within_noise,
)
from benchmarks.analysis.paired import has_ratios, pair_within_noise


def _timed_operation(metric: str) -> str | None:
    """The operation whose median a metric is, or None when it has no interval."""
    m = rec.METRICS[metric]
    return m.operation if m.column == "median" and m.operation else None


def _sure(frame: pd.DataFrame) -> bool:
    """Whether the frame says how sure its figures are: medians' or ratios' intervals."""
    return has_ci(frame) or has_ratios(frame)


def _key(row: pd.Series) -> tuple[str, str]:
    return str(row["adapter"]), str(row["codec"])


def noisy_metrics(frame: pd.DataFrame, a: pd.Series, b: pd.Series, metrics: list[str]) -> list[str]:
    """The timed metrics on which ranking rows ``a`` and ``b`` are within noise."""
    out = []
    for m in metrics:
        op = _timed_operation(m)
        if op and _within_noise(frame, _key(a), _key(b), op):
            out.append(m)
    return out


def _within_noise(frame: pd.DataFrame, a: tuple[str, str], b: tuple[str, str], op: str) -> bool:
    """Within noise in every case of ``op``: by the ratio intervals where both cases were
    timed side by side (analysis/paired.py), else by the medians' intervals."""
    keys = [k for k in rec.CASE_KEYS if k in frame]
    if not has_ratios(frame) or not keys:
        return within_noise(frame, a, b, op, keys)
    ok = frame[frame["error"].isna()] if "error" in frame else frame
    ok = ok[ok["operation"] == op]
    left = ok[(ok["adapter"] == a[0]) & (ok["codec"] == a[1])]
    right = ok[(ok["adapter"] == b[0]) & (ok["codec"] == b[1])]
    pairs = left.merge(right, on=keys, suffixes=("_a", "_b"))
    if pairs.empty:
        return False
    for _, p in pairs.iterrows():
        side = {s: {c[: -len(s)]: p[c] for c in p.index if c.endswith(s)} for s in ("_a", "_b")}
        paired = pair_within_noise(side["_a"], side["_b"])
        if paired is None:
            paired = bool(overlap(interval(side["_a"]), interval(side["_b"])))
        if not paired:
            return False
    return True


def tied(frame: pd.DataFrame, a: pd.Series, b: pd.Series, metrics: list[str]) -> bool:
    """True when ``a`` and ``b`` cannot be told apart on any of ``metrics``."""
    noisy = set(noisy_metrics(frame, a, b, metrics))
    return all(m in noisy or same_ratio(a[m], b[m]) for m in metrics)


def tie_ranks(frame: pd.DataFrame, ranking: pd.DataFrame, weights: dict[str, float]) -> list[str]:
    """Rank labels: '1', '=1' for a row tied with the one above it, then '3', ..."""
    metrics = [m for m in weights if m in ranking and weights[m] > 0]
    labels: list[str] = []
    current = 1
    for i in range(len(ranking)):
        row = ranking.iloc[i]
        if i and _sure(frame) and tied(frame, ranking.iloc[i - 1], row, metrics):
            labels.append(f"={current}")
            continue
        current = i + 1
        labels.append(str(current))
    return labels


def noise_note(frame: pd.DataFrame, ranking: pd.DataFrame, weights: dict[str, float]) -> str:
    """'parquet-pyarrow and feather are within noise on read.' for the top two, or ''."""
    if len(ranking) < 2 or not _sure(frame):
        return ""
    first, second = ranking.iloc[0], ranking.iloc[1]
    metrics = [m for m in weights if m in ranking and weights[m] > 0]
    noisy = noisy_metrics(frame, first, second, metrics)
    if not noisy:
        return ""
    ops = [rec.METRICS[m].operation or m for m in noisy]
    return noise_sentence((str(first["adapter"]), str(second["adapter"])), ops)
