"""Chart 3: file size against full-read time, with the Pareto front marked.

The front is the short list worth considering: every format off it is beaten by one on
it on both size and read time.
"""

from __future__ import annotations

import math

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.common import Context, plain_log, title
from benchmarks.analysis.charts.data import attribute, by_dataset_rows, file_stem, time_unit
from benchmarks.analysis.charts.labels import place_labels


def pareto_front(points: list[tuple[str, float, float]]) -> list[str]:
    """Names no other point beats on both values (lower is better), by increasing first value."""
    finite = [p for p in points if math.isfinite(p[1]) and math.isfinite(p[2])]
    front = [p for p in finite if not any(_dominates(q, p) for q in finite)]
    return [name for name, _, _ in sorted(front, key=lambda p: (p[1], p[2], p[0]))]


def _dominates(q: tuple[str, float, float], p: tuple[str, float, float]) -> bool:
    """q is no worse than p on both values and strictly better on one."""
    return q[1] <= p[1] and q[2] <= p[2] and (q[1] < p[1] or q[2] < p[2])


def plot_size_vs_read(ctx: Context, frame: pd.DataFrame) -> None:
    """One scatter per (dataset, rows) that has passed read cases."""
    for dataset, rows, group in by_dataset_rows(frame):
        reads = group[(group["operation"] == "read") & ~group["failed"]]
        reads = reads.dropna(subset=["file_bytes", "median"]).drop_duplicates("label")
        if len(reads):
            _scatter_figure(ctx, dataset, rows, group, reads)


def _scatter_figure(
    ctx: Context, dataset: str, rows: int, group: pd.DataFrame, reads: pd.DataFrame
) -> None:
    """Points per format, the front as a staircase, names placed clear of each other."""
    factor, unit = time_unit(float(reads["median"].max()))
    points = [(r.label, r.file_bytes / 1e6, r.median * factor) for r in reads.itertuples()]
    front = pareto_front(points)
    fig = style.new_figure((9, 6.5))
    ax = fig.subplots()
    for label, x, y in points:
        _point(ax, group, label, x, y)
    _front_line(ax, [p for p in points if p[0] in front], front)
    _axes(ax, points, unit)
    failed = sorted(set(group.loc[(group["operation"] == "read") & group["failed"], "label"]))
    note = f"\nnot shown (type not storable or read failed): {', '.join(failed)}" if failed else ""
    ax.set_title(f"Pareto front: formats no other format beats on both size and read time{note}")
    fig.suptitle(title(ctx, "file size vs full read time", dataset, rows, group))
    fig.legend(handles=_legend(), loc="outside right center", frameon=False)
    place_labels(
        ax,
        [(x, y, label) for label, x, y in points],
        frozenset(front),
        fontsize=7.5,
        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.75, "pad": 0.4},
    )
    ctx.save(fig, file_stem("pareto_size_vs_read", dataset, rows))


def _point(ax: Axes, group: pd.DataFrame, label: str, x: float, y: float) -> None:
    """One format: colour by orientation, hollow if text-encoded."""
    colour = style.orientation_colour(attribute(group, label, "orientation"))
    text = attribute(group, label, "encoding") == "text"
    ax.scatter(
        [x], [y], s=42, color="white" if text else colour, edgecolor=colour, linewidth=1.6, zorder=3
    )


def _front_line(ax: Axes, front_points: list[tuple[str, float, float]], front: list[str]) -> None:
    """Staircase through the front: everything up and right of it is dominated."""
    ordered = sorted(front_points, key=lambda p: front.index(p[0]))
    xs, ys = [p[1] for p in ordered], [p[2] for p in ordered]
    ax.step(xs, ys, where="post", color=style.PARETO_COLOUR, linewidth=1.2, zorder=2)
    ax.scatter(
        xs, ys, s=140, facecolor="none", edgecolor=style.PARETO_COLOUR, linewidth=1.4, zorder=2
    )


def _axes(ax: Axes, points: list[tuple[str, float, float]], unit: str) -> None:
    """Log axes when values span more than a decade; margins leave room for labels."""
    for values, axis in (([p[1] for p in points], "x"), ([p[2] for p in points], "y")):
        low, high = min(values), max(values)
        log = low > 0 and high / low > 10
        if log:
            getattr(ax, f"set_{axis}scale")("log")
            lim = (low / 1.8, high * 1.8)
        else:
            pad = (high - low) * 0.25 or high * 0.25 or 1.0
            lim = (max(low - pad, 0), high + pad)
        getattr(ax, f"set_{axis}lim")(*lim)
        if log:
            plain_log(ax, axis)
    ax.set_xlabel("file size (MB)")
    ax.set_ylabel(f"full read, median ({unit})")
    ax.grid(alpha=0.3, which="major")


def _legend() -> list[Line2D]:
    """Legend handles for the scatter's colour, fill and front code."""

    def marker(colour: str, fill: str, label: str) -> Line2D:
        return Line2D(
            [],
            [],
            marker="o",
            linestyle="",
            markerfacecolor=fill,
            markeredgecolor=colour,
            markeredgewidth=1.6,
            label=label,
        )

    return [
        marker(style.ORIENTATION_COLOURS["row"], style.ORIENTATION_COLOURS["row"], "row-major"),
        marker(
            style.ORIENTATION_COLOURS["column"], style.ORIENTATION_COLOURS["column"], "column-major"
        ),
        marker("#333333", "#333333", "binary (filled)"),
        marker("#333333", "white", "text (hollow)"),
        Line2D(
            [],
            [],
            color=style.PARETO_COLOUR,
            marker="o",
            markerfacecolor="none",
            markersize=10,
            label="Pareto front",
        ),
    ]
