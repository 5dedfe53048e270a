"""README's sentences for the reference steps about layout and I/O: the row-group knob,
appends, object storage, streamed growth and small files. Each is computed from its
results frame (reference_text); one whose data the file lacks is left out.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from benchmarks.analysis.reference_text import (
    mb,
    passed,
    request_count,
    rows_text,
    sec,
    sentences,
    tied,
    times,
)

# -- knobs: one layout option swept -----------------------------------------------------


def _swept(frame: pd.DataFrame) -> tuple[str, list[Any]] | None:
    """The option whose value differs between cases, and its values in order."""
    options = [o for o in frame["options"] if isinstance(o, dict)]
    for key in dict.fromkeys(k for o in options for k in o):
        values = sorted({o.get(key) for o in options} - {None})
        if len(values) > 1:
            return key, values
    return None


def knob_sweep(frame: pd.DataFrame) -> str | None:
    """Each operation's time (and the file's size) at each value of the swept knob."""
    ok = passed(frame)
    found = _swept(ok)
    if found is None:
        return None
    key, values = found
    ok = ok.assign(knob=[o.get(key) if isinstance(o, dict) else None for o in ok["options"]])
    parts = []
    for label, rows in ok.groupby("label", sort=False):
        by = rows.set_index("knob")
        if not set(values) <= set(by.index):
            continue
        noise = " (within noise)" if bool(tied(rows).all()) else ""
        parts.append(f"{label} {' / '.join(sec(by.loc[v, 'median']) for v in values)}{noise}")
    sizes = ok[ok["operation"] == "write"].set_index("knob")["file_bytes"]
    if set(values) <= set(sizes.index):
        parts.append(f"file {' / '.join(mb(sizes[v]) for v in values)}")
    if not parts:
        return None
    shown = " / ".join(f"{v:,}" if isinstance(v, int) else str(v) for v in values)
    return f"At {key} = {shown}: {'; '.join(parts)}."


def knobs(frame: pd.DataFrame) -> list[str]:
    """The knob step's sentences."""
    return sentences(frame, [knob_sweep])


# -- appends ----------------------------------------------------------------------------


def _append_cases(frame: pd.DataFrame) -> pd.DataFrame:
    ok = passed(frame)
    return ok[(ok["operation"] == "append") & ok["append_p50_s"].notna()]


def append_latency(frame: pd.DataFrame, batch: Any) -> str | None:
    """Each format's time per append (p50) at one batch size, at its best append mode."""
    cases = _append_cases(frame)
    rows = cases[cases["batch_rows"] == batch].sort_values("append_p50_s")
    rows = rows.drop_duplicates("adapter")
    if rows.empty:
        return None
    parts = [
        f"{r['adapter']} {sec(r['append_p50_s'])}"
        + (f" ({r['append_mode']})" if isinstance(r.get("append_mode"), str) else "")
        for _, r in rows.iterrows()
    ]
    what = "1 row" if batch == 1 else f"{int(batch):,} rows"
    return f"One append of {what} (p50): {', '.join(parts)}."


def append_readback(frame: pd.DataFrame) -> str | None:
    """What the smallest appends cost the reader: the read's penalty against one write."""
    cases = _append_cases(frame)
    cases = cases[cases["readback_read_penalty"].notna()]
    small = cases[cases["batch_rows"] == cases["batch_rows"].min()]
    if small.empty:
        return None
    small = small.sort_values("readback_read_penalty")
    lo, hi = small.iloc[0], small.iloc[-1]
    what = f"{int(lo['batch_rows']):,}-row appends"
    return (
        f"A log grown by {what} reads {times(hi['readback_read_penalty'])} slower than the "
        f"same rows written at once in {hi['adapter']} ({hi.get('append_mode')}), "
        f"{times(lo['readback_read_penalty'])} in {lo['adapter']}."
    )


def appends(frame: pd.DataFrame) -> list[str]:
    """The append step's sentences: one per batch size, then the reader's cost."""
    cases = _append_cases(frame) if "append_p50_s" in frame else frame.iloc[0:0]
    batches = sorted(cases["batch_rows"].dropna().unique()) if not cases.empty else []
    builders = [lambda f, b=b: append_latency(f, b) for b in batches]
    return sentences(frame, [*builders, append_readback])


# -- object storage ---------------------------------------------------------------------


