"""Chart 4: how much faster one column comes back than the whole file, per format.

This is the row- vs column-major story in one picture: a column format skips the other
columns (large speed-up), a row format must read every byte anyway (about 1x).
"""

from __future__ import annotations

import pandas as pd

from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.barpanel import bars_from, draw_bars
from benchmarks.analysis.charts.common import Context, legend_below, panel_grid, title
from benchmarks.analysis.charts.data import by_dataset_rows, file_stem, panels


def plot_column_speedup(ctx: Context, frame: pd.DataFrame) -> None:
    """One figure per (dataset, rows) that ran both read and read_column."""
    for dataset, rows, group in by_dataset_rows(frame):
        ops = set(group["operation"])
        if {"read", "read_column"} <= ops:
            _speedup_figure(ctx, dataset, rows, group)


def speedups(group: pd.DataFrame) -> pd.DataFrame:
    """read_column rows with ``speedup`` = read median / read_column median of the same format."""
    reads = group[(group["operation"] == "read") & ~group["failed"]]
    full = reads.drop_duplicates("label").set_index("label")["median"]
    cols = group[group["operation"] == "read_column"].copy()
    cols["speedup"] = cols["label"].map(full) / cols["median"]
    cols["failed"] = cols["failed"] | cols["speedup"].isna()
    return cols


def _speedup_figure(ctx: Context, dataset: str, rows: int, group: pd.DataFrame) -> None:
    """Panels per column read, bars growing from 1x, largest gain on top."""
    cols = speedups(group)
    names = panels(cols)
    ok = cols[~cols["failed"]]
    order = ok.groupby("label")["speedup"].mean().sort_values(ascending=False)
    labels = list(order.index) + sorted(set(cols["label"]) - set(order.index))
    n_rows, n_cols = panel_grid(len(names))
    fig = style.new_figure(style.bar_figure_size(len(labels), n_cols, n_rows))
    axes = fig.subplots(n_rows, n_cols, squeeze=False, sharey=True)
    for ax, name in zip(axes.flat, names, strict=False):
        panel = cols[cols["panel"] == name]
        bars = bars_from(panel, labels, "speedup", lambda v: f"{v:.1f}×")
        bars.base = 1.0  # bars grow from 'no gain'; a slower column read points left
        draw_bars(ax, bars, log=True)  # ratios: 2x and 0.5x sit equally far from 1x
        ax.axvline(1.0, color="#333333", linewidth=0.8, linestyle=":")
        ax.set_title(name)
        ax.set_xlabel("full read time / one-column read time (×)")
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    what = "one column vs the whole file: speed-up (dotted: 1×, no gain)"
    fig.suptitle(title(ctx, what, dataset, rows, cols))
    legend_below(fig, style.encoding_legend())
    ctx.save(fig, file_stem("column_speedup", dataset, rows))
