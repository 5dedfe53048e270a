"""What every chart shares: the run context, titles, legends and readable log axes."""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.data import attribute


@dataclass
class Context:
    """Where charts go and the run facts their titles need."""

    out_dir: Path
    machine: str
    log_scale: bool = False
    palette: dict[str, tuple[str, str]] = field(default_factory=dict)  # label -> colour, marker
    ceilings: dict[str, float] = field(default_factory=dict)  # machine MB/s references
    written: list[Path] = field(default_factory=list)

    def save(self, fig: Figure, stem: str) -> None:
        """Write the figure as PNG and SVG and remember the paths."""
        self.written.extend(style.save(fig, self.out_dir, stem))

    def look(self, label: str, cases: pd.DataFrame) -> dict[str, Any]:
        """Line-chart style of a format: its colour and marker, dashed if text-encoded."""
        colour, marker = self.palette.get(label, (style.OTHER_COLOUR, "o"))
        dash = style.linestyle(attribute(cases, label, "encoding"))
        return {"color": colour, "marker": marker, "linestyle": dash}


def machine_label(data: dict[str, Any]) -> str:
    """The run's machine label, or one rebuilt from machine_info (older files)."""
    label = (data.get("fmtbench") or {}).get("machine_label")
    if label:
        return str(label)
    info = data.get("machine_info") or {}
    parts = []
    if info.get("cores"):
        parts.append(f"{info['cores']} cores")
    if info.get("memory_bytes"):
        parts.append(f"{info['memory_bytes'] / 2**30:.0f} GiB")
    parts.append(str(info.get("machine") or ""))
    return ", ".join(p for p in parts if p) or "unknown machine"


def title(ctx: Context, what: str, dataset: str, rows: int | None, group: pd.DataFrame) -> str:
    """'what — dataset, N rows, warm cache' over the machine line."""
    caches = sorted({str(c) for c in group["cache"].dropna()}) or ["?"]
    size = f", {rows:,} rows" if rows is not None and rows >= 0 else ""
    return f"{what}\n{dataset}{size}, {'/'.join(caches)} cache · {ctx.machine}"


def panel_grid(n: int, max_cols: int = 3) -> tuple[int, int]:
    """(rows, columns) of panels: at most three across, so bar labels keep their room."""
    rows = math.ceil(max(n, 1) / max_cols)
    return rows, math.ceil(max(n, 1) / rows)  # balanced: 4 panels as 2x2, not 3+1


def legend_below(fig: Figure, handles: list, ncol: int = 4) -> None:
    """A legend under the panels (outside them, so no bar is hidden)."""
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol, frameon=False)


def line_legend(fig: Figure, ctx: Context, cases: pd.DataFrame) -> None:
    """Legend of a line chart: one entry per format (colour, marker, dash), then the dash code."""
    handles = [
        Line2D([], [], markersize=4.5, label=label, **ctx.look(label, cases))
        for label in sorted(set(cases["label"]), key=lambda k: (_family(cases, k), k))
    ]
    handles += style.line_legend_extra()
    ncol = max(1, int(fig.get_figwidth() / 1.7))  # ~1.7 in per entry: long names fit
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol, frameon=False, fontsize=8)


def _family(cases: pd.DataFrame, label: str) -> str:
    """Sort key that lists column formats, then row formats, as the colours group them."""
    return attribute(cases, label, "orientation")


def plain_log(ax: Axes, axis: str) -> None:
    """Log scale with ticks written as plain numbers (not 2x10^3); call after the limits."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    getattr(ax, f"set_{axis}scale")("log")
    low, high = sorted(getattr(ax, f"get_{axis}lim")())
    decades = math.log10(high / low) if low > 0 else 99
    subs = (1.0, 2.0, 5.0) if decades <= 2.5 else (1.0,)  # 1-2-5 ticks crowd past ~2 decades
    target.set_major_locator(LogLocator(base=10, subs=subs))
    target.set_major_formatter(FuncFormatter(lambda v, _: plain_number(v)))
    target.set_minor_formatter(NullFormatter())


def ticks_at(ax: Axes, values: list[float]) -> None:
    """x ticks exactly at the measured values (rows, batch sizes), written in full."""
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xticks(sorted(set(values)), [plain_number(v) for v in sorted(set(values))])


def plain_number(value: float) -> str:
    """1000000 -> '1,000,000', 0.001 -> '0.001': never scientific notation on an axis."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6g}"


def failures_text(cases: pd.DataFrame, width: int = 60) -> str:
    """'failed: a, b (first error)', wrapped to fit a panel."""
    failed = cases[cases["failed"]]
    if failed.empty:
        return ""
    names = ", ".join(sorted(set(failed["label"])))
    error = next((str(e) for e in failed["error"] if isinstance(e, str)), "")
    return textwrap.fill(f"failed: {names} ({error[:120]})", width)


def format_lines(ctx: Context, ax: Axes, cases: pd.DataFrame, x: str, factor: float) -> None:
    """One line per format of median time against ``x``, on log-log axes with ticks at the
    values run; each format in its palette colour, dashed if text-encoded."""
    for label, line in cases.groupby("label", sort=True):
        line = line.sort_values(x)
        ax.plot(
            line[x],
            line["median"] * factor,
            markersize=4,
            linewidth=1.2,
            label=str(label),
            **ctx.look(str(label), cases),
        )
    plain_log(ax, "x")
    plain_log(ax, "y")
    ticks_at(ax, list(cases[x]))
    ax.grid(alpha=0.3, which="major")
