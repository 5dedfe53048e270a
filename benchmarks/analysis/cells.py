"""How a case and a time read in tables: the words every summary, report and chart share.

Kept apart from summary.py (which prints whole tables and the advice) so the modules it
prints from can use them without importing it back.
"""

from __future__ import annotations

import pandas as pd

#: What tells one case of an operation from another (besides the format): its parameters,
#: and the storage latency, so a run at 0 and 20 ms never ranks one against the other.
PARAM_KEYS = (
    "column", "k", "pattern", "filter", "selectivity", "batch_size", "access", "batch_rows",
    "append_mode", "storage_latency_ms", "change", "commits", "versions_back",
    "shuffle", "loader_workers", "decode", "order_from",
)  # fmt: skip


def case_label(row: pd.Series) -> str:
    """Operation plus its parameters: ``read_column column=id``."""
    parts = [str(row["operation"])]
    for key in PARAM_KEYS:
        if key in row and pd.notna(row[key]):
            value = row[key]
            if isinstance(value, float) and value.is_integer():
                value = int(value)  # a column with NaN holes turns k=1 into 1.0
            parts.append(f"{key}={value}")
    return " ".join(parts)


def format_seconds(seconds: float) -> str:
    """Human time with a unit that keeps 3 significant digits: 512 µs, 12.3 ms, 1.20 s."""
    if round(seconds * 1e6) < 1000:
        return f"{seconds * 1e6:.0f} µs"
    if float(f"{seconds * 1e3:.3g}") < 1000:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s"
