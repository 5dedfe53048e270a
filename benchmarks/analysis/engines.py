"""The per-format view: for each (format, operation) the best engine and the spread.

A format read through one slow library looks slow; this view separates the format
from the library by ranking every engine that read or wrote the same format, on the
same data, in the same run.
"""

from __future__ import annotations

import pandas as pd

from benchmarks.analysis.cells import case_label, format_seconds


def engine_spread(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (dataset, rows, operation+params, format): best engine and spread.

    Columns: dataset, rows, label, format, best_adapter, best_engine, best_median,
    worst_adapter, worst_median, spread (worst / best), engines (how many ran).
    Only passed cases count; several codecs or knob values of one adapter count once,
    at their best (the question here is the library, not the layout).
    """
    ok = _passed(frame)
    if ok.empty:
        return pd.DataFrame()
    ok = ok.assign(label=ok.apply(case_label, axis=1))
    keys = ["dataset", "rows", "label", "format"]
    best_per_adapter = ok.sort_values("median").drop_duplicates([*keys, "adapter"])
    rows = [_spread_row(key, group) for key, group in best_per_adapter.groupby(keys, sort=False)]
    return pd.DataFrame(rows)


def _passed(frame: pd.DataFrame) -> pd.DataFrame:
    if not {"format", "engine", "adapter", "median"} <= set(frame.columns):
        return frame.iloc[0:0]  # e.g. every case failed: nothing to rank
    ok = frame[frame["median"].notna()]
    if "error" in ok:
        ok = ok[ok["error"].isna()]
    return ok


def _spread_row(key: tuple, group: pd.DataFrame) -> dict:
    ranked = group.sort_values("median")
    best, worst = ranked.iloc[0], ranked.iloc[-1]
    dataset, rows, label, fmt = key
    return {
        "dataset": dataset,
        "rows": rows,
        "label": label,
        "format": fmt,
        "best_adapter": best["adapter"],
        "best_engine": best["engine"],
        "best_median": float(best["median"]),
        "worst_adapter": worst["adapter"],
        "worst_median": float(worst["median"]),
        "spread": float(worst["median"] / best["median"]),
        "engines": len(ranked),
    }


def multi_engine(spread: pd.DataFrame) -> pd.DataFrame:
    """Only the formats that ran through two or more engines (where the view says something)."""
    if spread.empty:
        return spread
    return spread[spread["engines"] >= 2]


def at_best_engine(frame: pd.DataFrame) -> pd.DataFrame:
    """The cases of each format's fastest engine per (dataset, rows, operation+params).

    What the recommendation ranks: a format at its best engine, named ("Avro via polars").
    """
    ok = _passed(frame)
    if ok.empty:
        return ok
    ok = ok.assign(_label=ok.apply(case_label, axis=1))
    keys = ["dataset", "rows", "_label", "format"]
    return ok.sort_values("median").drop_duplicates(keys).drop(columns="_label")


def spread_rows(spread: pd.DataFrame) -> list[list[str]]:
    """Table rows (format, operation, best engine, its median, engines, spread) for display."""
    return [
        [
            str(r["format"]),
            str(r["label"]),
            str(r["best_adapter"]),
            format_seconds(r["best_median"]),
            str(r["engines"]),
            f"{r['worst_adapter']} {r['spread']:,.1f}x",
        ]
        for _, r in spread.sort_values(["format", "label"]).iterrows()
    ]


SPREAD_HEADER = ["format", "operation", "best engine", "median", "engines", "slowest, x best"]
