"""Chart: a layout knob swept (--option) against what it costs: time per operation and
file size, one line per adapter — "what row group size should I use?" answered on the
user's own data.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from benchmarks.analysis.cells import case_label
from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.common import (
    Context,
    line_legend,
    panel_grid,
    plain_log,
    ticks_at,
    title,
)
from benchmarks.analysis.charts.data import by_dataset_rows, file_stem, time_unit


def swept_knobs(group: pd.DataFrame) -> list[str]:
    """Option names that took two or more numeric values for some adapter in ``group``."""
    if "options" not in group:
        return []
    names: set[str] = set()
    for _, cases in group.groupby("adapter"):
        values = pd.DataFrame([o for o in cases["options"] if isinstance(o, dict)])
        for name in values.columns:
            numeric = pd.to_numeric(values[name], errors="coerce").dropna()
            if numeric.nunique() >= 2:
                names.add(name)
    return sorted(names)


def plot_knob_sweeps(ctx: Context, frame: pd.DataFrame) -> None:
    """One figure per (dataset, rows, swept option): a panel per operation, plus file size."""
    ok = frame[~frame["failed"] & frame["median"].gt(0)]
    for dataset, rows, group in by_dataset_rows(ok):
        for knob in swept_knobs(group):
            cases = _with_knob(group, knob)
            if cases["knob"].nunique() >= 2:
                _figure(ctx, dataset, rows, knob, cases)


def _with_knob(group: pd.DataFrame, knob: str) -> pd.DataFrame:
    values = [o.get(knob) if isinstance(o, dict) else None for o in group["options"]]
    cases = group.assign(knob=pd.to_numeric(pd.Series(values, index=group.index), errors="coerce"))
    cases = cases[cases["knob"].notna()]
    # one line per adapter (and codec): the knob value is the x axis, not part of the name
    return cases.assign(op_label=cases.apply(case_label, axis=1), label=cases["base_label"])


def _figure(ctx: Context, dataset: str, rows: int, knob: str, cases: pd.DataFrame) -> None:
    labels = [*dict.fromkeys(cases["op_label"]), "file size"]
    n_rows, n_cols = panel_grid(len(labels))
    fig = style.new_figure((1.0 + 4.2 * n_cols, 1.4 + 3.4 * n_rows))
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    for ax, label in zip(axes.flat, labels, strict=False):
        if label == "file size":
            _size_panel(ctx, ax, cases)
        else:
            _time_panel(ctx, ax, cases[cases["op_label"] == label])
        ax.set_title(label)
        ax.set_xlabel(knob)
        plain_log(ax, "x")
        ticks_at(ax, list(cases["knob"]))
    for ax in axes.flat[len(labels) :]:
        ax.set_visible(False)
    fig.suptitle(title(ctx, f"{knob}: time and size per value", dataset, rows, cases))
    line_legend(fig, ctx, cases)
    ctx.save(fig, file_stem("knob", knob, dataset, rows))


def _time_panel(ctx: Context, ax: Axes, cases: pd.DataFrame) -> None:
    factor, unit = time_unit(float(cases["median"].max()))
    for label, line in _lines(cases):
        ax.plot(line["knob"], line["median"] * factor, label=label, **ctx.look(label, cases))
    ax.set_ylabel(f"median time ({unit})")
    ax.set_ylim(bottom=0)


def _size_panel(ctx: Context, ax: Axes, cases: pd.DataFrame) -> None:
    sized = cases[cases["file_bytes"].notna()]
    for label, line in _lines(sized):
        ax.plot(line["knob"], line["file_bytes"] / 1e6, label=label, **ctx.look(label, sized))
    ax.set_ylabel("file size (MB)")
    ax.set_ylim(bottom=0)


def _lines(cases: pd.DataFrame):
    """(format label, its points sorted by knob value), one per adapter and codec."""
    for label, line in cases.groupby("label", sort=True):
        yield label, line.sort_values("knob").drop_duplicates("knob")
