"""Chart 6: throughput in MB/s of file bytes, against this machine's measured ceilings.

The ceilings (a memory copy, a page-cache file read) are raw bytes per second, so they are
drawn only against physical throughput (file bytes read or written per second): a format
near the page-cache line reads its file as fast as the machine can. Results without
``physical_mb_s`` (older files) show Arrow MB/s, without ceilings: those would mislead.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes

from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.barpanel import bars_from, draw_bars
from benchmarks.analysis.charts.common import Context, legend_below, plain_log, title
from benchmarks.analysis.charts.data import by_dataset_rows, file_stem

THROUGHPUT_OPS = ("write", "read")
CEILING_LABELS = {"memory_copy_mb_s": "memory copy", "page_cache_read_mb_s": "page-cache read"}
CEILING_STYLES = {"memory_copy_mb_s": ":", "page_cache_read_mb_s": "--"}


def throughput_column(frame: pd.DataFrame) -> str:
    """``physical_mb_s`` when the results have it, else the Arrow-bytes ``mb_s``."""
    has = "physical_mb_s" in frame and frame["physical_mb_s"].notna().any()
    return "physical_mb_s" if has else "mb_s"


def plot_throughput(ctx: Context, frame: pd.DataFrame) -> None:
    """One MB/s figure per (dataset, rows) with a panel per whole-table operation."""
    for dataset, rows, group in by_dataset_rows(frame):
        cases = group[group["operation"].isin(THROUGHPUT_OPS)]
        column = throughput_column(cases)
        if len(cases) and cases[column].notna().any():
            _throughput_figure(ctx, dataset, rows, cases, column)


def _throughput_figure(
    ctx: Context, dataset: str, rows: int, cases: pd.DataFrame, column: str
) -> None:
    """Write and read MB/s side by side on one scale, with the ceilings (physical only)."""
    ops = [op for op in THROUGHPUT_OPS if op in set(cases["operation"])]
    ok = cases[~cases["failed"] & cases[column].gt(0)]
    order = ok.groupby("label")[column].mean().sort_values(ascending=False)
    labels = list(order.index) + sorted(set(cases["label"]) - set(order.index))
    fig = style.new_figure(style.bar_figure_size(len(labels), len(ops)))
    axes = fig.subplots(1, len(ops), squeeze=False, sharey=True)[0]
    physical = column == "physical_mb_s"
    ceilings = {
        k: float(v) for k, v in ctx.ceilings.items() if physical and k in CEILING_LABELS and v
    }
    log = ctx.log_scale or _needs_log(ok[column], ceilings)
    for ax, op in zip(axes, ops, strict=True):
        panel = cases[cases["operation"] == op]
        draw_bars(ax, bars_from(panel, labels, column, lambda v: f"{v:,.0f} MB/s"), log)
    limits = _common_limits(axes, ceilings)
    for ax, op in zip(axes, ops, strict=True):
        ax.set_xlim(*limits)  # one scale for write and read: the panels compare directly
        if log:
            plain_log(ax, "x")  # re-pick ticks for the widened range
        _ceiling_lines(ax, ceilings)
        ax.set_title(op)
        unit = "file bytes" if physical else "Arrow data"
        ax.set_xlabel(f"MB/s of {unit} (higher is better)")
    what = f"throughput: {'file' if physical else 'Arrow'} bytes / median time"
    if not ceilings and physical:
        what += " (no machine ceilings recorded)"
    fig.suptitle(title(ctx, what, dataset, rows, cases))
    legend_below(fig, style.encoding_legend() + _ceiling_handles(ceilings), ncol=6)
    ctx.save(fig, file_stem("throughput", dataset, rows))


def _needs_log(values: pd.Series, ceilings: dict[str, float]) -> bool:
    """Log axis when bars and ceilings span more than 20x: small bars would vanish."""
    allv = [v for v in list(values) + list(ceilings.values()) if v > 0]
    return len(allv) > 1 and max(allv) / min(allv) > 20


def _common_limits(axes: list[Axes], ceilings: dict[str, float]) -> tuple[float, float]:
    """x limits that hold every panel's bars and labels and every ceiling line."""
    lows, highs = zip(*(ax.get_xlim() for ax in axes), strict=True)
    high = max([*highs, *(v * 3 for v in ceilings.values())])
    return min(lows), high


def _ceiling_lines(ax: Axes, ceilings: dict[str, float]) -> None:
    """A reference line per ceiling, labelled in a row of its own above the first bar."""
    if not ceilings:
        return
    bottom, _ = ax.get_ylim()
    ax.set_ylim(bottom, -0.5 - 0.8 * len(ceilings))  # free rows on top for the labels
    for i, (key, value) in enumerate(sorted(ceilings.items(), key=lambda kv: kv[1])):
        ax.axvline(value, color="#333333", linewidth=1.0, linestyle=CEILING_STYLES[key])
        ax.text(
            value,
            -0.9 - 0.8 * i,
            f"  {CEILING_LABELS[key]} {value:,.0f} MB/s  ",
            fontsize=7,
            va="center",
            ha=_side(ax, value),
            color="#333333",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
        )


def _side(ax: Axes, value: float) -> str:
    """Put a line's label on the side of it with more room."""
    fraction = (ax.transData + ax.transAxes.inverted()).transform((value, 0))[0]
    return "right" if fraction > 0.5 else "left"


def _ceiling_handles(ceilings: dict[str, float]) -> list:
    """Legend entries for the ceiling line styles."""
    from matplotlib.lines import Line2D

    return [
        Line2D(
            [],
            [],
            color="#333333",
            linestyle=CEILING_STYLES[k],
            label=f"{CEILING_LABELS[k]} ceiling",
        )
        for k in ceilings
    ]
