"""The terminal summary after a run: per operation, median, MB/s, file size, x fastest.

MB/s here is logical: Arrow bytes the operation produced or consumed per second.
"""

from __future__ import annotations

import textwrap

import pandas as pd
from rich.console import Console
from rich.table import Table

from benchmarks.analysis.advice import answer_lines
from benchmarks.analysis.cells import (  # noqa: F401  (re-exported)
    PARAM_KEYS,
    case_label,
    format_seconds,
)
from benchmarks.analysis.engines import SPREAD_HEADER, engine_spread, multi_engine, spread_rows
from benchmarks.analysis.epoch_table import EPOCH_HEADER, epoch_cells, is_epoch
from benchmarks.analysis.intervals import half_width_text, ties_with_fastest
from benchmarks.analysis.paired import RATIO, one_group, ties_by_ratio
from benchmarks.analysis.shuffle_floor import DEFAULT_MIN_SHUFFLE


def summary_tables(frame: pd.DataFrame) -> list[Table]:
    """One rich table per (dataset, rows, operation with parameters), fastest first."""
    ok = frame[frame["error"].isna()].copy() if "error" in frame else frame.copy()
    if ok.empty:
        return []
    ok["label"] = ok.apply(case_label, axis=1)
    tables = []
    for (dataset, rows, label), group in ok.groupby(["dataset", "rows", "label"], sort=False):
        order = RATIO if one_group(group) else "median"  # side by side, where measured so
        tables.append(_table(f"{label} · {dataset} · {rows:,} rows", group.sort_values(order)))
    return tables


def _table(title: str, group: pd.DataFrame) -> Table:
    table = Table(title=title, title_justify="left")
    # streamed runs are about bounded memory: their worker's peak RSS is the headline
    rss = "peak_rss_bytes" in group and group["peak_rss_bytes"].notna().any()
    # an epoch's table is a training loop's numbers: samples/s (the same timing as the
    # median), shuffle quality, first batch and batch gaps; median, CI and size: the report
    epoch = is_epoch(group)
    names = () if epoch else ("median", "95% CI", "Arrow MB/s", "file MB")
    extra = (*(("peak RSS MB",) if rss else ()), *(EPOCH_HEADER if epoch else ()))
    header = ("format", "codec", *names, *extra, "x fastest")
    rows = _rows(group, epoch, rss)
    widest = max(len(cells[0]) for cells in rows)
    for name in header:
        if name == "format":  # whole: users type these names; the number headers wrap instead
            table.add_column(name, no_wrap=True, min_width=widest)
        else:
            table.add_column(name, justify="left" if name == "codec" else "right")
    for cells in rows:
        table.add_row(*cells)
    return table


def _rows(group: pd.DataFrame, epoch: bool, rss: bool) -> list[list[str]]:
    """The cells of ``_table``'s rows, fastest first as the group is sorted."""
    # x fastest: the ratio from rounds taken side by side where the run has it (paired.py),
    # else the ratio of medians; a tie: the interval overlaps the fastest's
    paired = ties_by_ratio(group)
    relative = group[RATIO].astype(float) if paired is not None else group["median"]
    fastest = relative.min()
    tie = paired if paired is not None else ties_with_fastest(group)
    rows = []
    for index, row in group.iterrows():
        x = f"{relative[index] / fastest:,.1f}x"
        size = f"{row['file_bytes'] / 1e6:,.1f}" if pd.notna(row.get("file_bytes")) else "-"
        timing = (format_seconds(row["median"]), half_width_text(row), _rate(row.get("mb_s")))
        rows.append(
            [
                str(row["adapter"]),
                str(row["codec"]),
                *(() if epoch else (*timing, size)),
                *((_mb(row.get("peak_rss_bytes")),) if rss else ()),
                *(epoch_cells(row, format_seconds) if epoch else ()),
                f"{x} tie" if tie[index] and relative[index] > fastest else x,
            ]
        )
    return rows


