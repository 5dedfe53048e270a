"""Point labels that do not overlap: try a few offsets per point, keep the first free one.

A scatter of 16 formats often has clusters (the binary column formats land close
together); a fixed offset would print names over each other.
"""

from __future__ import annotations

from matplotlib.axes import Axes
from matplotlib.transforms import Bbox

#: Offsets in points, tried in order: right, left, above, below, then the diagonals.
OFFSETS = [
    (9, 0),
    (-9, 0),
    (0, 9),
    (0, -9),
    (8, 8),
    (-8, 8),
    (8, -8),
    (-8, -8),
    (12, 16),
    (-12, 16),
    (12, -16),
    (-12, -16),
    (18, 0),
    (-18, 0),
    (0, 20),
    (0, -20),
]

#: For Pareto points: left and below first, the side the staircase never runs on.
FRONT_OFFSETS = [(-9, 0), (0, -9), (-8, -8), *OFFSETS]


def place_labels(
    ax: Axes, points: list[tuple[float, float, str]], bold: frozenset[str] = frozenset(), **text_kw
) -> None:
    """Annotate (x, y, text) points, moving each label until it overlaps no earlier one."""
    fig = ax.figure
    fig.draw_without_rendering()  # settle the layout, then freeze it: positions stay valid
    fig.set_layout_engine("none")
    renderer = fig.canvas.get_renderer()
    taken: list[Bbox] = [_marker_box(ax, x, y) for x, y, _ in points]
    for x, y, text in points:
        annotation = None
        for dx, dy in FRONT_OFFSETS if text in bold else OFFSETS:
            if annotation is not None:
                annotation.remove()
            annotation = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha=_ha(dx),
                va=_va(dy),
                fontweight="bold" if text in bold else "normal",
                **text_kw,
            )
            box = annotation.get_window_extent(renderer).padded(1)
            if not any(box.overlaps(other) for other in taken) and _inside(ax, box):
                break
        assert annotation is not None
        taken.append(annotation.get_window_extent(renderer))


def _marker_box(ax: Axes, x: float, y: float) -> Bbox:
    """Display-space box around a marker, so labels keep off the points too."""
    px, py = ax.transData.transform((x, y))
    return Bbox.from_extents(px - 7, py - 7, px + 7, py + 7)  # the Pareto ring's size


def _inside(ax: Axes, box: Bbox) -> bool:
    """True when a label box lies within the axes: labels must not spill out."""
    area = ax.get_window_extent()
    return area.x0 <= box.x0 and box.x1 <= area.x1 and area.y0 <= box.y0 and box.y1 <= area.y1


def _ha(dx: float) -> str:
    """Horizontal alignment that keeps a label on the side of its offset."""
    return "left" if dx > 0 else "right" if dx < 0 else "center"


def _va(dy: float) -> str:
    """Vertical alignment that keeps a label on the side of its offset."""
    return "bottom" if dy > 0 else "top" if dy < 0 else "center"
