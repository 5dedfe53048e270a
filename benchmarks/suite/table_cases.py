"""The cases of the table operations: their parameters and why an adapter skips them.

Kept apart from cases.py so the table workload is one place: cases.py asks this module
for (params, skip reason) of each table operation and adapter.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from benchmarks.suite.config import RunConfig
from formats.base import FormatAdapter
from formats.tables import table_ops, table_refusal

Params = tuple[tuple[str, Any], ...]


def table_skip(cfg: RunConfig, adapter: FormatAdapter) -> str | None:
    """Why no table operation runs on ``adapter`` here (None: they can)."""
    why = table_refusal(adapter)
    if why:
        return why
    if cfg.cluster is not None:
        return "table operations run in the worker process; drop --cluster"
    if cfg.multifile():
        return "table operations manage their own files; drop --files/--partition-by"
    return None


def table_params(
    op: str, cfg: RunConfig, adapter: FormatAdapter
) -> Iterator[tuple[Params, str | None]]:
    """(params, skip reason) per case of a table operation."""
    skip = table_skip(cfg, adapter)
    if op == "commit":
        for rows in cfg.batch_rows:
            yield (("batch_rows", rows), ("commits", cfg.commits)), skip
    elif op in ("update", "delete", "merge"):
        for fraction in cfg.change:
            yield (("change", fraction),), skip
    elif op == "time_travel":
        ops = table_ops(adapter)
        refusal = ops.time_travel_refusal if ops is not None else ""
        params = (("versions_back", cfg.versions_back), ("commits", cfg.commits))
        yield params, skip or refusal or None
    elif op == "compact":
        yield (("commits", cfg.commits),), skip
    else:
        raise ValueError(f"{op} is not a table operation")
