"""Chart 9: the logging workload. Append latency and throughput against batch size, the
write side of the latency/throughput trade-off, and the read-back penalty of the result.

Bigger batches raise rows/s and the latency of each append (a record waits for its
batch); small row groups and small files make the appended output slower to read than
the same rows written in one go, which the penalty chart shows per format and mode.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.common import Context, plain_log, ticks_at, title
from benchmarks.analysis.charts.data import by_dataset_rows, file_stem

#: Line style per append mode: a true append solid, a writer's row groups dashed, files dotted.
MODE_STYLE = {"append": "-", "row-group-per-batch": "--", "file-per-batch": ":"}


def _appends(group: pd.DataFrame) -> pd.DataFrame:
    if "append_mode" not in group:
        return group.iloc[0:0]
    cases = group[(group["operation"] == "append") & ~group["failed"]]
    return cases.assign(series=cases["label"] + " · " + cases["append_mode"].astype(str))


def plot_append(ctx: Context, frame: pd.DataFrame) -> None:
    """Per (dataset, rows): latency and rows/s vs batch size; read-back penalty bars."""
    for dataset, rows, group in by_dataset_rows(frame):
        cases = _appends(group)
        if cases.empty:
            continue
        _tradeoff(ctx, dataset, rows, cases)
        if "readback_read_penalty" in cases:
            _penalty(ctx, dataset, rows, cases)


def _tradeoff(ctx: Context, dataset: str, rows: int, cases: pd.DataFrame) -> None:
    fig = style.new_figure((10.0, 5.2))
    latency, throughput = fig.subplots(1, 2)
    for series, line in cases.groupby("series", sort=True):
        line = line.sort_values("batch_rows")
        look = ctx.look(str(line["label"].iloc[0]), cases)
        look["linestyle"] = MODE_STYLE.get(str(line["append_mode"].iloc[0]), "-")
        kw = {"markersize": 4, "linewidth": 1.2, "label": str(series), **look}
        latency.plot(line["batch_rows"], line["append_p50_s"] * 1e3, **kw)
        throughput.plot(line["batch_rows"], line["rows_per_s"], **kw)
    for ax, ylabel in ((latency, "p50 latency of one append (ms)"), (throughput, "rows/s")):
        _log_axes(ax, cases)
        ax.set_xlabel("rows per append (B)")
        ax.set_ylabel(ylabel)
    latency.set_title("latency per append")
    throughput.set_title("sustained throughput")
    what = "append: latency and throughput vs batch size (solid append, -- row groups, : files)"
    fig.suptitle(title(ctx, what, dataset, rows, cases))
    fig.legend(loc="outside lower center", ncol=3, frameon=False, fontsize=8,
               handles=latency.get_lines())  # fmt: skip
    ctx.save(fig, file_stem("append_tradeoff", dataset, rows))


def _log_axes(ax: Axes, cases: pd.DataFrame) -> None:
    plain_log(ax, "x")
    plain_log(ax, "y")
    ticks_at(ax, list(cases["batch_rows"]))
    ax.grid(alpha=0.3, which="major")


def _penalty(ctx: Context, dataset: str, rows: int, cases: pd.DataFrame) -> None:
    sizes = sorted(cases["batch_rows"].unique())
    series = sorted(cases["series"].unique())
    fig = style.new_figure((9.0, 1.6 + 0.32 * len(series) * len(sizes)))
    ax = fig.subplots()
    height = 0.8 / len(sizes)
    for i, size in enumerate(sizes):
        part = cases[cases["batch_rows"] == size].set_index("series")
        values = [part["readback_read_penalty"].get(s, np.nan) for s in series]
        ys = np.arange(len(series)) + i * height
        ax.barh(ys, values, height, label=f"B = {size:,}")
    ax.set_yticks(np.arange(len(series)) + 0.4 - height / 2, series)
    ax.axvline(1.0, color="black", linewidth=0.8)
    plain_log(ax, "x")
    ax.set_xlabel("read time of the appended output / the same rows written in one go")
    ax.invert_yaxis()
    ax.legend(frameon=False, fontsize=8)
    fig.suptitle(title(ctx, "append: read-back penalty (1 = no penalty)", dataset, rows, cases))
    ctx.save(fig, file_stem("append_readback", dataset, rows))
