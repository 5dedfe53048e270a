"""Two writers at once: two processes commit to the same table concurrently.

``append``: each writer appends N commits of B rows whose keys are its own (no two
commits share a key), so afterwards every landed commit's rows must be in the table
exactly once and no other new row may be. ``update``: each writer updates the same rows
N times (rewriting the same files), where optimistic concurrency must refuse some
commits. A refused commit is a result (counted, its error's first line kept), not a
crash; a writer process that dies is recorded with its exit code.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

MODES = ("append", "update")
#: Seconds a writer may take before it is stopped (and reported as such).
TIMEOUT_S = 300.0


@dataclass
class Writer:
    """What one writer process saw."""

    writer: int
    landed: list[int] = field(default_factory=list)  # commit numbers that succeeded
    conflicts: list[str] = field(default_factory=list)  # first lines of refused commits
    exitcode: int | None = 0


def tagged(base: pa.Table, key: str, writer: int, commit: int, rows: int) -> pa.Table:
    """``rows`` source rows with ``key`` moved to values only this (writer, commit) uses."""
    top = pc.max(base.column(key)).as_py()
    start = top + 1 + (writer * 1_000_000 + commit) * rows
    batch = base.slice(0, rows)
    i = batch.schema.get_field_index(key)
    values = pa.array(range(start, start + batch.num_rows)).cast(batch.schema.field(i).type)
    return batch.set_column(i, batch.schema.field(i), values)


def _work(job: dict[str, Any], barrier: Any, results: Any) -> None:
    """One writer: wait for the other, then commit ``n`` times; report what happened."""
    import formats
    from formats.base import Filter
    from formats.tables import table_ops

    adapter = formats.get(job["adapter"])
    ops = table_ops(adapter)
    assert ops is not None
    base = pq.read_table(job["source"])
    me = Writer(job["writer"])
    barrier.wait()
    for i in range(job["n"]):
        try:
            if job["mode"] == "append":
                ops.append_commit(job["path"], tagged(base, job["key"], me.writer, i, job["rows"]))
            else:
                ops.update(job["path"], Filter(job["key"], "<=", job["cut"]), job["value"], 1)
        except Exception as exc:  # noqa: BLE001 - a refused commit is the measurement
            text = str(exc).strip().splitlines()
            me.conflicts.append(f"{type(exc).__name__}: {text[0] if text else ''}")
            continue
        me.landed.append(i)
    results.put(asdict(me))


def two_writers(
    adapter_name: str,
    base: pa.Table,
    key: str,
    value: str,
    mode: str,
    n: int,
    rows: int,
    workdir: Path | None = None,
) -> dict[str, Any]:
    """Both writers' reports and the check of the table they left (a fresh temp table,
    in ``workdir`` when given)."""
    import formats
    from formats.base import remove_path

    if mode not in MODES:
        raise ValueError(f"mode {mode!r}: use one of {', '.join(MODES)}")
    adapter = formats.get(adapter_name)
    with tempfile.TemporaryDirectory(prefix="fmtbench-writers-", dir=workdir) as work:
        path = Path(work) / adapter.file_name("t")
        source = Path(work) / "source.parquet"
        adapter.write(base, path)
        pq.write_table(base, source)
        cut = pc.min(base.column(key)).as_py()
        ctx = mp.get_context("spawn")
        barrier, results = ctx.Barrier(2), ctx.Queue()
        jobs = [
            {"adapter": adapter_name, "path": os.fspath(path), "source": os.fspath(source),
             "writer": w, "n": n, "rows": rows, "mode": mode, "key": key, "value": value,
             "cut": cut}
            for w in range(2)
        ]  # fmt: skip
        procs = [ctx.Process(target=_work, args=(j, barrier, results)) for j in jobs]
        for p in procs:
            p.start()
        reports = _collect(procs, results)
        check = _check(adapter, path, base, key, value, mode, reports, rows, cut)
        remove_path(path)
    return {"adapter": adapter_name, "mode": mode, "commits_each": n, "writers": reports} | check


def _collect(procs: list[Any], results: Any) -> list[dict[str, Any]]:
    """Each writer's report; a process that died or hung is reported by its exit code."""
    import queue

    reports: dict[int, dict[str, Any]] = {}
    for _ in procs:
        try:
            got = results.get(timeout=TIMEOUT_S)
        except queue.Empty:
            break
        reports[got["writer"]] = got
    for w, p in enumerate(procs):
        p.join(timeout=10)
        if p.is_alive():
            p.kill()
            p.join()
        if w not in reports:
            reports[w] = asdict(Writer(w, exitcode=p.exitcode))
    return [reports[w] for w in sorted(reports)]


def _check(
    adapter: Any, path: Path, base: pa.Table, key: str, value: str, mode: str,
    reports: list[dict[str, Any]], rows: int, cut: Any,
) -> dict[str, Any]:  # fmt: skip
    """Rows lost or duplicated: every landed commit once, nothing else new."""
    landed = sum(len(r["landed"]) for r in reports)
    conflicts = sum(len(r["conflicts"]) for r in reports)
    info: dict[str, Any] = {"landed": landed, "conflicts": conflicts}
    try:
        table = adapter.read(path)
    except Exception as exc:  # noqa: BLE001 - a table the writers broke is the finding
        text = (str(exc).strip().splitlines() or [""])[0]
        return info | {"ok": False, "lost": None, "duplicated": None, "unreadable": text}
    info["rows"] = table.num_rows
    top = pc.max(base.column(key)).as_py()
    if mode == "append":
        new = table.filter(pc.greater(table.column(key), top)).column(key)
        expected = {
            v
            for r in reports
            for i in r["landed"]
            for v in tagged(base, key, r["writer"], i, rows).column(key).to_pylist()
        }
        got = new.to_pylist()
        info["lost"] = len(expected - set(got))
        info["duplicated"] = len(got) - len(set(got))
        info["unexpected"] = len(set(got) - expected)
    else:
        hit = table.filter(pc.less_equal(table.column(key), cut))
        before = base.filter(pc.less_equal(base.column(key), cut))
        grown = pc.sum(hit.column(value)).as_py() - pc.sum(before.column(value)).as_py()
        per_update = before.num_rows
        info["updates_applied"] = round(grown / per_update) if per_update else 0
        info["lost"] = landed - info["updates_applied"]  # an update that landed but is gone
        info["duplicated"] = table.num_rows - base.num_rows
    info["ok"] = info["lost"] == 0 and info["duplicated"] == 0 and not info.get("unexpected")
    return info
