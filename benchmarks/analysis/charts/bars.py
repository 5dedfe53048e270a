"""Chart 1: median time per format, one figure per operation and (dataset, rows).

Parameter values (read_column's column, scan's selectivity, take's k) become panels
side by side rather than bars of different colours, so colour keeps one meaning
(orientation) across the whole project.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.barpanel import Bars, bars_from, draw_bars
from benchmarks.analysis.charts.common import Context, legend_below, panel_grid, title
from benchmarks.analysis.charts.data import (
    by_dataset_rows,
    file_stem,
    format_order,
    format_time,
    operations,
    panels,
    time_unit,
)
from benchmarks.analysis.intervals import confidence, has_ci, interval
from benchmarks.suite.rounds import CONFIDENCE


def plot_operation_bars(ctx: Context, frame: pd.DataFrame) -> None:
    """One grouped bar chart per operation for every (dataset, rows)."""
    for dataset, rows, group in by_dataset_rows(frame):
        for op in operations(group):
            _operation_figure(ctx, op, dataset, rows, group[group["operation"] == op])


def _operation_figure(ctx: Context, op: str, dataset: str, rows: int, cases: pd.DataFrame) -> None:
    """The median-time figure of one operation, panels per parameter value."""
    what = f"{op}: median time, whiskers {whisker_label(cases)}"
    fig = panel_figure(ctx, cases, format_order(cases), time_bars, what, (dataset, rows))
    ctx.save(fig, file_stem("time", op, dataset, rows))


def whisker_label(cases: pd.DataFrame) -> str:
    """What the whiskers are, with the confidence they really have: an interval of few
    rounds covers less than 95% (its own ``confidence``); the title names the lowest."""
    if not has_ci(cases):
        return "IQR"
    levels = [c for c in (confidence(row) for _, row in cases.iterrows()) if c is not None]
    low = min(levels, default=CONFIDENCE)
    return "95% CI" if low >= CONFIDENCE else f"CI ({low:.0%} to 95%)"


def panel_figure(
    ctx: Context,
    cases: pd.DataFrame,
    labels: list[str],
    make_bars: Callable[[pd.DataFrame, list[str], Axes], Bars],
    what: str,
    where: tuple[str, int],
) -> Figure:
    """A grid of bar panels, one per ``panel`` value, sharing the format axis."""
    names = panels(cases)
    n_rows, n_cols = panel_grid(len(names))
    fig = style.new_figure(style.bar_figure_size(len(labels), n_cols, n_rows))
    axes = fig.subplots(n_rows, n_cols, squeeze=False, sharey=True)
    for ax, name in zip(axes.flat, names, strict=False):
        draw_bars(ax, make_bars(cases[cases["panel"] == name], labels, ax), ctx.log_scale)
        ax.set_title(name or str(cases["operation"].iloc[0]))
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    fig.suptitle(title(ctx, what, where[0], where[1], cases))
    legend_below(fig, style.encoding_legend())
    return fig


def time_bars(cases: pd.DataFrame, labels: list[str], ax: Axes) -> Bars:
    """Median per format in a readable unit; whiskers the 95% CI, or q1..q3 without one."""
    top = cases[[c for c in ("median", "q3", "ci_high") if c in cases]].max().max()
    factor, unit = time_unit(float(top) if pd.notna(top) else 1.0)
    bars = bars_from(cases, labels, "median", lambda v: format_time(v / factor), factor)
    ok = cases[~cases["failed"]].drop_duplicates("label").set_index("label")
    for label, value in bars.values.items():
        bars.err[label] = _whiskers(ok.loc[label], value, factor)
    ax.set_xlabel(f"median time ({unit})")
    return bars


def _whiskers(row: pd.Series, value: float, factor: float) -> tuple[float, float]:
    """(below, above) from the CI, else q1/q3, else half the IQR each way."""
    ci = interval(row)
    if ci is not None:
        return max(value - ci[0] * factor, 0.0), max(ci[1] * factor - value, 0.0)
    if pd.notna(row.get("q1")) and pd.notna(row.get("q3")):
        return max(value - row["q1"] * factor, 0.0), max(row["q3"] * factor - value, 0.0)
    iqr = row.get("iqr")
    half = (float(iqr) if pd.notna(iqr) else 0.0) * factor / 2
    return min(half, value), half
