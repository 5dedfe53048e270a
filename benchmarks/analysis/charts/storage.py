"""Chart 10: object storage. Requests, MB moved and median time per format, per latency.

On object storage a format's cost is round trips and bytes, not decode speed: the three
panels side by side show why a format is slow there (many sequential GETs, or fetching
the whole file for one row), and the time panel shows each latency the run swept as its
own bar, so what 20 ms per request does to each format reads off one figure. Colour
keeps its project-wide meaning (orientation); the latency is the shade, darker = slower
link.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch

from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.barpanel import LABEL_BOX, wide_span
from benchmarks.analysis.charts.common import Context, plain_log, title
from benchmarks.analysis.charts.data import (
    by_dataset_rows,
    file_stem,
    format_order,
    format_time,
    operations,
    panels,
    time_unit,
)

_LATENCY_KNOB = re.compile(r"\s*latency=\S+")
GROUP_HEIGHT = 0.8  # of one format's row, shared by its latency bars


def plot_storage(ctx: Context, frame: pd.DataFrame) -> None:
    """One figure per (dataset, rows, operation, parameters) that ran on object storage."""
    if "bytes_fetched" not in frame or "storage" not in frame:
        return
    remote = frame[frame["storage"].notna() & (frame["storage"] != "local")]
    if remote.empty:
        return
    remote = storage_frame(remote)
    for dataset, rows, group in by_dataset_rows(remote):
        for op in operations(group):
            cases = group[group["operation"] == op]
            for panel in panels(cases):
                _figure(ctx, cases[cases["panel"] == panel], op, panel, (dataset, rows))


def storage_frame(cases: pd.DataFrame) -> pd.DataFrame:
    """Per case: total requests, MB moved (sent for a write, fetched otherwise), latency,
    and the format label without the latency knob (one bar group per format)."""
    out = cases.copy()
    out["requests_total"] = [
        sum(r.values()) if isinstance(r, dict) else math.nan for r in out["requests"]
    ]
    moved = out["bytes_sent"].where(out["operation"] == "write", out["bytes_fetched"])
    out["mb_moved"] = moved / 1e6
    out["latency"] = out.get("storage_latency_ms", pd.Series(0.0, index=out.index)).fillna(0.0)
    out["series"] = [_LATENCY_KNOB.sub("", str(label)).strip() for label in out["label"]]
    if "fetch_amplification" not in out:
        out["fetch_amplification"] = math.nan
    return out


def _figure(ctx: Context, cases: pd.DataFrame, op: str, panel: str, where: tuple[str, int]) -> None:
    latencies = sorted(set(cases["latency"]))
    fastest = cases[cases["latency"] == latencies[0]].assign(label=lambda f: f["series"])
    labels = format_order(fastest)
    labels += sorted(set(cases["series"]) - set(labels))
    factor, unit = time_unit(float(cases["median"].max()) if cases["median"].notna().any() else 1)
    cases = cases.assign(time_scaled=cases["median"] * factor)
    fig = style.new_figure(_size(len(labels), len(latencies)))
    axes = fig.subplots(1, 3, sharey=True)
    moved = "MB sent" if op == "write" else "MB fetched (× Arrow bytes asked for)"
    specs = [
        ("requests_total", "requests per call (all verbs)", _count),
        ("mb_moved", moved, lambda row: _mb(row, op)),
        ("time_scaled", f"median time per call ({unit})", lambda r: format_time(r["median"])),
    ]
    for ax, (column, xlabel, text) in zip(axes, specs, strict=True):
        grouped_bars(ax, cases, labels, latencies, column, text)
        ax.set_xlabel(xlabel)
    axes[0].set_title("round trips")
    axes[1].set_title("bytes over the wire")
    axes[2].set_title("time")
    name = f"{op} {panel}".strip()
    what = f"object storage, {name}: requests, bytes and time per format, per latency"
    fig.suptitle(title(ctx, what, where[0], where[1], cases))
    fig.legend(handles=_legend(latencies), loc="outside lower center", ncol=8, frameon=False)
    ctx.save(fig, file_stem("storage", op, panel.replace(" · ", "_"), *where))


def _size(n_formats: int, n_latencies: int) -> tuple[float, float]:
    """Room per format for its latency bars, three panels across."""
    per_format = style.BAR_HEIGHT_IN * max(1.0, 0.75 * n_latencies)
    return 2.0 + 3 * style.PANEL_WIDTH_IN, 2.2 + per_format * max(n_formats, 3)


def grouped_bars(
    ax: Axes,
    cases: pd.DataFrame,
    labels: list[str],
    latencies: list[float],
    column: str,
    text: Callable[[pd.Series], str],
) -> None:
    """Horizontal bars of ``column``: one group per format, one bar per latency in it."""
    ok = cases[~cases["failed"] & cases[column].notna()]
    height = GROUP_HEIGHT / len(latencies)
    ends: list[tuple[float, str]] = []
    for y, label in enumerate(labels):
        rows = ok[ok["series"] == label]
        for i, latency in enumerate(latencies):
            row = rows[rows["latency"] == latency]
            if not row.empty:
                offset = y - GROUP_HEIGHT / 2 + height * (i + 0.5)
                shade = (i, len(latencies))
                ends.append(_bar(ax, row.iloc[0], offset, height, shade, column, text))
        if rows.empty:
            _failed(ax, cases, label, y)
    ax.set_yticks(range(len(labels)), labels)
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    _limits(ax, ends)


def _bar(
    ax: Axes,
    row: pd.Series,
    y: float,
    height: float,
    shade: tuple[int, int],
    column: str,
    text: Callable[[pd.Series], str],
) -> tuple[float, str]:
    """One latency's bar of one format, with its value label; returns (value, label)."""
    value, words = float(row[column]), text(row)
    colour = _shade(style.orientation_colour(row["orientation"]), *shade)
    hatch = style.hatch(row["encoding"])
    ax.barh(y, value, height=height * 0.92, color=colour, hatch=hatch, edgecolor="white",
            linewidth=0.5)  # fmt: skip
    ax.annotate(words, (value, y), xytext=(3, 0), textcoords="offset points", ha="left",
                va="center", fontsize=7, bbox=LABEL_BOX)  # fmt: skip
    return value, words


