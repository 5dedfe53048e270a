"""Table operations: commit, update, delete, merge, time_travel, compact (issue 26).

Each round starts (untimed) from a fresh table written by the adapter, so every round
times the same change on the same state. The library's own calls are in the table
protocol (formats/tables.py); this module times them, counts the files and bytes each
change wrote, and checks the result against the in-memory oracle (table_oracle.py)
before the next round and after the last: a mismatch fails the case naming it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchmarks.suite import table_oracle as oracle
from benchmarks.suite.ops import CaseEnv, Operation, case_dir
from formats.base import exists, remove_path
from formats.table_store import Ident, is_remote, listing
from formats.tables import TableOps, table_ops

FileIds = dict[str, tuple[Ident, int]]


def file_ids(path: Any) -> FileIds:
    """Every file of the table -> (identity, size): a rewritten file differs (local: inode
    and mtime; object storage: ETag)."""
    return listing(path)


def written_since(before: FileIds, path: Any) -> dict[str, int]:
    """Files (data and metadata) created or rewritten since ``before``, and their bytes."""
    after = file_ids(path)
    new = [entry for name, entry in after.items() if before.get(name) != entry]
    return {"files_written": len(new), "bytes_written": sum(size for _, size in new)}


def table_path(env: CaseEnv) -> Any:
    """Where the case's table goes: under the run's work dir, or its object-storage prefix."""
    name = f"table-{env.adapter.file_name(env.dataset.name, env.case.codec)}"
    if is_remote(env.workdir):
        return env.workdir / name
    return case_dir(Path(env.workdir), env.case) / name


class TableCase:
    """One table case's state: the library, the table's directory, the oracle's table."""

    def __init__(self, env: CaseEnv) -> None:
        ops = table_ops(env.adapter)
        if ops is None:
            raise ValueError(f"{env.adapter.name} is not a table format")
        self.ops: TableOps = ops
        self.env = env
        self.base = env.dataset.table
        self.plan = oracle.plan(self.base)
        self.path = table_path(env)
        self.expected: pa.Table | None = None  # the oracle's state after the timed op
        self.before: FileIds = {}
        self.checked: dict[str, Any] = {}

    def fresh(self, commits: int = 0) -> None:
        """The dataset as a new table (untimed); with ``commits``, the rows split into one
        write and ``commits`` appends (many small files, as commits leave them)."""
        a, table = self.env.adapter, self.base
        if not commits:
            a.write(table, self.path, self.env.case.codec)
            return
        step = max(1, table.num_rows // (commits + 1))
        a.write(table.slice(0, step), self.path, self.env.case.codec)
        for i in range(1, commits + 1):
            length = step if i < commits else table.num_rows
            self.ops.append_commit(self.path, table.slice(i * step, length))

    def verify(self, what: str) -> dict[str, Any]:
        """The table on disk against the oracle (untimed); OracleMismatch names the gap."""
        if self.expected is None or not exists(self.path):
            return self.checked
        got = self.env.adapter.read(self.path)
        self.checked = oracle.check(got, self.expected, self.plan.value, what)
        return self.checked

    def files_info(self) -> dict[str, Any]:
        """Files written by the last op, and the table's data and metadata afterwards."""
        info = written_since(self.before, self.path)
        info.update(self.ops.files(self.path).as_info())
        info["file_bytes"] = info["all_bytes"]
        return info

    def notes(self) -> dict[str, Any]:
        """What the library does for this op, for the results."""
        return {"change_mode": self.ops.change_mode, "table_library": self.env.adapter.engine}

    def cleanup(self) -> None:
        """The table's directory goes, after a failure too."""
        remove_path(self.path)


def _changing(tc: TableCase, what: str, prepare: Callable[[], None]) -> Callable[[], Any]:
    """A setup: check the previous round's result, then a fresh table and its file list."""

    def setup() -> tuple[tuple, dict]:
        tc.verify(what)
        prepare()
        tc.before = file_ids(tc.path)
        return (), {}

    return setup


def op_change(env: CaseEnv) -> Operation:
    """update / delete / merge of ``--change`` of the rows, as one commit."""
    tc = TableCase(env)
    op, fraction = env.case.op, env.case.param["change"]
    p = tc.plan
    predicate = oracle.change_predicate(tc.base, p.where, fraction)
    info: dict[str, Any] = {"change": fraction, "data_bytes": tc.base.nbytes, **tc.notes()}
    if op == "update":
        tc.expected = oracle.updated(tc.base, predicate, p.value, 1)
        fn = lambda: tc.ops.update(tc.path, predicate, p.value, 1)  # noqa: E731
    elif op == "delete":
        tc.expected = oracle.deleted(tc.base, predicate)
        fn = lambda: tc.ops.delete(tc.path, predicate)  # noqa: E731
    else:
        rows = oracle.merge_rows(tc.base, p, fraction, env.seed, tc.ops.merge_cap)
        tc.expected = oracle.merged(tc.base, rows, p.key)
        fn = lambda: tc.ops.merge(tc.path, rows, p.key)  # noqa: E731
        info |= {"merge_key": ",".join(p.key), "rows_changed": rows.num_rows}
        if tc.ops.merge_cap and rows.num_rows < round(fraction * tc.base.num_rows):
            info |= {"merge_capped": True, "merge_cap_reason": tc.ops.merge_cap_reason}
    if op != "merge":
        info |= {"predicate": predicate.to_sql(), "value_column": p.value}
        info["rows_changed"] = int(pc.sum(oracle.selected(tc.base, predicate)).as_py() or 0)
    expected = tc.expected
    tc.expected = None  # nothing to check before the first round

    def prepare() -> None:
        tc.fresh()
        tc.expected = expected

    def after() -> dict[str, Any]:
        return tc.files_info() | tc.verify(f"{op} of {fraction:g} of the rows")

    setup = _changing(tc, f"{op} of {fraction:g} of the rows", prepare)
    return Operation(fn, setup, info, after, cleanup=tc.cleanup)


def op_commit(env: CaseEnv) -> Operation:
    """``commits`` appends of ``batch_rows`` rows, each one transaction; p50/p99 per commit."""
    tc = TableCase(env)
    rows, commits = env.case.param["batch_rows"], env.case.param["commits"]
    n = tc.base.num_rows
    batches = [tc.base.slice((i * rows) % n, rows) for i in range(commits)]
    expected = pa.concat_tables([tc.base, *batches])
    runs: list[list[float]] = []

    def commit_all() -> int:
        latencies = []
        for batch in batches:
            start = time.perf_counter()
            tc.ops.append_commit(tc.path, batch)
            latencies.append(time.perf_counter() - start)
        runs.append(latencies)
        return len(latencies)

    def prepare() -> None:
        tc.fresh()
        tc.expected = expected

    def after() -> dict[str, Any]:
        timed = np.concatenate(runs[:-1] or runs)  # the last run is the memory probe's
        info = {
            "commit_p50_s": float(np.percentile(timed, 50)),
            "commit_p99_s": float(np.percentile(timed, 99)),
        }
        return info | tc.files_info() | tc.verify(f"{commits} commits of {rows} rows")

    info = {"commits": commits, "rows_committed": sum(b.num_rows for b in batches)}
    info |= {"data_bytes": sum(b.nbytes for b in batches), **tc.notes()}
    setup = _changing(tc, f"{commits} commits of {rows} rows", prepare)
    return Operation(commit_all, setup, info, after, cleanup=tc.cleanup)


def op_time_travel(env: CaseEnv) -> Operation:
    """Read the table as it was ``versions_back`` commits ago, on a table of the source and
    ``commits`` appends of 1% of the rows: the result must equal the oracle's state then
    (the source and ``commits - versions_back`` appends)."""
    tc = TableCase(env)
    back, commits = env.case.param["versions_back"], env.case.param["commits"]
    extra = tc.base.slice(0, max(1, tc.base.num_rows // 100))
    then = pa.concat_tables([tc.base] + [extra] * (commits - back))
    ready: list[bool] = []

    def setup() -> tuple[tuple, dict]:
        if not ready:  # a read: one table serves every round
            tc.fresh()
            for _ in range(commits):
                tc.ops.append_commit(tc.path, extra)
            tc.ops.check_back(tc.path, back)  # NoHistory naming the depth, before timing
            ready.append(True)
        return (tc.path, back), {}

    def after() -> dict[str, Any]:
        got = tc.ops.read_back(tc.path, back)
        checked = oracle.check(got, then, tc.plan.value, f"time travel {back} versions back")
        files = tc.ops.files(tc.path).as_info()
        return (
            checked | files | {"history": tc.ops.history(tc.path), "file_bytes": files["all_bytes"]}
        )

    info = {"versions_back": back, "commits": commits, "data_bytes": then.nbytes, **tc.notes()}
    # a table's files come back in any order (delta-rs): both sides in the key's order
    order = [(k, "ascending") for k in tc.plan.key]
    canonical = then.sort_by(order)
    return Operation(
        tc.ops.read_back, setup, info, after, cleanup=tc.cleanup,
        expected=lambda a: canonical, normalise=lambda t: t.sort_by(order),
    )  # fmt: skip


def op_compact(env: CaseEnv) -> Operation:
    """Compact a table of ``commits`` small files; untimed: reads before and after, then
    vacuum (timed once) and the files it deleted."""
    tc = TableCase(env)
    commits = env.case.param["commits"]
    reads: dict[str, float] = {}
    before: dict[str, Any] = {}

    def prepare() -> None:
        tc.fresh(commits)
        tc.expected = tc.base
        before.update(tc.ops.files(tc.path).as_info("before_"))
        reads["read_before_s"] = _timed(lambda: env.adapter.read(tc.path))

    def after() -> dict[str, Any]:
        info = dict(before) | tc.files_info()
        info["read_after_s"] = _timed(lambda: env.adapter.read(tc.path))
        start = time.perf_counter()
        info |= {f"vacuum_{k}": v for k, v in tc.ops.vacuum(tc.path).items()}
        info["vacuum_s"] = time.perf_counter() - start
        info |= tc.ops.files(tc.path).as_info("after_vacuum_")
        return reads | info | tc.verify("compact and vacuum")

    def compact() -> dict[str, Any]:
        return tc.ops.compact(tc.path)

    info = {"commits": commits, "data_bytes": tc.base.nbytes, **tc.notes()}
    info |= {"compact_note": tc.ops.compact_note, "vacuum_note": tc.ops.vacuum_note}
    setup = _changing(tc, "compact", prepare)
    return Operation(compact, setup, info, after, cleanup=tc.cleanup)


def _timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


TABLE_OPERATIONS: dict[str, Callable[[CaseEnv], Operation]] = {
    "commit": op_commit,
    "update": op_change,
    "delete": op_change,
    "merge": op_change,
    "time_travel": op_time_travel,
    "compact": op_compact,
}


def build_table_op(env: CaseEnv) -> Operation:
    """The Operation of a table case (its params say which change and how much)."""
    return TABLE_OPERATIONS[env.case.op](env)
