"""Chart: each format through every engine that ran it — one row per format, one marker
per engine, on a log time axis — so "Avro is slow" can be told apart from "fastavro is".
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from benchmarks.analysis.cells import case_label
from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.common import Context, legend_below, panel_grid, plain_log, title
from benchmarks.analysis.charts.data import by_dataset_rows, file_stem, time_unit

ENGINE_MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "h", "<", ">", "p"]


def plot_engine_spread(ctx: Context, frame: pd.DataFrame) -> None:
    """One figure per (dataset, rows) where some format ran through two or more engines."""
    ok = frame[~frame["failed"] & frame["median"].gt(0)]
    for dataset, rows, group in by_dataset_rows(ok):
        multi = group.groupby("format")["engine"].nunique()
        if multi.empty or multi.max() < 2:
            continue
        _figure(ctx, dataset, rows, group.assign(op_label=group.apply(case_label, axis=1)))


def _figure(ctx: Context, dataset: str, rows: int, group: pd.DataFrame) -> None:
    labels = list(dict.fromkeys(group["op_label"]))
    n_rows, n_cols = panel_grid(len(labels))
    fmts = sorted(set(group["format"]))
    height = 1.6 + n_rows * (0.9 + 0.32 * len(fmts))
    fig = style.new_figure((1.2 + 4.4 * n_cols, height))
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    engines = sorted(set(group["engine"].astype(str)))
    marks = {e: ENGINE_MARKERS[i % len(ENGINE_MARKERS)] for i, e in enumerate(engines)}
    colours = _engine_colours(engines)
    factor, unit = time_unit(float(group["median"].min()))
    for ax, label in zip(axes.flat, labels, strict=False):
        _panel(ax, group[group["op_label"] == label], fmts, marks, colours, factor)
        ax.set_title(label)
        ax.set_xlabel(f"median time ({unit}, log scale)")
    for ax in axes.flat[len(labels) :]:
        ax.set_visible(False)
    fig.suptitle(title(ctx, "each format through each engine", dataset, rows, group))
    handles = [
        Line2D([], [], marker=marks[e], color=colours[e], linestyle="", label=e) for e in engines
    ]
    legend_below(fig, handles, ncol=min(6, len(handles)))
    ctx.save(fig, file_stem("engines", dataset, rows))


def _panel(ax: Axes, cases: pd.DataFrame, fmts: list[str], marks, colours, factor) -> None:
    """Formats on y; each engine's best median (over codecs/knobs) as a marker on x."""
    best = cases.sort_values("median").drop_duplicates(["format", "engine"])
    for y, fmt in enumerate(fmts):
        row = best[best["format"] == fmt]
        if len(row) >= 2:  # the spread between the fastest and slowest engine
            ax.plot(row["median"] * factor, [y] * len(row), color="#cbd5e0", zorder=1)
        for _, case in row.iterrows():
            e = str(case["engine"])
            ax.scatter(case["median"] * factor, y, marker=marks[e], color=colours[e], zorder=2)
    ax.set_yticks(range(len(fmts)), fmts)
    ax.set_ylim(-0.6, len(fmts) - 0.4)
    ax.invert_yaxis()
    plain_log(ax, "x")


def _engine_colours(engines: list[str]) -> dict[str, str]:
    """A qualitative palette: engines are categories, not the orientation code of formats."""
    from matplotlib import colormaps

    palette = [colormaps["tab10"](i) for i in range(10)]
    return {e: palette[i % len(palette)] for i, e in enumerate(engines)}