def _limits(ax: Axes, ends: list[tuple[float, str]]) -> None:
    """Linear from 0, or log when values span decades; room for the longest value label."""
    values = [v for v, _ in ends]
    if not values:
        return
    room = 1.0 + max(len(t) for _, t in ends) * 0.025  # share of the axis a label takes
    if wide_span(values) and min(values) > 0:
        low = min(values) / 2
        ax.set_xscale("log")
        ax.set_xlim(low, max(values) * room**3)
        plain_log(ax, "x")
        ax.text(1.0, -0.09, "log scale", transform=ax.transAxes, ha="right", va="top",
                fontsize=7, fontstyle="italic", color="#555555")  # fmt: skip
    else:
        ax.set_xlim(0, max(max(values) * room * 1.1, 1e-12))


def _failed(ax: Axes, cases: pd.DataFrame, label: str, y: int) -> None:
    """A format with no value here: 'failed' (or skipped), as the other bar charts say."""
    rows = cases[cases["series"] == label]
    word = "failed" if rows["failed"].any() else "not measured"
    ax.text(0.01, y, word, transform=ax.get_yaxis_transform(), va="center",
            color=style.FAILED_COLOUR, fontstyle="italic", fontsize=7.5)  # fmt: skip


def _shade(colour: str, i: int, n: int) -> tuple[float, float, float]:
    """The orientation colour, lighter for lower latencies (the highest is the colour)."""
    if n <= 1:
        return to_rgb(colour)
    mix = 0.6 * (n - 1 - i) / (n - 1)  # share of white
    return tuple(c + (1.0 - c) * mix for c in to_rgb(colour))  # type: ignore[return-value]


def _legend(latencies: list[float]) -> list[Patch]:
    """Latency shades (in grey: colour stays orientation), then the bar code."""
    grey = "#555555"
    shades = [
        Patch(facecolor=_shade(grey, i, len(latencies)), label=f"{ms:g} ms per request")
        for i, ms in enumerate(latencies)
    ]
    return shades + style.encoding_legend()


def _count(row: pd.Series) -> str:
    return f"{int(row['requests_total']):,}"


def _mb(row: pd.Series, op: str) -> str:
    """'0.256 MB · 0.51×': the bytes, and for reads the bytes per Arrow byte asked for."""
    mb = row["mb_moved"]
    text = f"{mb:.3g} MB" if mb < 100 else f"{mb:,.0f} MB"
    amp = row.get("fetch_amplification")
    if op != "write" and pd.notna(amp):
        text += f" · {amp:,.0f}×" if amp >= 100 else f" · {amp:.3g}×"
    return text
