"""Chart 7a: take latency per lookup, p50 with a whisker to p99, per (k, pattern).

A median alone hides the lookups that hit a cold page or a large row group; the p99
whisker is what a service behind the file would feel.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from benchmarks.analysis.charts.barpanel import Bars, bars_from
from benchmarks.analysis.charts.bars import panel_figure
from benchmarks.analysis.charts.common import Context
from benchmarks.analysis.charts.data import by_dataset_rows, file_stem, format_time, time_unit


def plot_take_latency(ctx: Context, frame: pd.DataFrame) -> None:
    """One latency figure per (dataset, rows) that ran take."""
    for dataset, rows, group in by_dataset_rows(frame):
        cases = group[group["operation"] == "take"]
        if cases.empty or "p50_s" not in cases:
            continue
        ok = cases[~cases["failed"]]
        order = ok.groupby("label")["p50_s"].mean().sort_values()
        labels = list(order.index) + sorted(set(cases["label"]) - set(order.index))
        what = "take: latency per lookup, bar p50, whisker to p99"
        fig = panel_figure(ctx, cases, labels, latency_bars, what, (dataset, rows))
        ctx.save(fig, file_stem("take_latency", dataset, rows))


def latency_bars(cases: pd.DataFrame, labels: list[str], ax: Axes) -> Bars:
    """Bars of p50 with a one-sided whisker up to p99, labelled with both."""
    top = cases["p99_s"].max()
    factor, unit = time_unit(float(top) if pd.notna(top) else 1.0)
    bars = bars_from(cases, labels, "p50_s", str, factor)
    ok = cases[~cases["failed"]].drop_duplicates("label").set_index("label")
    for label, p50 in bars.values.items():
        p99 = float(ok.at[label, "p99_s"]) * factor
        bars.err[label] = (0.0, max(p99 - p50, 0.0))
        bars.text[label] = f"{format_time(p50 / factor)} · p99 {format_time(p99 / factor)}"
    ax.set_xlabel(f"latency per call ({unit})")
    return bars
