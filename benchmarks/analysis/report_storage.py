"""The report's object-storage table: requests, MB fetched and time per format and latency.

The numbers behind the storage charts, one row per format and one column group per
latency the run swept, so "what 20 ms per request costs each format" reads across a row.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from benchmarks.analysis.cells import case_label, format_seconds
from benchmarks.analysis.charts.data import format_labels
from benchmarks.analysis.charts.storage import storage_frame
from benchmarks.analysis.report_blocks import Block, heading, para, table

EXPLAIN = (
    "Counted at the recording proxy between the clients and the S3 server, for one untimed "
    "call per case: requests (all verbs), MB fetched (MB sent for a write) and, for reads, "
    "fetch amplification (bytes fetched per Arrow byte asked for); time is the median of "
    "the timed calls at each latency added per request. 'a / b': the traffic differed "
    "between latencies (in their order)."
)


def storage_blocks(frame: pd.DataFrame) -> list[Block]:
    """One table per (dataset, rows, operation with parameters) of a run on object storage."""
    if "storage" not in frame or "bytes_fetched" not in frame:
        return []
    ok = frame[frame["storage"].fillna("local").ne("local") & frame["median"].notna()]
    if "error" in ok:
        ok = ok[ok["error"].isna()]
    if ok.empty:
        return []
    ok = storage_frame(ok.assign(label=format_labels(ok), failed=False))
    ok["case"] = ok.drop(columns="storage_latency_ms", errors="ignore").apply(case_label, axis=1)
    latencies = sorted(set(ok["latency"]))
    header = ["format", "requests", "MB", "amplification"]
    header += [f"time at {ms:g} ms" for ms in latencies]
    blocks = [heading("Object storage: requests, bytes and time"), para(EXPLAIN)]
    for (dataset, rows, case), group in ok.groupby(["dataset", "rows", "case"], sort=False):
        blocks.append(heading(f"{case} · {dataset} · {int(rows):,} rows", 3))
        blocks.append(table(header, _rows(group, latencies)))
    return blocks


def _rows(group: pd.DataFrame, latencies: list[float]) -> list[list[str]]:
    """Per format, fastest at the lowest latency first."""
    first = group[group["latency"] == latencies[0]].sort_values("median")
    order = list(dict.fromkeys([*first["series"], *group["series"]]))
    out = []
    for series in order:
        cases = group[group["series"] == series].sort_values("latency")
        cells = [
            series,
            _each(cases["requests_total"], lambda v: f"{int(v):,}"),
            _each(cases["mb_moved"], lambda v: f"{v:,.3f}"),
            _each(cases["fetch_amplification"], _times),
        ]
        times = dict(zip(cases["latency"], cases["median"], strict=True))
        cells += [format_seconds(times[ms]) if ms in times else "-" for ms in latencies]
        out.append(cells)
    return out


def _each(values: pd.Series, fmt: Callable[[float], str]) -> str:
    """One value, or 'a / b' in latency order when the client's traffic changed with it."""
    shown = list(dict.fromkeys(fmt(v) if pd.notna(v) else "-" for v in values))
    return " / ".join(shown)


def _times(value: float) -> str:
    """'2.34x', '2,556x': two decimals only where they mean something."""
    return f"{value:,.0f}x" if value >= 100 else f"{value:.2f}x"
