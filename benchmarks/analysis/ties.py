"""Ties in a recommendation ranking: formats this run cannot tell apart are shown as equal.

Two neighbours in a ranking tie when, on every weighted metric, they cannot be told
apart: a timed metric (a median) by overlapping 95% intervals in every case, any other
metric (bytes, universality) by an equal ratio. Tail latencies (take p50/p99) have no
interval, so they never tie unless equal.
"""

from __future__ import annotations

import pandas as pd

from benchmarks.analysis import recommend as rec
from benchmarks.analysis.intervals import has_ci, noise_sentence, same_ratio, within_noise


def _timed_operation(metric: str) -> str | None:
    """The operation whose median a metric is, or None when it has no interval."""
    m = rec.METRICS[metric]
    return m.operation if m.column == "median" and m.operation else None


def _key(row: pd.Series) -> tuple[str, str]:
    return str(row["adapter"]), str(row["codec"])


def noisy_metrics(frame: pd.DataFrame, a: pd.Series, b: pd.Series, metrics: list[str]) -> list[str]:
    """The timed metrics on which ranking rows ``a`` and ``b`` are within noise."""
    out = []
    for m in metrics:
        op = _timed_operation(m)
        if op and within_noise(frame, _key(a), _key(b), op, list(rec.CASE_KEYS)):
            out.append(m)
    return out


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
        if i and has_ci(frame) and tied(frame, ranking.iloc[i - 1], row, metrics):
            labels.append(f"={current}")
            continue
        current = i + 1
        labels.append(str(current))
    return labels


def noise_note(frame: pd.DataFrame, ranking: pd.DataFrame, weights: dict[str, float]) -> str:
    """'parquet-pyarrow and feather are within noise on read.' for the top two, or ''."""
    if len(ranking) < 2 or not has_ci(frame):
        return ""
    first, second = ranking.iloc[0], ranking.iloc[1]
    metrics = [m for m in weights if m in ranking and weights[m] > 0]
    noisy = noisy_metrics(frame, first, second, metrics)
    if not noisy:
        return ""
    ops = [rec.METRICS[m].operation or m for m in noisy]
    return noise_sentence((str(first["adapter"]), str(second["adapter"])), ops)
