"""Epoch charts: samples/s against shuffle quality (a Pareto front), and time to first batch.

Training wants both a fast loader and a random order, and the two pull apart: streaming a
format in storage order is fastest and not random at all; a global shuffle by random
access is as random as it gets and pays for it. The scatter puts every epoch case (format x
shuffle x loader workers) on those two axes, measured on the order actually delivered, and
marks the front: the cases no other case beats on both. The bars show how long a training
loop waits for its first batch.
"""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.barpanel import Bars, bars_from
from benchmarks.analysis.charts.bars import panel_figure
from benchmarks.analysis.charts.common import Context, plain_log, title
from benchmarks.analysis.charts.data import by_dataset_rows, file_stem, format_time, time_unit
from benchmarks.analysis.charts.labels import place_labels
from benchmarks.analysis.charts.pareto import pareto_front

#: Marker per shuffle kind: the format is the colour, so the marker says how it shuffled.
SHUFFLE_MARKERS = {"global": "o", "buffer": "s", "none": "X"}
#: Epoch parameters that make separate scatters (shuffle and workers share one).
FIGURE_KEYS = ("batch_size", "decode", "order_from")


def epoch_cases(group: pd.DataFrame) -> pd.DataFrame:
    """Passed epoch cases with both measures (samples/s and shuffle quality)."""
    if "samples_per_s" not in group or "shuffle_quality" not in group:
        return group.iloc[0:0]
    cases = group[(group["operation"] == "epoch") & ~group["failed"]]
    return cases.dropna(subset=["samples_per_s", "shuffle_quality"])


def plot_epoch_pareto(ctx: Context, frame: pd.DataFrame) -> None:
    """One scatter per (dataset, rows, batch size[, decode][, order-from]) that ran epoch."""
    for dataset, rows, group in by_dataset_rows(frame):
        cases = epoch_cases(group)
        keys = [k for k in FIGURE_KEYS if k in cases and cases[k].notna().any()]
        parts = cases.groupby(keys, dropna=False, sort=False) if keys else [((), cases)]
        for values, part in parts:
            values = values if isinstance(values, tuple) else (values,)
            setting = {k: _plain(v) for k, v in zip(keys, values, strict=True) if pd.notna(v)}
            if len(part):
                _scatter(ctx, dataset, rows, part, setting)


