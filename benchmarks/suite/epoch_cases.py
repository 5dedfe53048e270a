"""The ``epoch`` operation's cases: its flags checked, its parameters and skip reasons.

Kept apart from ``epoch.py`` (the timed loop) so the run's configuration and case list
can check and expand the flags without importing the operations.
"""

from __future__ import annotations

import os
from typing import Any

import formats
from benchmarks.errors import UsageError
from benchmarks.suite import loader
from formats.base import FormatAdapter

SHUFFLES = ("global", "none")  # and buffer:N


def parse_shuffle(text: str) -> tuple[str, int]:
    """``global`` / ``none`` / ``buffer:N`` -> (kind, N); UsageError naming the flag."""
    kind, _, size = text.partition(":")
    if kind in SHUFFLES and not size:
        return kind, 0
    if kind == "buffer" and size.replace("_", "").isdigit() and int(size) > 0:
        return kind, int(size)
    raise UsageError(
        f"--shuffle {text}: use global, none or buffer:N with N rows >= 1 (e.g. buffer:10000)"
    )


def check_config(cfg: Any) -> None:
    """The epoch flags on their own (before any data is made)."""
    for text in cfg.shuffle:
        parse_shuffle(text)
    for b in cfg.batch_size:
        if b < 1:
            raise UsageError(f"--batch-size {b}: a batch holds at least 1 row; use e.g. 256")
    most = 4 * (os.cpu_count() or 1)
    for w in cfg.loader_workers:
        if not 0 <= w <= most:
            raise UsageError(
                f"--loader-workers {w}: use 0 (in-process) to {most} (4x this machine's cores)"
            )
    if cfg.order_from is not None and cfg.order_from not in formats.names():
        raise UsageError(f"--order-from {cfg.order_from}: no such adapter; see fmtbench formats")


def check_dataset(cfg: Any, rows: int, schema: Any, adapters: list[FormatAdapter]) -> None:
    """Flags against the dataset: batch and buffer within its rows, columns each format holds."""
    for b in cfg.batch_size:
        if b > rows:
            raise UsageError(
                f"--batch-size {b}: more than the dataset's {rows:,} rows; use at most {rows}"
            )
    for text in cfg.shuffle:
        kind, size = parse_shuffle(text)
        if kind == "buffer" and size > rows:
            raise UsageError(
                f"--shuffle {text}: a buffer larger than the dataset's {rows:,} rows; "
                f"use buffer:{rows} or less (or global)"
            )
    for adapter in adapters:
        refusal = schema_refusal(adapter, schema)
        if refusal:
            raise UsageError(
                f"--formats {adapter.name}: {refusal}; drop it or choose another dataset"
            )


def schema_refusal(adapter: FormatAdapter, schema: Any) -> str:
    """Why the adapter cannot hold a column of ``schema``, for adapters that can tell."""
    check = getattr(adapter, "check_schema", None)
    if check is None:
        return ""
    try:
        check(schema)
    except formats.UnsupportedType as exc:
        return str(exc)
    return ""


def epoch_params(cfg: Any, adapter: FormatAdapter) -> Any:
    """(params, skip reason) for every epoch case of ``adapter``."""
    for b in cfg.batch_size:
        for text in cfg.shuffle:
            for w in cfg.loader_workers:
                params: tuple = (("batch_size", b), ("shuffle", text), ("loader_workers", w))
                params += (("decode", True),) if cfg.decode else ()
                params += (("order_from", cfg.order_from),) if cfg.order_from else ()
                yield params, _skip(cfg, adapter, text)


def _skip(cfg: Any, adapter: FormatAdapter, shuffle: str) -> str | None:
    """Why the case cannot run as asked (it is listed, with this reason)."""
    if cfg.order_from and cfg.order_from != adapter.name and not adapter.is_native("take"):
        return f"{adapter.name} has no random access: it cannot replay another loader's order"
    if cfg.order_from is None and shuffle == "global" and not loader.global_mode(adapter):
        return (
            f"{adapter.name} streams its shards sequentially: no global shuffle; "
            "use --shuffle buffer:N"
        )
    return None
