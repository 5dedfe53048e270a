"""Chart 5: time against row count on log-log axes, when a run swept several sizes.

A slope of 1 is linear scaling; a flatter line at small sizes is fixed cost (open,
footer, schema) that a benchmark on tiny data would mistake for speed. A streamed run
(``--stream``) also gets peak RSS against rows: a flat line is bounded memory, a slope
of 1 a library that holds the data.
"""

from __future__ import annotations

import pandas as pd

from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.common import (
    Context,
    format_lines,
    line_legend,
    panel_grid,
    plain_log,
    ticks_at,
    title,
)
from benchmarks.analysis.charts.data import file_stem, operations, panels, time_unit


def plot_scaling(ctx: Context, frame: pd.DataFrame) -> None:
    """One log-log figure per (dataset, operation) when the dataset ran at several sizes."""
    ok = frame[~frame["failed"] & frame["rows"].gt(0)]
    for dataset, group in ok.groupby("dataset", sort=False):
        if group["rows"].nunique() < 2:
            continue
        for op in operations(group):
            _scaling_figure(ctx, str(dataset), op, group[group["operation"] == op])
        if "peak_rss_bytes" in group and group["peak_rss_bytes"].notna().any():
            _memory_figure(ctx, str(dataset), group[group["peak_rss_bytes"].notna()])


def _scaling_figure(ctx: Context, dataset: str, op: str, cases: pd.DataFrame) -> None:
    """Panels per parameter value, one line per format across the row counts."""
    names = panels(cases)
    n_rows, n_cols = panel_grid(len(names))
    fig = style.new_figure((1.0 + 4.2 * n_cols, 1.4 + 3.4 * n_rows))
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    factor, unit = time_unit(float(cases["median"].max()))
    for ax, name in zip(axes.flat, names, strict=False):
        format_lines(ctx, ax, cases[cases["panel"] == name], "rows", factor)
        ax.set_title(name or op)
        ax.set_xlabel("rows")
        ax.set_ylabel(f"median time ({unit})")
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    sizes = ", ".join(f"{n:,}" for n in sorted(cases["rows"].unique()))
    fig.suptitle(title(ctx, f"{op}: time vs rows ({sizes})", dataset, None, cases))
    line_legend(fig, ctx, cases)
    ctx.save(fig, file_stem("scaling", op, dataset))


def _memory_figure(ctx: Context, dataset: str, cases: pd.DataFrame) -> None:
    """One panel per operation: the worker's peak RSS against rows, a line per format."""
    ops = operations(cases)
    n_rows, n_cols = panel_grid(len(ops))
    fig = style.new_figure((1.0 + 4.2 * n_cols, 1.4 + 3.4 * n_rows))
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    for ax, op in zip(axes.flat, ops, strict=False):
        of_op = cases[cases["operation"] == op]
        for label, line in of_op.groupby("label", sort=True):
            # several panels of one op (two columns read): the largest peak per size
            peak = line.groupby("rows")["peak_rss_bytes"].max() / 1e6
            ax.plot(peak.index, peak.values, markersize=4, linewidth=1.2, label=str(label),
                    **ctx.look(str(label), of_op))  # fmt: skip
        plain_log(ax, "x")
        plain_log(ax, "y")
        ticks_at(ax, list(of_op["rows"]))
        ax.grid(alpha=0.3, which="major")
        ax.set_title(op)
        ax.set_xlabel("rows")
        ax.set_ylabel("peak RSS of the worker (MB)")
    for ax in axes.flat[len(ops) :]:
        ax.set_visible(False)
    fig.suptitle(title(ctx, "streamed: peak memory vs rows", dataset, None, cases))
    line_legend(fig, ctx, cases)
    ctx.save(fig, file_stem("scaling_memory", dataset))
