"""Longevity (LST-Bench's term): how reads decay as commits pile up, and what compaction
recovers. One scripted sequence per table format:

    load; R rounds of {K commits of B rows, an update, a delete}; compact (+ vacuum)

with, after the load, each round and the compaction: read and scan time (median of a
few untimed-by-pytest reads), data files, metadata files and bytes, and the oracle check
(row count and sum equal to the same sequence applied to an Arrow table). Machine load
moves the times: compare formats within one sequence run, never across machines.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

import formats
from benchmarks.suite import table_oracle as oracle
from formats.base import Filter, remove_path
from formats.tables import TableOps, table_ops


@dataclass(frozen=True)
class Sequence:
    """The shape of one longevity run."""

    rounds: int = 5
    commits: int = 20  # per round
    batch_rows: int = 100
    change: float = 0.01  # of the rows, for each round's update and delete
    reads: int = 3  # reads per measurement; the median is kept


@dataclass
class Point:
    """The table after one phase of the sequence."""

    adapter: str
    phase: str  # load | round N | compact
    commits: int  # commits since the load
    rows: int
    read_s: float
    scan_s: float
    data_files: int
    metadata_files: int
    metadata_bytes: int
    all_bytes: int


def _median_s(fn: Callable[[], Any], times: int) -> float:
    taken = []
    for _ in range(times):
        start = time.perf_counter()
        fn()
        taken.append(time.perf_counter() - start)
    return float(np.median(taken))


class Longevity:
    """One format's sequence, checked against the Arrow oracle after every phase."""

    def __init__(self, adapter_name: str, table: pa.Table, workdir: Path, seq: Sequence) -> None:
        self.adapter = formats.get(adapter_name)
        ops = table_ops(self.adapter)
        if ops is None:
            raise ValueError(f"{adapter_name} is not a table format")
        self.ops: TableOps = ops
        self.base, self.seq = table, seq
        self.plan = oracle.plan(table)
        self.path = Path(workdir) / f"longevity-{self.adapter.file_name('t')}"
        self.state = table  # the oracle's table
        self.commits = 0
        self.scan = oracle.change_predicate(table, self.plan.where, 0.01)
        self.points: list[Point] = []

    def run(self) -> list[Point]:
        """The whole sequence; the table is removed afterwards."""
        try:
            self.adapter.write(self.base, self.path)
            self.measure("load")
            for r in range(1, self.seq.rounds + 1):
                self.one_round(r)
                self.measure(f"round {r}")
            self.ops.compact(self.path)
            self.ops.vacuum(self.path)
            self.measure("compact")
        finally:
            remove_path(self.path)
        return self.points

    def one_round(self, r: int) -> None:
        """K commits, an update of the same (top) rows each round, a delete of the next
        (bottom) slice."""
        n, b = self.base.num_rows, self.seq.batch_rows
        for _ in range(self.seq.commits):
            batch = self.base.slice((self.commits * b) % n, b)
            self.ops.append_commit(self.path, batch)
            self.state = pa.concat_tables([self.state, batch])
            self.commits += 1
        where = self._update_slice()
        self.ops.update(self.path, where, self.plan.value, 1)
        self.state = oracle.updated(self.state, where, self.plan.value, 1)
        gone = self._delete_slice(r)
        self.ops.delete(self.path, gone)
        self.state = oracle.deleted(self.state, gone)
        self.commits += 2

    def _update_slice(self) -> Filter:
        """The top ``change`` of the predicate column: the deletes never reach it."""
        ordered = np.sort(self.base.column(self.plan.where).to_numpy())
        cut = ordered[min(len(ordered) - 1, int((1 - self.seq.change) * len(ordered)))]
        return Filter(self.plan.where, ">=", cut.item())

    def _delete_slice(self, r: int) -> Filter:
        """Round r deletes ``where <= cut`` at quantile r*change: a new slice each round."""
        return oracle.change_predicate(self.base, self.plan.where, min(1.0, r * self.seq.change))

    def measure(self, phase: str) -> None:
        """Oracle check, then read/scan medians and the files."""
        got = self.adapter.read(self.path)
        oracle.check(got, self.state, self.plan.value, f"{self.adapter.name} after {phase}")
        del got
        files = self.ops.files(self.path)
        self.points.append(
            Point(
                self.adapter.name,
                phase,
                self.commits,
                self.state.num_rows,
                _median_s(lambda: self.adapter.read(self.path), self.seq.reads),
                _median_s(lambda: self.adapter.scan(self.path, self.scan), self.seq.reads),
                files.data_files,
                files.metadata_files,
                files.metadata_bytes,
                files.all_bytes,
            )  # fmt: skip
        )


def summarise(points: list[Point]) -> dict[str, Any]:
    """Per format: read-time growth per 100 commits (relative to the load's read, from a
    least-squares slope over the rounds) and the share of that growth compaction recovers."""
    rounds = [p for p in points if p.phase != "compact"]
    compacted = next((p for p in points if p.phase == "compact"), None)
    x = np.array([p.commits for p in rounds], dtype=float)
    y = np.array([p.read_s for p in rounds])
    first, last = y[0], y[-1]
    slope = float(np.polyfit(x, y, 1)[0]) if len(x) > 1 and np.ptp(x) > 0 else 0.0
    grown = last - first
    recovery = None
    if compacted is not None and grown > 0:
        recovery = (last - compacted.read_s) / grown
    return {
        "adapter": points[0].adapter,
        "commits": int(x[-1]),
        "read_load_s": float(first),
        "read_last_round_s": float(last),
        "read_compacted_s": compacted.read_s if compacted else None,
        "degradation_per_100_commits": slope * 100 / first if first > 0 else math.nan,
        "compaction_recovery": recovery,
        "data_files_last_round": rounds[-1].data_files,
        "metadata_bytes_last_round": rounds[-1].metadata_bytes,
    }


def run_all(adapters: list[str], table: pa.Table, workdir: Path, seq: Sequence) -> dict[str, Any]:
    """Every format's sequence, one after the other; a failure is recorded, not raised."""
    points: list[dict[str, Any]] = []
    summaries, failures = [], {}
    for name in adapters:
        try:
            found = Longevity(name, table, workdir, seq).run()
        except Exception as exc:  # noqa: BLE001 - one format's failure is its result
            failures[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            continue
        points += [asdict(p) for p in found]
        summaries.append(summarise(found))
    return {"sequence": asdict(seq), "points": points, "summary": summaries, "failed": failures}
