"""README's sentences for the in-memory reference steps: core, engines, access, take
scaling and iteration. Each sentence is computed from its results frame (reference_text);
one whose data the file lacks is left out, so an older or a newer file both render.
"""

from __future__ import annotations

import pandas as pd

from benchmarks.analysis.engines import at_best_engine, engine_spread, multi_engine
from benchmarks.analysis.paired import pair_within_noise
from benchmarks.analysis.reference_text import (
    join,
    mb,
    noise_clause,
    on,
    passed,
    pick,
    relative,
    sec,
    sentences,
    times,
    where_text,
)

# -- core: write, read and one column on mixed, TPC-H and logs ----------------------------


def column_speedup(frame: pd.DataFrame) -> str | None:
    """One column's speed-up over the full read per format family, on ``mixed``."""
    ok = passed(frame)
    where = pick(ok, "mixed")
    mine = on(ok, where)
    reads = mine[mine["operation"] == "read"].sort_values("median").drop_duplicates("format")
    cols = mine[mine["operation"] == "read_column"].groupby("adapter")["median"].min()
    ups = [
        (r["median"] / cols[r["adapter"]], str(r["format"]))
        for _, r in reads.iterrows()
        if r["adapter"] in cols
    ]
    if not ups:
        return None
    parts = [f"{times(x)} {name}" for x, name in sorted(ups, reverse=True)]
    return (
        f"One column of {where_text(where)} reads this many times faster than the whole "
        f"table, through each format's fastest reader: {', '.join(parts)}."
    )


def size_and_read(frame: pd.DataFrame) -> str | None:
    """File size and full-read time per format at its fastest reader, on TPC-H."""
    ok = passed(frame)
    where = pick(ok, "tpch-lineitem")
    reads = at_best_engine(on(ok, where)[lambda f: f["operation"] == "read"])
    if reads.empty:
        return None
    reads = reads.assign(x=relative(reads)).sort_values("x")
    parts = [
        f"{r['format']} {mb(r['file_bytes'])} in {sec(r['median'])}" for _, r in reads.iterrows()
    ]
    return (
        f"On {where_text(where)}, file size and full read, fastest first: {', '.join(parts)}"
        f"{noise_clause(reads, 'format')}."
    )


def fastest_write(frame: pd.DataFrame) -> str | None:
    """The fastest write and the smallest file on TPC-H, with the slowest for scale."""
    ok = passed(frame)
    where = pick(ok, "tpch-lineitem")
    writes = on(ok, where)[lambda f: f["operation"] == "write"]
    if len(writes) < 2:
        return None
    writes = writes.assign(x=relative(writes)).sort_values("x")
    best, worst = writes.iloc[0], writes.iloc[-1]
    small = writes.sort_values("file_bytes").iloc[0]
    return (
        f"Writing it, {best['adapter']} is fastest ({sec(best['median'])}) and "
        f"{worst['adapter']} slowest ({times(worst['x'])} as long){noise_clause(writes)}; "
        f"{small['adapter']} writes the smallest file ({mb(small['file_bytes'])})."
    )


def refusals(frame: pd.DataFrame) -> str | None:
    """Which adapters could not store which dataset (the report gives each reason)."""
    if "error" not in frame:
        return None
    failed = frame[frame["error"].notna() & (frame["operation"] == "write")]
    parts = [
        f"{join(sorted(set(g['adapter'])))} cannot store `{ds}`"
        for ds, g in failed.groupby("dataset", sort=False)
    ]
    return f"{'; '.join(parts)} (each reason is in the report)." if parts else None


def round_trips(frame: pd.DataFrame) -> str | None:
    """Adapters whose round trip changed or retyped the data, where the file records it."""
    if "round_trip" not in frame:
        return None
    verdicts = frame[frame["round_trip"].isin(["changed", "retyped"])]
    parts = [
        f"{join(sorted(set(g['adapter'])))} {verdict}"
        for verdict, g in verdicts.groupby("round_trip", sort=True)
    ]
    if not parts:
        return None
    return f"Round-trip verdicts other than lossless: {'; '.join(parts)} (see the report)."


def core(frame: pd.DataFrame) -> list[str]:
    """The core step's sentences."""
    return sentences(frame, [column_speedup, size_and_read, fastest_write, refusals, round_trips])


# -- engines: every engine of every format ----------------------------------------------


def best_engines(frame: pd.DataFrame, operation: str = "read") -> str | None:
    """The fastest engine per format that ran through several, on one operation."""
    spread = multi_engine(engine_spread(frame))
    mine = spread[spread["label"] == operation].sort_values("best_median")
    if mine.empty:
        return None
    parts = [
        f"{r['format']} via {r['best_adapter']} ({sec(r['best_median'])})"
        for _, r in mine.iterrows()
    ]
    return f"Fastest engine per format on {operation}: {', '.join(parts)}."


def widest_spreads(frame: pd.DataFrame) -> str | None:
    """Per operation, the format whose engines differ most, or 'within noise'."""
    ok = passed(frame)
    spread = multi_engine(engine_spread(frame))
    parts = []
    for label, rows in spread.groupby("label", sort=False):
        r = rows.sort_values("spread").iloc[-1]
        best = ok[(ok["adapter"] == r["best_adapter"]) & (ok["label"] == label)].iloc[0]
        worst = ok[(ok["adapter"] == r["worst_adapter"]) & (ok["label"] == label)].iloc[0]
        gap = "within noise" if pair_within_noise(best, worst) else times(r["spread"])
        parts.append(
            f"{label}: {r['format']}, {r['worst_adapter']} {sec(r['worst_median'])} against "
            f"{r['best_adapter']} {sec(r['best_median'])} ({gap})"
        )
    return (
        f"The widest spread between engines of one format, per operation: {'; '.join(parts)}."
        if parts
        else None
    )


