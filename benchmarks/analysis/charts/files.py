"""Chart: the small-files effect, time per operation against the number of files a
dataset is split into (``--files 1,16,256``), one line per format.

The same rows cost more as more files: every file is one more open, footer, schema and
(for text) one more parse start-up. A line that stays flat is a format whose per-file
cost is small next to its per-row cost; a line that climbs is one a data lake of many
small files would punish.
"""

from __future__ import annotations

import re

import pandas as pd
from matplotlib.axes import Axes

from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.common import (
    Context,
    format_lines,
    line_legend,
    panel_grid,
    title,
)
from benchmarks.analysis.charts.data import by_dataset_rows, file_stem, operations, time_unit

_FILES_KNOB = re.compile(r"\s*\bfiles=\d+")


def plot_files_effect(ctx: Context, frame: pd.DataFrame) -> None:
    """One figure per (dataset, rows) whose cases ran at two or more ``files`` counts."""
    if "files" not in frame:
        return
    ok = frame[~frame["failed"] & frame["median"].gt(0) & frame["files"].notna()]
    for dataset, rows, group in by_dataset_rows(ok):
        if group["files"].nunique() >= 2:
            _figure(ctx, dataset, rows, group.assign(label=group["label"].map(_line_label)))


def _line_label(label: str) -> str:
    """A format's label without its ``files=N`` knob: the files count is the x axis."""
    return _FILES_KNOB.sub("", str(label)).strip()


def _panels(group: pd.DataFrame) -> list[tuple[str, str]]:
    """(operation, parameters) panels in reading order."""
    return [
        (op, panel)
        for op in operations(group)
        for panel in dict.fromkeys(group.loc[group["operation"] == op, "panel"])
    ]


def _figure(ctx: Context, dataset: str, rows: int, group: pd.DataFrame) -> None:
    """A panel per operation (and parameter), a line per format across the file counts."""
    names = _panels(group)
    n_rows, n_cols = panel_grid(len(names))
    fig = style.new_figure((1.0 + 4.2 * n_cols, 1.4 + 3.4 * n_rows))
    axes = fig.subplots(n_rows, n_cols, squeeze=False)
    for ax, (op, panel) in zip(axes.flat, names, strict=False):
        cases = group[(group["operation"] == op) & (group["panel"] == panel)]
        _lines(ctx, ax, cases)
        ax.set_title(f"{op} · {panel}" if panel else op, fontsize=9)
        ax.set_xlabel("files in the dataset")
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    counts = ", ".join(f"{int(n):,}" for n in sorted(group["files"].unique()))
    what = f"the small-files effect: time vs files ({counts}), same rows"
    fig.suptitle(title(ctx, what, dataset, rows, group))
    line_legend(fig, ctx, group)
    ctx.save(fig, file_stem("files", dataset, rows))


def _lines(ctx: Context, ax: Axes, cases: pd.DataFrame) -> None:
    """One line per format: median time against the number of files."""
    factor, unit = time_unit(float(cases["median"].max()))
    format_lines(ctx, ax, cases, "files", factor)
    ax.set_ylabel(f"median time ({unit})")