def _plain(value: object) -> object:
    """64.0 -> 64: a column with holes (take rows have no batch size) holds floats."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _workers(row: pd.Series) -> int:
    workers = row.get("loader_workers")
    return int(workers) if pd.notna(workers) else 0


def point_name(row: pd.Series) -> str:
    """'numpy global', 'webdataset buffer:500 w2': format, shuffle, workers when > 0."""
    extra = f" w{_workers(row)}" if _workers(row) > 0 else ""
    return f"{row['label']} {row['shuffle']}{extra}"


def _scatter(
    ctx: Context, dataset: str, rows: int, cases: pd.DataFrame, setting: dict[str, object]
) -> None:
    """The cases on (shuffle quality, samples/s); the front through the ones nobody beats."""
    points = [
        (point_name(r), float(r["shuffle_quality"]), float(r["samples_per_s"]), r)
        for _, r in cases.iterrows()
    ]
    front = set(epoch_front([(n, q, s) for n, q, s, _ in points]))
    fig = style.new_figure((10, 6.5))
    ax = fig.subplots()
    for _, q, s, row in points:
        colour = ctx.palette.get(str(row["label"]), (style.OTHER_COLOUR, "o"))[0]
        marker = SHUFFLE_MARKERS.get(str(row["shuffle"]).partition(":")[0], "o")
        pooled = _workers(row) > 0  # hollow: batches from loader worker processes
        ax.scatter([q], [s], s=46, marker=marker, color="white" if pooled else colour,
                   edgecolor=colour, linewidth=1.6, zorder=3)  # fmt: skip
    _front_line(ax, sorted((q, s) for n, q, s, _ in points if n in front))
    _axes(ax, [s for _, _, s, _ in points])
    where = " · ".join(f"{k}={v}" for k, v in setting.items())
    ax.set_title(f"Pareto front: epoch cases no other beats on both speed and randomness · {where}")
    fig.suptitle(title(ctx, "epoch: samples/s vs shuffle quality", dataset, rows, cases))
    fig.legend(handles=_legend(ctx, cases), loc="outside right center", frameon=False)
    place_labels(
        ax,
        [(q, s, name) for name, q, s, _ in points],
        frozenset(front),
        fontsize=7,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.75, "pad": 0.3},
    )
    stem = file_stem("epoch_pareto", dataset, rows, *(f"{k}{v}" for k, v in setting.items()))
    ctx.save(fig, stem)


def epoch_front(points: list[tuple[str, float, float]]) -> list[str]:
    """Names of the (name, shuffle quality, samples/s) points no other beats on both,
    most random first (``pareto_front`` minimises, so both values are negated)."""
    return pareto_front([(n, -q, -s) for n, q, s in points])


def _front_line(ax: Axes, front: list[tuple[float, float]]) -> None:
    """Staircase through the front: everything below and left of it is beaten."""
    if not front:
        return
    xs, ys = [p[0] for p in front], [p[1] for p in front]
    ax.step(xs, ys, where="pre", color=style.PARETO_COLOUR, linewidth=1.2, zorder=2)
    ax.scatter(
        xs, ys, s=150, facecolor="none", edgecolor=style.PARETO_COLOUR, linewidth=1.4, zorder=2
    )


def _axes(ax: Axes, speeds: list[float]) -> None:
    """Quality on [0, 1] (with room for labels); samples/s on a log axis past a decade."""
    ax.set_xlim(-0.12, 1.12)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0])
    low, high = min(speeds), max(speeds)
    if low > 0 and high / low > 10:
        ax.set_ylim(low / 2, high * 2)
        plain_log(ax, "y")
    else:
        pad = (high - low) * 0.25 or high * 0.25 or 1.0
        ax.set_ylim(max(low - pad, 0), high + pad)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.set_xlabel("shuffle quality of the delivered order (0 storage order, 1 uniform)")
    ax.set_ylabel("samples/s (higher is better)")
    ax.grid(alpha=0.3, which="major")


def _legend(ctx: Context, cases: pd.DataFrame) -> list[Line2D]:
    """Colour per format, marker per shuffle kind, and the front's ring."""
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            color=ctx.palette.get(k, (style.OTHER_COLOUR,))[0],
            label=k,
        )  # fmt: skip
        for k in sorted(set(cases["label"].astype(str)))
    ]
    kinds = {str(s).partition(":")[0] for s in cases["shuffle"]}
    handles += [
        Line2D([], [], marker=m, linestyle="", color="#333333", label=f"shuffle {k}")
        for k, m in SHUFFLE_MARKERS.items()
        if k in kinds
    ]
    if any(_workers(r) > 0 for _, r in cases.iterrows()):
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markerfacecolor="white",
                markeredgecolor="#333333",
                label="hollow: wN loader workers",
            )  # fmt: skip
        )
    handles.append(
        Line2D(
            [],
            [],
            color=style.PARETO_COLOUR,
            marker="o",
            markerfacecolor="none",
            markersize=10,
            label="Pareto front",
        )  # fmt: skip
    )
    return handles


def plot_first_batch(ctx: Context, frame: pd.DataFrame) -> None:
    """Time to the first batch per format, a panel per epoch setting."""
    for dataset, rows, group in by_dataset_rows(frame):
        cases = group[group["operation"] == "epoch"]
        if cases.empty or "time_to_first_batch" not in cases:
            continue
        ok = cases[~cases["failed"] & cases["time_to_first_batch"].notna()]
        if ok.empty:
            continue
        order = ok.groupby("label")["time_to_first_batch"].mean().sort_values()
        labels = list(order.index) + sorted(set(cases["label"]) - set(order.index))
        what = "epoch: time to the first batch (what a training loop waits before step 1)"
        fig = panel_figure(ctx, cases, labels, first_batch_bars, what, (dataset, rows))
        ctx.save(fig, file_stem("epoch_first_batch", dataset, rows))


def first_batch_bars(cases: pd.DataFrame, labels: list[str], ax: Axes) -> Bars:
    """Bars of the median time to first batch, labelled in a readable unit."""
    top = cases["time_to_first_batch"].max()
    factor, unit = time_unit(float(top) if pd.notna(top) and math.isfinite(top) else 1.0)
    bars = bars_from(
        cases, labels, "time_to_first_batch", lambda v: format_time(v / factor), factor
    )
    ax.set_xlabel(f"time to first batch ({unit})")
    return bars
