"""The ``epoch`` operation: one full pass of shuffled mini-batches, as a training loop reads.

A case is (batch size, shuffle, loader workers[, decode][, order-from]). The timed call is
a whole epoch through ``benchmarks.suite.loader``; ``extra_info`` records samples/s, time
to the first batch, p50/p99 of the gaps between batches, the loader workers' peak RSS and
the shuffle quality of the order actually delivered (``benchmarks.suite.shuffle``).
``--order-from ADAPTER`` replays the order that adapter's own loader delivered, by take,
so formats can be compared on the very same batches.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import numpy as np

import formats
from benchmarks.suite import loader
from benchmarks.suite.epoch_cases import parse_shuffle
from benchmarks.suite.ops import CaseEnv, Operation, reader_setup
from benchmarks.suite.shuffle import shuffle_quality
from formats.base import FormatAdapter, remove_path


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