def engine_ties(frame: pd.DataFrame) -> str | None:
    """Formats whose two fastest engines the run cannot tell apart on read."""
    ok = passed(frame)
    reads = ok[ok["operation"] == "read"].sort_values("median")
    tied = []
    for _, rows in reads.groupby("format", sort=True):
        if len(rows) >= 2 and pair_within_noise(rows.iloc[0], rows.iloc[1]):
            tied.append(f"{rows.iloc[0]['adapter']} and {rows.iloc[1]['adapter']}")
    return f"Within noise on read: {join(tied)}." if tied else None


def engines(frame: pd.DataFrame) -> list[str]:
    """The engines step's sentences."""
    return sentences(
        frame,
        [best_engines, lambda f: best_engines(f, "write"), widest_spreads, engine_ties, refusals],
    )


# -- access patterns: take, scan, stream ------------------------------------------------


def take_one(frame: pd.DataFrame) -> str | None:
    """The p50 latency of fetching 1 row, per format; which have no native take."""
    ok = passed(frame)
    take = ok[(ok["operation"] == "take") & (ok["k"] == 1)]
    if "pattern" in take:
        take = take[take["pattern"].isin(["uniform"]) | take["pattern"].isna()]
    where = pick(take, "tpch-lineitem")
    take = on(take, where).sort_values("p50_s")
    if take.empty:
        return None
    parts = [f"{r['adapter']} {sec(r['p50_s'])}" for _, r in take.iterrows()]
    emulated = sorted(take.loc[take["native"] == False, "adapter"])  # noqa: E712 (NaN-safe)
    tail = f"; {join(emulated)} have no native take and read the file" if emulated else ""
    return f"Fetching 1 row of {where_text(where)}, p50 of the lookups: {', '.join(parts)}{tail}."


def scan_pushdown(frame: pd.DataFrame) -> str | None:
    """The most selective range filter: fastest formats and the row groups Parquet read."""
    ok = passed(frame)
    scans = ok[(ok["operation"] == "scan") & ok["selectivity"].notna()]
    low = scans["selectivity"].min()
    parts = []
    for filt, rows in scans[scans["selectivity"] == low].groupby("filter", sort=True):
        rows = rows.assign(x=relative(rows)).sort_values("x")
        best = rows.iloc[0]
        text = f"on the {filt} column {best['adapter']} is fastest ({sec(best['median'])})"
        if "row_groups_read" in rows:
            rg = rows[rows["row_groups_read"].notna()]
            text += "".join(
                f", {r['adapter']} reads {r['row_groups_read']:.0f} of "
                f"{r['row_groups_total']:.0f} row groups"
                for _, r in rg.iterrows()
            )
        parts.append(text)
    if not parts:
        return None
    return f"A {low:.1%} range filter: {'; '.join(parts)}."


def access(frame: pd.DataFrame) -> list[str]:
    """The access-pattern step's sentences."""
    return sentences(frame, [take_one, scan_pushdown])


# -- take scaling and iteration ---------------------------------------------------------


def take_growth(frame: pd.DataFrame, native: bool) -> str | None:
    """Take time at the fewest and most rows per format, with or without a native take."""
    ok = passed(frame)
    take = ok[ok["operation"] == "take"]
    small, large = take["rows"].min(), take["rows"].max()
    if small == large:
        return None
    first = take[take["rows"] == small].set_index("adapter")["median"]
    last = take[take["rows"] == large].set_index("adapter")
    last = last[last["native"] == native]["median"]
    growth = sorted((last[a] / first[a], a) for a in last.index if a in first.index)
    if not growth:
        return None
    parts = [f"{a} {sec(first[a])} -> {sec(last[a])} ({times(x)})" for x, a in growth]
    kind = "With a native take" if native else "Without one (the file is read per lookup)"
    k = take["k"].dropna()
    what = f"taking {k.iloc[0]:.0f} rows" if not k.empty else "a take"
    return f"{kind}, {what} from {int(small):,} to {int(large):,} rows: {', '.join(parts)}."


def take_scaling(frame: pd.DataFrame) -> list[str]:
    """The take-scaling step's sentences."""
    return sentences(frame, [lambda f: take_growth(f, True), lambda f: take_growth(f, False)])


def iterate_range(frame: pd.DataFrame) -> str | None:
    """Per access mode: the fastest and the slowest format to iterate."""
    ok = passed(frame)
    its = ok[ok["operation"] == "iterate"]
    where = pick(its, "mixed")
    parts = []
    for access_mode, rows in on(its, where).groupby("access", sort=False):
        rows = rows.assign(x=relative(rows)).sort_values("x")
        best, worst = rows.iloc[0], rows.iloc[-1]
        parts.append(
            f"{access_mode} from {sec(best['median'])} ({best['adapter']}) to "
            f"{sec(worst['median'])} ({worst['adapter']}){noise_clause(rows)}"
        )
    return f"Iterating {where_text(where)}: {'; '.join(parts)}." if parts else None


def iterate(frame: pd.DataFrame) -> list[str]:
    """The iteration step's sentences."""
    return sentences(frame, [iterate_range])
