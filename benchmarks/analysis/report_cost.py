"""Cost at list prices: the report's table and the ``cost_usd`` column the recommendation
ranks on (``--profile lakehouse``).

A case's cost is what its run recorded (``extra_info["cost"]``, at the run's prices), or,
when the reader gives other prices (``fmtbench report --price-...``), the same sum
recomputed from the case's bytes and requests (benchmarks/storage/cost.py).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from benchmarks.analysis.cells import case_label
from benchmarks.analysis.report_blocks import Block, heading, para, table
from benchmarks.storage.cost import Prices, cost_info
from benchmarks.suite.config import TABLE_OPS

EXPLAIN = (
    "Storage is every byte the case left on storage (a table's data, log and metadata "
    "files) for a month; requests are one call's, counted at the recording proxy (object "
    "storage runs only; '-' on local disk). Total = a month of storage + one call. Prices "
    "(US dollars): {prices}."
)


def _case_cost(row: pd.Series, prices: Prices | None) -> dict[str, Any]:
    """The recorded cost, or one recomputed at ``prices``."""
    recorded = row.get("cost")
    if prices is None:
        return recorded if isinstance(recorded, dict) else {}
    info = {k: row.get(k) for k in ("requests", "all_bytes", "file_bytes")}
    info = {k: v for k, v in info.items() if isinstance(v, dict) or pd.notna(v)}
    return cost_info(info, prices, row.get("operation") in TABLE_OPS).get("cost", {})


def with_cost(frame: pd.DataFrame, prices: Prices | None = None) -> pd.DataFrame:
    """``frame`` with cost_usd, cost_storage_usd_month and cost_requests_usd columns."""
    if frame.empty or ("cost" not in frame and prices is None):
        return frame
    costs = [_case_cost(row, prices) for _, row in frame.iterrows()]
    out = frame.copy()
    out["cost_usd"] = [c.get("usd") for c in costs]
    out["cost_storage_usd_month"] = [c.get("storage_usd_month") for c in costs]
    out["cost_requests_usd"] = [c.get("requests_usd") for c in costs]
    out["cost_prices"] = [c.get("prices") for c in costs]
    return out


def usd(value: Any) -> str:
    """'$0.0123', '$1.2e-07' or '-': small sums stay readable."""
    if value is None or pd.isna(value):
        return "-"
    return f"${value:.2e}" if 0 < abs(value) < 1e-4 else f"${value:,.4f}"


def cost_blocks(frame: pd.DataFrame, prices: Prices | None = None) -> list[Block]:
    """One table per (dataset, rows, operation): storage, requests and total per format."""
    costed = with_cost(frame, prices)
    if "cost_usd" not in costed:
        return []
    ok = costed[costed["cost_usd"].notna()]
    if "error" in ok:
        ok = ok[ok["error"].isna()]
    if ok.empty:
        return []
    shown = prices or Prices(**next(p for p in ok["cost_prices"] if isinstance(p, dict)))
    text = (
        f"{shown.gb_month:g} per GB-month, {shown.get_1k:g} per 1,000 GET/HEAD, "
        f"{shown.put_1k:g} per 1,000 PUT/POST/LIST/COPY"
    )
    blocks = [heading("Cost at list prices"), para(EXPLAIN.format(prices=text))]
    ok = ok.assign(label=ok.apply(case_label, axis=1))
    header = ["format", "storage / month", "requests", "total"]
    for (dataset, rows, label), group in ok.groupby(["dataset", "rows", "label"], sort=False):
        blocks.append(heading(f"{label} · {dataset} · {int(rows):,} rows", 3))
        rows_out = [
            [r["adapter"], usd(r["cost_storage_usd_month"]), usd(r["cost_requests_usd"]),
             usd(r["cost_usd"])]
            for _, r in group.sort_values("cost_usd").iterrows()
        ]  # fmt: skip
        blocks.append(table(header, rows_out))
    return blocks
