"""The tidy table shaped for charts: labels, parameter panels, failures, time units.

Failed cases carry fewer keys than passed ones (no ``rows``, a dataset spec rather than
its name), so they are matched to their passed siblings through the case id here, once,
and every chart can then group by (dataset, rows) without special cases.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.run.results import tidy

#: Operations in the order a reader meets them; unknown ones follow.
OP_ORDER = ("write", "read", "read_column", "take", "scan", "stream", "iterate", "append")


def chart_frame(data: dict[str, Any]) -> pd.DataFrame:
    """``tidy`` plus quartiles, normalised (dataset, rows), format labels and a panel label."""
    frame = tidy(data)
    stats = [b.get("stats") or {} for b in data["benchmarks"]]
    frame["q1"] = [s.get("q1") for s in stats]
    frame["q3"] = [s.get("q3") for s in stats]
    for key in ("error", "cache", "codec", "encoding", "orientation", "native"):
        if key not in frame:
            frame[key] = None
    frame["failed"] = frame["error"].notna() | frame["median"].isna()
    frame["panel"] = frame["case_id"].map(panel_label)
    _normalise_dataset_rows(frame)
    frame["base_label"] = format_labels(frame)
    knobs = frame["case_id"].map(knob_label)
    frame["label"] = [
        f"{b} {k}" if k else b for b, k in zip(frame["base_label"], knobs, strict=True)
    ]
    return frame


#: The knobs part of a case id's adapter segment: ``parquet-pyarrow{row_group_size=10}``.
KNOBS = re.compile(r"@(?:\d+|default)/[^/{]+\{(?P<knobs>[^}]*)\}/")


def knob_label(case_id: str) -> str:
    """``{row_group_size=10,threads=1}`` of a case id as 'row_group_size=10 threads=1'."""
    match = KNOBS.search(str(case_id))
    return match["knobs"].replace(",", " ") if match else ""


#: A case id: ``DATASET@ROWS/ADAPTER/CODEC/OP[PARAMS]``; DATASET may be a file path.
CASE_ID = re.compile(
    r"^(?P<where>.*@(?:\d+|default))/[^/]+/[^/]+/(?P<op>[^\[]+)(?:\[(?P<params>.*)\])?$"
)


def panel_label(case_id: str) -> str:
    """The operation's parameters from a case id: ``.../read_column[column=id]`` -> 'column=id'."""
    match = CASE_ID.match(str(case_id))
    params = match["params"] if match else None
    return params.replace(",", " · ") if params else ""


def _where(case_id: str) -> str:
    """The ``DATASET@ROWS`` part of a case id: the key failed cases share with passed ones."""
    match = CASE_ID.match(str(case_id))
    return match["where"] if match else str(case_id)


def _normalise_dataset_rows(frame: pd.DataFrame) -> None:
    """Give failed cases the dataset name and row count their passed siblings recorded."""
    key = frame["case_id"].map(_where)
    if "rows" not in frame:
        frame["rows"] = np.nan
    known = frame[frame["rows"].notna()].assign(key=key).drop_duplicates("key")
    names = dict(zip(known["key"], known["dataset"], strict=True))
    rows = dict(zip(known["key"], known["rows"], strict=True))
    frame["dataset"] = [names.get(k, d) for k, d in zip(key, frame["dataset"], strict=True)]
    requested = frame.get("rows_requested", pd.Series(np.nan, index=frame.index))
    filled = [rows.get(k, r) for k, r in zip(key, requested, strict=True)]
    frame["rows"] = frame["rows"].fillna(pd.Series(filled, index=frame.index))
    frame["rows"] = frame["rows"].fillna(-1).astype(int)  # -1: a failed case of unknown size


def format_labels(frame: pd.DataFrame) -> pd.Series:
    """'adapter', or 'adapter · codec' for every format once any adapter ran several codecs."""
    if frame.groupby("adapter")["codec"].nunique().max() <= 1:
        return frame["adapter"].astype(str)
    return frame["adapter"].astype(str) + " · " + frame["codec"].astype(str)


def operations(frame: pd.DataFrame) -> list[str]:
    """Operations present, in reading order."""
    present = list(dict.fromkeys(frame["operation"]))
    return sorted(present, key=lambda op: (OP_ORDER.index(op) if op in OP_ORDER else 99, op))


def by_dataset_rows(frame: pd.DataFrame) -> Iterator[tuple[str, int, pd.DataFrame]]:
    """(dataset, rows, cases) for every size of every dataset, in the run's order."""
    for (dataset, rows), group in frame.groupby(["dataset", "rows"], sort=False):
        yield str(dataset), int(rows), group


def panels(group: pd.DataFrame) -> list[str]:
    """Parameter panels of one operation, in the order the run listed them."""
    return list(dict.fromkeys(group["panel"]))


def format_order(group: pd.DataFrame, value: str = "median") -> list[str]:
    """Format labels, fastest first (geometric mean over panels), failed-only last."""
    ok = group[~group["failed"] & group[value].gt(0)]
    score = np.log(ok[value]).groupby(ok["label"]).mean().sort_values()
    rest = sorted(set(group["label"]) - set(score.index))
    return list(score.index) + rest


def time_unit(seconds: float) -> tuple[float, str]:
    """(factor, unit) that keeps ``seconds * factor`` readable on an axis."""
    if seconds >= 1:
        return 1.0, "s"
    if seconds >= 1e-3:
        return 1e3, "ms"
    return 1e6, "µs"


def format_time(seconds: float) -> str:
    """Human time for a value label, 3 significant digits: 512 µs, 12.3 ms, 1.20 s.

    The unit switches where rounding would print '1000 µs' or '1e+03 ms'.
    """
    if seconds < 0.9995e-3:
        return f"{seconds * 1e6:.3g} µs"
    if seconds < 0.9995:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"


def file_stem(*parts: Any) -> str:
    """A safe file name from chart parts: 'bars_read_column_mixed_5000'."""
    text = "_".join(str(p) for p in parts if p not in (None, ""))
    return "".join(c if c.isalnum() or c in "-_." else "-" for c in text)


def attribute(group: pd.DataFrame, label: str, key: str) -> str:
    """A per-format attribute (orientation, encoding) of one label."""
    values = group.loc[group["label"] == label, key].dropna()
    return str(values.iloc[0]) if len(values) else ""
