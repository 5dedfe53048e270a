"""The project's one chart style: colour by orientation, hatch by encoding, shared sizing.

Every chart reads its colours from here, so a row-major format is the same warm hue in
the bar charts, the scatter and the line charts, and a reader learns the code once.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: charts are written from CI and ssh sessions

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

#: Flat colour per orientation, for bars (the two-way story the charts tell).
ORIENTATION_COLOURS = {"row": "#d9731a", "column": "#2b6cb0"}
OTHER_COLOUR = "#7f7f7f"
#: Per-format colours for line charts: cool hues for column formats, warm for row ones,
#: so a line's family reads at a glance and formats of one family stay distinguishable.
FORMAT_COLOURS = {
    "column": [
        "#1f5fa8",  # blue
        "#0f9b8e",  # teal
        "#2f8a2f",  # green
        "#7b4fb8",  # purple
        "#0b2e59",  # navy
        "#3fb8e0",  # sky
        "#6b7f1a",  # olive
        "#8fa3b8",  # grey-blue
    ],
    "row": [
        "#d9731a",  # orange
        "#c53030",  # red
        "#7a3b0c",  # brown
        "#d6a400",  # gold
        "#b83280",  # magenta
        "#f28b82",  # salmon
        "#5c5c5c",  # grey
        "#e377c2",  # pink
    ],
}
#: 12 markers with 8 colours: (colour, marker) stays unique for 24 formats of one family.
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p"]
HATCHES = {"text": "///", "binary": ""}
LINESTYLES = {"text": "--", "binary": "-"}
FAILED_COLOUR = "#c53030"
PARETO_COLOUR = "#2f855a"

BAR_HEIGHT_IN = 0.3  # per horizontal bar: 16 formats stay readable at 9 pt
PANEL_WIDTH_IN = 4.2

plt.rcParams.update(
    {
        "font.size": 9,
        "axes.titlesize": 9,
        "figure.titlesize": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "svg.fonttype": "none",  # text stays text in SVG: searchable, smaller
        "hatch.linewidth": 0.6,
    }
)


def orientation_colour(orientation: str) -> str:
    """Bar colour of an orientation (grey for anything unexpected)."""
    return ORIENTATION_COLOURS.get(str(orientation), OTHER_COLOUR)


def hatch(encoding: str) -> str:
    """Bar hatch of an encoding: text formats striped, binary plain."""
    return HATCHES.get(str(encoding), "..")


def linestyle(encoding: str) -> str:
    """Line style of an encoding: text dashed, binary solid."""
    return LINESTYLES.get(str(encoding), ":")


def format_palette(formats: Iterable[tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """label -> (colour, marker) for line charts, from (label, orientation) pairs."""
    by_orientation: dict[str, list[str]] = {}
    for label, orientation in sorted(set(formats)):
        by_orientation.setdefault(str(orientation), []).append(label)
    palette = {}
    for orientation, labels in by_orientation.items():
        colours = FORMAT_COLOURS.get(orientation, [OTHER_COLOUR])
        for i, label in enumerate(labels):
            # past eight formats of one family, the marker keeps lines apart
            palette[label] = (colours[i % len(colours)], MARKERS[i % len(MARKERS)])
    return palette


def encoding_legend() -> list[Patch]:
    """Legend handles explaining the bar code: colour = orientation, hatch = encoding."""
    return [
        Patch(facecolor=ORIENTATION_COLOURS["row"], label="row-major"),
        Patch(facecolor=ORIENTATION_COLOURS["column"], label="column-major"),
        Patch(facecolor="white", edgecolor="#333333", hatch=HATCHES["text"], label="text"),
        Patch(facecolor="white", edgecolor="#333333", label="binary"),
    ]


def line_legend_extra() -> list[Line2D]:
    """Legend handles explaining the line code: dashed = text encoding."""
    return [
        Line2D([], [], color="#333333", linestyle=LINESTYLES["binary"], label="binary"),
        Line2D([], [], color="#333333", linestyle=LINESTYLES["text"], label="text"),
    ]


def bar_figure_size(n_bars: int, n_cols: int, n_rows: int = 1) -> tuple[float, float]:
    """Figure size that gives every bar and every panel room for its labels."""
    width = 2.0 + PANEL_WIDTH_IN * n_cols
    height = 1.6 + n_rows * (0.9 + BAR_HEIGHT_IN * max(n_bars, 3))
    return width, height


def new_figure(size: tuple[float, float]) -> Figure:
    """A constrained-layout figure, so titles, labels and legends never overlap."""
    return plt.figure(figsize=size, layout="constrained")


def save(fig: Figure, out_dir: Path, stem: str) -> list[Path]:
    """Write ``stem.png`` and ``stem.svg``; close the figure to keep memory flat."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{stem}.png", out_dir / f"{stem}.svg"]
    try:
        fig.savefig(paths[0], dpi=130)
        fig.savefig(paths[1])
    finally:
        plt.close(fig)
    return paths
