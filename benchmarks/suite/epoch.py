"""The ``epoch`` operation: one full pass of shuffled mini-batches, as a training loop reads.

A case is (batch size, shuffle, loader workers[, decode][, order-from]). The timed call is
a whole epoch through ``benchmarks.suite.loader``; ``extra_info`` records samples/s, time
to the first batch, p50/p99 of the gaps between batches, the loader workers' peak RSS and
the shuffle quality of the order actually delivered (``benchmarks.suite.shuffle``).
``--order-from ADAPTER`` replays the order that adapter's own loader delivered, by take,
so formats can be compared on the very same batches.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

import formats
from benchmarks.errors import UsageError
from benchmarks.suite import loader
from benchmarks.suite.ops import CaseEnv, Operation, reader_setup
from benchmarks.suite.shuffle import shuffle_quality
from formats.base import FormatAdapter, remove_path

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


def _reference_batches(env: CaseEnv, p: dict[str, Any]) -> list[np.ndarray]:
    """The batches the --order-from adapter's own loader delivers (its file written aside)."""
    ref = formats.get(p["order_from"])
    folder = Path(tempfile.mkdtemp(prefix="fmtbench-order-", dir=env.workdir))
    path = folder / ref.file_name(env.dataset.name)
    try:
        ref.write(env.dataset.table, path)
        plans, sizes = _plans(ref, path, p, env.seed)
        return _interleave([_plan_positions(plan, sizes) for plan in plans])
    finally:
        remove_path(folder)


def _plan_positions(plan: loader.Plan, sizes: list[int]) -> list[np.ndarray]:
    """The positions of each batch a plan delivers, without reading any data."""
    if plan.mode == "take":
        return list(plan.batches)
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    stream, order = loader.stream_order(plan, starts, sizes)
    delivered = stream[order]
    return [delivered[i : i + plan.batch_size] for i in range(0, len(delivered), plan.batch_size)]


def _interleave(per_worker: list[list[np.ndarray]]) -> list[np.ndarray]:
    """Round-robin over the workers' batches, as the consumer takes them."""
    out, depth = [], max((len(b) for b in per_worker), default=0)
    for i in range(depth):
        out.extend(batches[i] for batches in per_worker if i < len(batches))
    return out


def _plans(
    adapter: FormatAdapter, path: Any, p: dict[str, Any], seed: int
) -> tuple[list, list[int]]:
    kind, size = parse_shuffle(p["shuffle"])
    sizes = loader.unit_rows(adapter, path)
    mode = loader.global_mode(adapter) if kind == "global" else "stream"
    plans = loader.make_plans(kind, size, mode, sizes, p["batch_size"], p["loader_workers"], seed)
    return plans, sizes


def op_epoch(env: CaseEnv) -> Operation:
    """One epoch of shuffled mini-batches through the adapter's natural loader."""
    p, adapter = env.case.param, env.adapter
    workers, decode = p["loader_workers"], bool(p.get("decode"))
    base = reader_setup(env)
    state: dict[str, Any] = {"runs": []}

    def setup() -> tuple[tuple, dict]:
        (path,), _ = base()
        if "plans" not in state:  # once per case, untimed: the plan and its unit sizes
            if p.get("order_from") and p["order_from"] != adapter.name:
                batches = _reference_batches(env, p)
                state["plans"], state["sizes"] = loader.replay_plans(batches, workers), []
            else:
                state["plans"], state["sizes"] = _plans(adapter, path, p, env.seed)
        return (path,), {}

    def epoch(path: Any) -> int:
        run = loader.run_epoch(adapter, path, state["plans"], state["sizes"], workers, decode)
        state["runs"].append(run)
        return run.rows

    info = {"data_bytes": env.dataset.table.nbytes, "samples": env.dataset.num_rows}
    replay = bool(p.get("order_from")) and p["order_from"] != adapter.name
    native = adapter.is_native("take") if replay or _takes(adapter, p) else True
    return Operation(epoch, setup, info, lambda: epoch_info(state["runs"], env), native)


def _takes(adapter: FormatAdapter, p: dict[str, Any]) -> bool:
    return parse_shuffle(p["shuffle"])[0] == "global" and loader.global_mode(adapter) == "take"


def epoch_info(runs: list[loader.EpochRun], env: CaseEnv) -> dict[str, Any]:
    """samples/s, first batch, batch gaps, worker RSS and shuffle quality of the last pass."""
    if not runs:
        return {}
    last = runs[-1]
    order = last.order
    if len(order) != env.dataset.num_rows or len(np.unique(order)) != len(order):
        raise AssertionError(
            f"the epoch delivered {len(order)} rows, not each of {env.dataset.num_rows} once"
        )
    seconds = float(np.median([r.arrivals[-1] for r in runs if r.arrivals]))
    gaps = np.diff([0.0, *last.arrivals])
    return {
        "samples_per_s": last.rows / seconds if seconds > 0 else None,
        "time_to_first_batch": float(np.median([r.arrivals[0] for r in runs if r.arrivals])),
        "batch_p50_s": float(np.percentile(gaps, 50)),
        "batch_p99_s": float(np.percentile(gaps, 99)),
        "batches": len(last.positions),
        "shuffle_quality": shuffle_quality(order),
        "loader_worker_peak_rss_bytes": last.worker_peak_rss or None,
    }
