"""The longevity chart: read time against commits since the load, one line per table
format, and where compaction brought it back (a hollow marker after the last round).

Reads the JSON that ``scripts/longevity.py`` writes (benchmarks/suite/longevity.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.analysis.charts import style


def plot_longevity(result: dict[str, Any], out_dir: Path, stem: str = "longevity") -> list[Path]:
    """Two panels: full read and filtered scan time (ms) vs commits; PNG and SVG paths."""
    fig = style.new_figure((10.0, 4.8))
    read_ax, scan_ax = fig.subplots(1, 2)
    adapters = list(dict.fromkeys(p["adapter"] for p in result["points"]))
    for i, name in enumerate(adapters):
        points = [p for p in result["points"] if p["adapter"] == name]
        rounds = [p for p in points if p["phase"] != "compact"]
        compacted = [p for p in points if p["phase"] == "compact"]
        colour = f"C{i}"
        for ax, key in ((read_ax, "read_s"), (scan_ax, "scan_s")):
            xs = [p["commits"] for p in rounds]
            ax.plot(xs, [p[key] * 1e3 for p in rounds], "o-", color=colour, label=name, ms=4)
            for p in compacted:
                ax.plot(p["commits"], p[key] * 1e3, "o", mfc="none", color=colour, ms=8)
    for ax, what in ((read_ax, "read of the whole table"), (scan_ax, "scan, 1% of the rows")):
        ax.set_xlabel("commits since the load")
        ax.set_ylabel("median time (ms)")
        ax.set_title(what)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    seq = result["sequence"]
    fig.suptitle(
        f"longevity: {seq['rounds']} rounds of {seq['commits']} commits of "
        f"{seq['batch_rows']} rows + update + delete ({seq['change']:g}); "
        "hollow: after compact + vacuum"
    )
    read_ax.legend(frameon=False, fontsize=8)
    return style.save(fig, out_dir, stem)
