"""The columns an epoch case adds to the summary and report tables.

An epoch's median time alone hides what a training loop feels: how many samples per
second arrive, how random their order really was (``shuffle_quality``, measured on the
delivered order), how long the first batch keeps the GPU waiting, and the gaps between
batches (p50 and the p99 stall). The epoch's parameters (batch size, shuffle, loader
workers) are in each table's title, through ``summary.PARAM_KEYS``.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

#: Column names, in the order ``epoch_cells`` fills them.
EPOCH_HEADER = ("samples/s", "shuffle q", "1st batch", "batch p50", "batch p99")


def is_epoch(group: pd.DataFrame) -> bool:
    """Whether a table's cases are epochs (they carry samples/s)."""
    return "samples_per_s" in group and bool(group["samples_per_s"].notna().any())


def epoch_cells(row: pd.Series, format_seconds: Callable[[float], str]) -> list[str]:
    """samples/s, shuffle quality, time to first batch, batch gap p50 and p99, as text
    (times through the caller's ``format_seconds``, so every table writes them alike)."""

    def seconds(key: str) -> str:
        value = row.get(key)
        return format_seconds(float(value)) if pd.notna(value) else "-"

    rate, quality = row.get("samples_per_s"), row.get("shuffle_quality")
    return [
        f"{float(rate):,.0f}" if pd.notna(rate) else "-",
        f"{float(quality):.2f}" if pd.notna(quality) else "-",
        seconds("time_to_first_batch"),
        seconds("batch_p50_s"),
        seconds("batch_p99_s"),
    ]
