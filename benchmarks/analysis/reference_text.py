"""The words and numbers README's reference-run sentences are made of.

Every figure README quotes from ``results/reference`` is formatted here from a results
frame (``tidy``), so a sentence can only say what its file holds. Relative times use the
run's ``ratio_to_fastest`` where the cases were timed side by side (paired.py) and the
medians otherwise; "within noise" is what the run itself calls a tie (ratio intervals, or
the medians' intervals in older files).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pandas as pd

from benchmarks.analysis.cells import case_label, format_seconds
from benchmarks.analysis.intervals import ties_with_fastest
from benchmarks.analysis.paired import RATIO, one_group, ties_by_ratio

#: A sentence builder: the frame in, one sentence or None when its data is missing.
Sentence = Callable[[pd.DataFrame], str | None]
#: What a builder may raise on a file without its keys: the sentence is left out.
MISSING = (KeyError, ValueError, IndexError, TypeError, ZeroDivisionError, AttributeError)


def sentences(frame: pd.DataFrame, builders: Iterable[Sentence]) -> list[str]:
    """Each builder's sentence, in order; one whose data the file lacks is left out."""
    out = []
    for build in builders:
        try:
            text = build(frame)
        except MISSING:
            text = None
        if text:
            out.append(text)
    return out


def passed(frame: pd.DataFrame) -> pd.DataFrame:
    """Timed cases that did not fail, each with its ``label`` (operation + parameters)."""
    ok = frame[frame["median"].notna()] if "median" in frame else frame.iloc[0:0]
    if "error" in ok:
        ok = ok[ok["error"].isna()]
    return ok.assign(label=ok.apply(case_label, axis=1)) if not ok.empty else ok


def sec(seconds: Any) -> str:
    """A time as every table prints it: 512 µs, 12.3 ms, 1.20 s."""
    return format_seconds(float(seconds))


def num(value: float) -> str:
    """A quantity with about 3 significant digits and thousands separators."""
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}" if value >= 1 else f"{value:.2g}"


def mb(nbytes: Any) -> str:
    """Bytes as MB (10^6): '19.8 MB'."""
    return f"{num(float(nbytes) / 1e6)} MB"


def times(ratio: float) -> str:
    """A ratio: '42x', '1.3x'."""
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.1f}x"


def rows_text(rows: Any) -> str:
    """'600,572 rows'."""
    return f"{int(rows):,} rows"


def relative(group: pd.DataFrame) -> pd.Series:
    """Each case's time relative to the fastest of ``group``: the run's side-by-side ratios
    when the rows are one interleaved group, else the medians (older files, --isolate)."""
    values = group[RATIO].astype(float) if one_group(group) else group["median"].astype(float)
    return values / values.min()


def tied(group: pd.DataFrame) -> pd.Series:
    """Per case: True when the run cannot tell it from the fastest (that case included)."""
    by_ratio = ties_by_ratio(group)
    return by_ratio if by_ratio is not None else ties_with_fastest(group)


def noise_clause(group: pd.DataFrame, name: str = "adapter") -> str:
    """' (a and b within noise)' when the run calls the fastest cases a tie, else ''."""
    if len(group) < 2:
        return ""
    ties = tied(group)
    names = [str(n) for n in group.loc[ties[ties].index, name]]
    return f" ({join(names)} within noise)" if len(names) >= 2 else ""


def join(items: list[str]) -> str:
    """'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def pick(frame: pd.DataFrame, prefer: str) -> tuple[str, int] | None:
    """The (dataset, rows) a sentence speaks of: the largest of ``prefer`` when the file
    has it, else the file's first dataset."""
    if frame.empty:
        return None
    mine = frame[frame["dataset"] == prefer]
    mine = mine if not mine.empty else frame[frame["dataset"] == frame["dataset"].iloc[0]]
    return str(mine["dataset"].iloc[0]), int(mine["rows"].max())


def on(frame: pd.DataFrame, where: tuple[str, int]) -> pd.DataFrame:
    """The cases of one (dataset, rows)."""
    return frame[(frame["dataset"] == where[0]) & (frame["rows"] == where[1])]


def where_text(where: tuple[str, int]) -> str:
    """'`mixed` (200,000 rows)'."""
    return f"`{where[0]}` ({rows_text(where[1])})"


def request_count(value: Any) -> int | None:
    """Requests of a storage case: a per-method dict ({'GET': 2, 'HEAD': 1}) or a number."""
    if isinstance(value, dict):
        return int(sum(value.values()))
    if value is None or pd.isna(value):
        return None
    return int(value)
