"""The horizontal-bar panel every bar chart draws with.

Horizontal bars because 14-16 format names read left to right; one drawing function so
every bar chart has the same colours, hatches, value labels and 'failed' markers.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.axes import Axes

from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.common import plain_log
from benchmarks.analysis.charts.data import attribute

#: Value labels sit on white, so reference lines passing behind them stay readable.
LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 0.3, "alpha": 0.85}


@dataclass
class Bars:
    """One panel of horizontal bars: labels top to bottom, values, and how to draw them."""

    labels: list[str]
    values: dict[str, float]
    text: dict[str, str]
    orientation: dict[str, str]
    encoding: dict[str, str]
    failed: dict[str, str] = field(default_factory=dict)  # label -> error message
    err: dict[str, tuple[float, float]] = field(default_factory=dict)  # (below, above)
    base: float = 0.0  # where bars start: 1 for ratios, so a loss points left


def bars_from(
    group: pd.DataFrame,
    labels: list[str],
    value: str,
    fmt: Callable[[float], str],
    factor: float = 1.0,
) -> Bars:
    """A Bars panel of ``value`` per label from tidy rows (first row per label wins)."""
    ok = group[~group["failed"] & group[value].notna()].drop_duplicates("label")
    ok = ok.set_index("label")
    values = {k: float(ok.at[k, value]) * factor for k in labels if k in ok.index}
    failed = group[group["failed"] & ~group["label"].isin(values)]
    return Bars(
        labels=labels,
        values=values,
        text={k: fmt(v) for k, v in values.items()},
        orientation={k: attribute(group, k, "orientation") for k in labels},
        encoding={k: attribute(group, k, "encoding") for k in labels},
        failed={r.label: str(r.error) for r in failed.itertuples() if r.label in labels},
    )


def failure_label(error: str) -> str:
    """'type not storable' for a format that cannot hold the data, else 'failed'."""
    return "type not storable" if "UnsupportedType" in error else "failed"


#: Values spanning more than this ratio get a log axis: on a linear one the small bars
#: become slivers beside the largest (22 ms next to 10 s).
LOG_SPAN = 30.0


def wide_span(values: list[float]) -> bool:
    """True when positive values span more than LOG_SPAN times."""
    positive = [v for v in values if v > 0]
    return len(positive) > 1 and max(positive) / min(positive) > LOG_SPAN


def draw_bars(ax: Axes, bars: Bars, log: bool = False) -> None:
    """Draw a bar panel with error bars, value labels and 'failed' markers."""
    for y, label in enumerate(bars.labels):
        if label in bars.values:
            _one_bar(ax, bars, label, y)
        elif label in bars.failed and bars.values:
            ax.text(
                0.01,
                y,
                failure_label(bars.failed[label]),
                transform=ax.get_yaxis_transform(),
                va="center",
                color=style.FAILED_COLOUR,
                fontstyle="italic",
            )
    ax.set_yticks(range(len(bars.labels)), bars.labels)
    ax.set_ylim(len(bars.labels) - 0.5, -0.5)  # first label on top
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    if bars.values:
        log = log or wide_span(list(bars.values.values()))
        _room_for_labels(ax, bars, log)
        if ax.get_xscale() == "log":  # a reader must not compare log bars by length
            ax.text(1.0, -0.09, "log scale", transform=ax.transAxes, ha="right", va="top",
                    fontsize=7, fontstyle="italic", color="#555555")  # fmt: skip
    else:
        _all_failed(ax, bars)


def _one_bar(ax: Axes, bars: Bars, label: str, y: int) -> None:
    """One bar: colour by orientation, hatch by encoding, whiskers, then its value label."""
    value = bars.values[label]
    colour = style.orientation_colour(bars.orientation.get(label, ""))
    hatch = style.hatch(bars.encoding.get(label, ""))
    ax.barh(y, value - bars.base, left=bars.base, height=0.7, color=colour, hatch=hatch,
            edgecolor="white", linewidth=0.5)  # fmt: skip
    end = value
    if label in bars.err:
        below, above = bars.err[label]
        ax.errorbar(value, y, xerr=[[below], [above]], fmt="none", ecolor="#222222",
                    elinewidth=0.8, capsize=2)  # fmt: skip
        end = value + above
    _value_label(ax, bars.text.get(label, ""), end, y, left=value < bars.base)


def _value_label(ax: Axes, text: str, x: float, y: int, left: bool) -> None:
    """The value just past the bar's end; on the left for a bar that points left."""
    ax.annotate(text, (x, y), xytext=(-3 if left else 3, 0), textcoords="offset points",
                ha="right" if left else "left", va="center", fontsize=7.5,
                bbox=LABEL_BOX)  # fmt: skip


#: Rough width of a value label's character at 7.5 pt, and of a panel's plot area, in inches.
CHAR_IN = 0.058
AXES_IN = style.PANEL_WIDTH_IN - 1.2


def _room_for_labels(ax: Axes, bars: Bars, log: bool) -> None:
    """Extend the value axis so the text after every bar stays inside the panel."""
    ends = {k: v + bars.err.get(k, (0, 0))[1] for k, v in bars.values.items()}
    # the share of the panel each label needs, so its bar may use only the rest
    share = {k: min(0.6, 0.03 + len(bars.text.get(k, "")) * CHAR_IN / AXES_IN) for k in ends}
    if log and min(bars.values.values()) > 0:
        low = min([*bars.values.values(), bars.base or float("inf")]) / 2
        span = max(math.log(max(e, low) / low) / (1 - share[k]) for k, e in ends.items())
        ax.set_xscale("log")
        ax.set_xlim(low, low * math.exp(max(span, math.log(4))))
        plain_log(ax, "x")
    else:
        high = max(max(e, 0.0) / (1 - share[k]) for k, e in ends.items())
        ax.set_xlim(0, max(high, max(ends.values()) * 1.05, 1e-12))


def _all_failed(ax: Axes, bars: Bars) -> None:
    """A panel where nothing passed: say why, instead of an empty frame."""
    ax.set_xticks([])
    ax.set_xlabel("")
    if bars.failed:
        error = next(iter(bars.failed.values()))
        text = textwrap.fill(f"every case failed: {error[:160]}", 40)
        ax.text(
            0.5,
            0.5,
            text,
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=7.5,
            color=style.FAILED_COLOUR,
            bbox={"facecolor": "white", "edgecolor": "none"},
        )
