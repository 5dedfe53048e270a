"""Chart 2: file size per format and compression ratio against Arrow's in-memory size.

Every codec run is its own bar ('parquet-pyarrow · zstd'), so a run over several codecs
shows what each one buys.
"""

from __future__ import annotations

import pandas as pd

from benchmarks.analysis.charts import style
from benchmarks.analysis.charts.barpanel import bars_from, draw_bars
from benchmarks.analysis.charts.common import Context, legend_below, title
from benchmarks.analysis.charts.data import by_dataset_rows, file_stem


def plot_sizes(ctx: Context, frame: pd.DataFrame) -> None:
    """One size + ratio figure per (dataset, rows)."""
    for dataset, rows, group in by_dataset_rows(frame):
        sized = size_rows(group)
        if len(sized):
            _size_figure(ctx, dataset, rows, group, sized)


def size_rows(group: pd.DataFrame) -> pd.DataFrame:
    """One row per format label with file_bytes, preferring the write case's measurement."""
    have = group[group["file_bytes"].notna() & group["file_bytes"].gt(0)].copy()
    have["failed"] = False  # a size is a size even if the timed step later failed
    have["_rank"] = (have["operation"] != "write").astype(int)
    have = have.sort_values("_rank", kind="stable").drop_duplicates("label")
    have["file_mb"] = have["file_bytes"] / 1e6
    have["ratio"] = have["arrow_bytes"] / have["file_bytes"]
    return have


def _size_figure(
    ctx: Context, dataset: str, rows: int, group: pd.DataFrame, sized: pd.DataFrame
) -> None:
    """Two panels sharing the format axis: MB on disk, and the ratio to Arrow."""
    labels = list(sized.sort_values("file_bytes")["label"])
    labels += sorted(set(group["label"]) - set(labels))  # formats that never wrote a file
    fig = style.new_figure(style.bar_figure_size(len(labels), 2))
    left, right = fig.subplots(1, 2, sharey=True)
    missing = group[~group["label"].isin(sized["label"])].assign(failed=True)
    both = pd.concat([sized, missing])
    draw_bars(left, bars_from(both, labels, "file_mb", _mb), ctx.log_scale)
    left.set_xlabel("file size (MB)")
    left.set_title("file size on disk")
    draw_bars(right, bars_from(both, labels, "ratio", lambda v: f"{v:.2f}×"), ctx.log_scale)
    right.axvline(1.0, color="#333333", linewidth=0.8, linestyle=":")
    right.set_xlabel("Arrow in-memory bytes / file bytes (higher = smaller file)")
    right.set_title("compression ratio vs Arrow in memory (dotted: 1×)")
    arrow_mb = sized["arrow_bytes"].max() / 1e6
    fig.suptitle(
        title(ctx, f"file size (Arrow in memory: {arrow_mb:,.2f} MB)", dataset, rows, group)
    )
    legend_below(fig, style.encoding_legend())
    ctx.save(fig, file_stem("size", dataset, rows))


def _mb(value: float) -> str:
    """MB with three significant digits."""
    return f"{value:.3g} MB" if value < 100 else f"{value:,.0f} MB"