def _rate(value: object) -> str:
    """MB/s as a whole number; below 1 (a lookup of a few rows) two significant digits,
    never a "0" that reads as no throughput."""
    if pd.isna(value):
        return "-"
    return f"{float(value):,.0f}" if float(value) >= 1 else f"{float(value):.2g}"


def _mb(value: object) -> str:
    return f"{float(value) / 1e6:,.0f}" if pd.notna(value) else "-"


def engine_tables(frame: pd.DataFrame) -> list[Table]:
    """Per (dataset, rows): each format's best engine and the spread, where several ran."""
    spread = multi_engine(engine_spread(frame))
    if spread.empty:
        return []
    tables = []
    for (dataset, rows), group in spread.groupby(["dataset", "rows"], sort=False):
        table = Table(title=f"best engine per format · {dataset} · {rows:,} rows")
        for name in SPREAD_HEADER:  # fold, never "…": users type these names
            right = name in ("median", "engines")
            table.add_column(name, justify="right" if right else "left", overflow="fold")
        for row in spread_rows(group):
            table.add_row(*row)
        tables.append(table)
    return tables


def sample_notes(frame: pd.DataFrame) -> list[str]:
    """One line per sampled dataset: its Parquet compression ratio against the full source."""
    if "sample_ratio" not in frame:
        return []
    notes = []
    sampled = frame.dropna(subset=["sample_ratio"]).drop_duplicates(["dataset", "sample"])
    for _, row in sampled.iterrows():
        full, part = row["sample_source_ratio"], row["sample_ratio"]
        notes.append(
            f"sample {row['sample']} of {row['dataset']}: Parquet compression ratio "
            f"{part:.2f} vs {full:.2f} for the full source ({part / full - 1:+.1%}); "
            "file sizes of a sample understate or overstate the real ones accordingly"
        )
    return notes


def print_summary(
    frame: pd.DataFrame,
    failed: list[dict],
    skipped: list[dict],
    console: Console,
    profile: str | None = None,
    allow_lossy: bool = False,
    allow_unsafe: bool = False,
    strict_types: bool = False,
    min_shuffle: float = DEFAULT_MIN_SHUFFLE,
) -> None:
    """Print the tables, failures and skipped cases with their reasons, then the answer."""
    for table in summary_tables(frame):
        console.print(table)
    for table in engine_tables(frame):
        console.print(table)
    for note in sample_notes(frame):
        console.print(note, markup=False)
    if skipped:
        console.print(f"[yellow]{len(skipped)} skipped[/yellow]:")
        for item in skipped[:20]:
            console.print(f"  {item['id']}: {item['reason']}", markup=False)
    if failed:
        console.print(f"[red]{len(failed)} failed[/red]:")
        for item in failed:
            console.print(f"  {item['id']}: {item['error']}", markup=False)
    print_answer(frame, console, profile, allow_lossy, allow_unsafe, strict_types, min_shuffle)


def print_answer(
    frame: pd.DataFrame,
    console: Console,
    profile: str | None = None,
    allow_lossy: bool = False,
    allow_unsafe: bool = False,
    strict_types: bool = False,
    min_shuffle: float = DEFAULT_MIN_SHUFFLE,
) -> None:
    """The closing "Recommendation for DATASET" block: winner per profile, exclusions."""
    if frame.empty or "adapter" not in frame:
        return
    answers = answer_lines(frame, profile, allow_lossy, allow_unsafe, strict_types, min_shuffle)
    for title, lines in answers:
        console.print(f"[bold]{title}[/bold]")
        for line in lines:
            console.print(_answer_text(line, console), markup=False, soft_wrap=True)


def _answer_text(line: str, console: Console) -> str:
    """One answer line: in a terminal wrapped at its width between words, continuation
    lines indented under the text (the terminal itself would cut "lookup_p5|0" mid-word);
    piped or redirected, one line per answer, whole, for grep and scripts."""
    if not console.is_terminal:
        return f"  {line}"
    return textwrap.fill(
        line, width=max(console.width, 40), initial_indent="  ", subsequent_indent="    ",
        break_long_words=False, break_on_hyphens=False,
    )  # fmt: skip