def _lookups(frame: pd.DataFrame) -> pd.DataFrame:
    ok = passed(frame)
    take = ok[(ok["operation"] == "take") & (ok["k"] == ok["k"].min())]
    return take.assign(
        latency=take["storage_latency_ms"].fillna(0) if "storage_latency_ms" in take else 0
    )


def lookup_requests(frame: pd.DataFrame) -> str | None:
    """Requests and bytes of one lookup per format, at the lowest latency."""
    take = _lookups(frame)
    take = take[take["latency"] == take["latency"].min()].sort_values("bytes_fetched")
    parts = [
        f"{r['adapter']} {request_count(r['requests'])} requests and {mb(r['bytes_fetched'])}"
        for _, r in take.iterrows()
        if request_count(r["requests"]) is not None
    ]
    if not parts:
        return None
    k = int(take["k"].iloc[0])
    return f"One lookup (take k={k}), counted at the server: {', '.join(parts)}."


def lookup_times(frame: pd.DataFrame) -> str | None:
    """The time of one lookup per format at each per-request latency."""
    take = _lookups(frame)
    lat = sorted(take["latency"].unique())
    by = take.pivot_table(index="adapter", columns="latency", values="median")
    by = by.dropna().sort_values(lat[0])
    if by.empty:
        return None
    parts = [f"{a} {' / '.join(sec(by.loc[a, x]) for x in lat)}" for a in by.index]
    lats = " / ".join(f"{x:g}" for x in lat)
    return f"Its time at {lats} ms per request: {', '.join(parts)}."


def storage(frame: pd.DataFrame) -> list[str]:
    """The object-storage step's sentences."""
    return sentences(frame, [lookup_requests, lookup_times])


# -- streamed growth and small files ----------------------------------------------------


def _by_rows(frame: pd.DataFrame, operation: str, column: str) -> pd.DataFrame:
    ok = passed(frame)
    rows = ok[(ok["operation"] == operation) & ok[column].notna()]
    return rows.pivot_table(index="adapter", columns="rows", values=column, aggfunc="min")


def growth(frame: pd.DataFrame, operation: str, column: str) -> str | None:
    """One measure (time or peak RSS) of one operation per format at each row count."""
    table = _by_rows(frame, operation, column)
    if table.empty or len(table.columns) < 2:
        return None
    show = sec if column == "median" else mb
    table = table.sort_values(table.columns[-1])
    parts = [
        f"{a} {' / '.join(show(v) if pd.notna(v) else '-' for v in table.loc[a])}"
        for a in table.index
    ]
    counts = " / ".join(f"{int(r):,}" for r in table.columns)
    what = "peak RSS" if column == "peak_rss_bytes" else "time"
    return f"{operation} {what} at {counts} rows: {', '.join(parts)}."


def scaling(frame: pd.DataFrame) -> list[str]:
    """The streamed-growth step's sentences: memory first (it does not depend on load)."""
    return sentences(
        frame,
        [
            lambda f: growth(f, "write", "peak_rss_bytes"),
            lambda f: growth(f, "read_stream", "peak_rss_bytes"),
            lambda f: growth(f, "write", "median"),
            lambda f: growth(f, "read_stream", "median"),
        ],
    )


def files_effect(frame: pd.DataFrame, operation: str) -> str | None:
    """One operation's time at the fewest vs the most files, per format."""
    ok = passed(frame)
    cases = ok[(ok["operation"] == operation) & ok["files"].notna()]
    if operation == "read_column":
        cases = cases[cases["label"] == cases["label"].iloc[0]]
    few, many = cases["files"].min(), cases["files"].max()
    if few == many:
        return None
    by = cases.pivot_table(index="adapter", columns="files", values="median", aggfunc="min")
    by = by[[few, many]].dropna()
    parts = [f"{a} {sec(by.loc[a, few])} vs {sec(by.loc[a, many])}" for a in by.index]
    if not parts:
        return None
    label = cases["label"].iloc[0]
    rows = rows_text(cases["rows"].iloc[0])
    return f"{label} of {rows} at {int(few)} vs {int(many)} files: {', '.join(parts)}."


def files(frame: pd.DataFrame) -> list[str]:
    """The small-files step's sentences."""
    return sentences(
        frame,
        [lambda f, op=op: files_effect(f, op) for op in ("read", "read_column", "write")],
    )
