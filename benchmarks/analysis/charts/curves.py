"""Chart 7b: scan time against selectivity, stream time against batch size.

These answer 'what if I do not read the whole file': how much a filter saves as it
gets more selective (pushdown or not), and how soon the first batch of a stream arrives.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.bars import panel_figure, time_bars
from benchmarks.analysis.charts.common import (
    Context,
    failures_text,
    line_legend,
    plain_log,
    ticks_at,
)
from benchmarks.analysis.charts.common import title as chart_title
from benchmarks.analysis.charts.data import by_dataset_rows, file_stem, format_order, time_unit

EMULATED_NOTE = "hollow marker: emulated, no pushdown"


def _each(frame: pd.DataFrame, op: str):
    """(dataset, rows, cases of op) for every (dataset, rows) that ran op."""
    for dataset, rows, group in by_dataset_rows(frame):
        cases = group[group["operation"] == op]
        if len(cases):
            yield dataset, rows, cases


def plot_scan_selectivity(ctx: Context, frame: pd.DataFrame) -> None:
    """Median scan time against selectivity, a panel per filter column kind."""
    for dataset, rows, cases in _each(frame, "scan"):
        if cases["selectivity"].nunique() < 2:
            continue  # one selectivity is no curve; the scan bar chart already shows it
        roles = list(dict.fromkeys(cases["filter"].dropna()))
        fig = style.new_figure((1.5 + 4.2 * len(roles), 5.2))
        axes = fig.subplots(1, len(roles), squeeze=False)[0]
        factor, unit = _unit(cases["median"])
        for ax, role in zip(axes, roles, strict=True):
            ax.set_title(f"filter on the {role} column")
            ax.set_ylabel(f"median time ({unit})")
            xlabel = "selectivity (fraction of rows kept)"
            _curves(ctx, ax, cases[cases["filter"] == role], ("selectivity", "median"), factor)
            ax.set_xlabel(_with_failures(xlabel, cases[cases["filter"] == role]))
        what = f"scan: time vs selectivity ({EMULATED_NOTE})"
        fig.suptitle(chart_title(ctx, what, dataset, rows, cases))
        line_legend(fig, ctx, cases)
        ctx.save(fig, file_stem("scan_selectivity", dataset, rows))


def plot_stream_batches(ctx: Context, frame: pd.DataFrame) -> None:
    """Whole-file stream time and time to first batch against batch size."""
    for dataset, rows, cases in _each(frame, "stream"):
        if cases["batch_size"].nunique() < 2:
            _stream_bars(ctx, dataset, rows, cases)
            continue
        fig = style.new_figure((10.5, 5.2))
        for ax, key, what in zip(fig.subplots(1, 2), *_STREAM_PANELS, strict=True):
            factor, unit = _unit(cases[key] if key in cases else cases["median"])
            ax.set_title(what)
            ax.set_ylabel(f"time ({unit})")
            if key in cases:
                _curves(ctx, ax, cases, ("batch_size", key), factor)
            ax.set_xlabel(_with_failures("batch size (rows)", cases))
        what = f"stream: time vs batch size ({EMULATED_NOTE})"
        fig.suptitle(chart_title(ctx, what, dataset, rows, cases))
        line_legend(fig, ctx, cases)
        ctx.save(fig, file_stem("stream_batches", dataset, rows))


_STREAM_PANELS = (("median", "first_batch_s"), ("whole file, median", "time to first batch"))


def _stream_bars(ctx: Context, dataset: str, rows: int, cases: pd.DataFrame) -> None:
    """One batch size: bars of whole-file time and first-batch time side by side."""
    whole = cases.assign(panel="whole file, median")
    nan = float("nan")  # first_batch_s is one number per case: no spread to draw
    first = cases.assign(panel="time to first batch", q1=nan, q3=nan, iqr=nan)
    first["median"] = first.get("first_batch_s", nan)
    both = pd.concat([whole, first], ignore_index=True)
    size = int(cases["batch_size"].dropna().iloc[0]) if cases["batch_size"].notna().any() else 0
    what = f"stream in batches of {size:,} rows: whole file and first batch"
    fig = panel_figure(ctx, both, format_order(whole), time_bars, what, (dataset, rows))
    ctx.save(fig, file_stem("stream_batches", dataset, rows))


def _unit(values: pd.Series) -> tuple[float, str]:
    """Readable time unit for the largest value of a series (ms when empty)."""
    top = values.max()
    return time_unit(float(top) if pd.notna(top) else 1.0)


def _with_failures(xlabel: str, cases: pd.DataFrame) -> str:
    """The axis label plus a line naming failed formats (kept clear of the data)."""
    note = failures_text(cases, width=70)
    return f"{xlabel}\n{note}" if note else xlabel


def _curves(
    ctx: Context, ax: Axes, cases: pd.DataFrame, xy: tuple[str, str], factor: float
) -> None:
    """One line per format on log axes; a panel with nothing passed says so."""
    x, y = xy
    ok = cases[~cases["failed"] & cases[y].notna() & cases[x].notna()]
    if ok.empty:
        ax.text(
            0.5,
            0.5,
            "no passed cases",
            transform=ax.transAxes,
            ha="center",
            color=style.FAILED_COLOUR,
        )
        ax.set_xticks([])
        ax.set_yticks([])
        return
    for label, line in ok.groupby("label", sort=True):
        _curve(ctx, ax, cases, str(label), line.sort_values(x), xy, factor)
    plain_log(ax, "x")
    plain_log(ax, "y")
    ticks_at(ax, list(ok[x]))
    ax.grid(alpha=0.3, which="major")


def _curve(
    ctx: Context,
    ax: Axes,
    cases: pd.DataFrame,
    label: str,
    line: pd.DataFrame,
    xy: tuple[str, str],
    factor: float,
) -> None:
    """A format's line; its markers are hollow where the adapter emulates the access."""
    look = ctx.look(label, cases)
    x, y = line[xy[0]], line[xy[1]] * factor
    ax.plot(x, y, color=look["color"], linestyle=look["linestyle"], linewidth=1.2)
    native = line["native"].fillna(True).astype(bool)
    ax.scatter(
        x,
        y,
        s=24,
        zorder=3,
        marker=look["marker"],
        edgecolor=look["color"],
        linewidth=1.2,
        facecolor=[look["color"] if n else "white" for n in native],
    )
