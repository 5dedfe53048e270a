"""Time each group of cases once, interleaved, and hand every case's test its own result.

pytest runs one test per case (ids, journal and results stay one entry per case). The
first test of a group (the worker runs a group's cases adjacently, plugin.py) times the
whole group, suite/interleave.py, then measures each member untimed (round trip, memory,
sizes); every member's test then records its own rounds into its pytest-benchmark
fixture: ``stats`` are pytest-benchmark's own, computed from exactly those rounds.
A member that fails or is skipped raises in its own test; the others are unaffected.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from benchmarks.storage import counting
from benchmarks.storage.cost import cost_info
from benchmarks.suite import execute as ex
from benchmarks.suite.cases import Case, default_threads
from benchmarks.suite.config import TABLE_OPS, RunConfig
from benchmarks.suite.fresh import STREAMED
from benchmarks.suite.groups import INFLIGHT_ENV, PROCESS, group_key, group_label, interleave_mode
from benchmarks.suite.interleave import Member, time_interleaved, time_one_after_another
from benchmarks.suite.measure import MemoryWatch, measure_peak_memory, throughputs, trim_malloc
from benchmarks.suite.operations import build_operation
from benchmarks.suite.ops import Operation
from benchmarks.suite.prepared import PreparedFiles, apply_threads
from benchmarks.suite.rounds import (
    MIN_ROUNDS,
    collected,
    interval_info,
    is_auto,
    pilot_runner,
    share,
)
from benchmarks.suite.switches import settle_wanted
from formats.base import path_bytes

#: Time budget per take case: enough calls for a p99, without 50 full reads of a CSV.
TAKE_BUDGET_S = 5.0
#: An error the member's own test raises: a failure, or pytest's skip.
_CAUGHT = (Exception, pytest.skip.Exception)


@dataclass
class CaseRun:
    """One member of a group: its case, what it needs, and what it measured."""

    case: Case
    info: dict[str, Any] = field(default_factory=dict)
    env: Any = None
    op: Operation | None = None
    member: Member | None = None
    restore: Callable[[], None] = lambda: None
    release: Callable[[], None] = lambda: None
    data: list[float] = field(default_factory=list)
    error: BaseException | None = None


class GroupTimings:
    """Per worker session: the groups of the cases it runs, each timed at its first test."""

    def __init__(self, cfg: RunConfig, workdir: Path, prepared: PreparedFiles,
                 cases: list[Case]) -> None:  # fmt: skip
        self.cfg, self.workdir, self.prepared = cfg, workdir, prepared
        self.groups: dict[tuple, list[Case]] = {}
        for case in cases:
            if not case.skip:
                self.groups.setdefault(group_key(case), []).append(case)
        self.done: dict[str, CaseRun] = {}
        #: tells this worker's rounds from another's: ratios pair rounds of one process
        self.token = f"{os.getpid()}-{time.time_ns()}"

    def record(self, benchmark: Any, case: Case) -> None:
        """Time ``case``'s group if not yet done, then give ``benchmark`` the case's result."""
        if case.id not in self.done:
            members = self.groups.get(group_key(case), [])
            self.run_group([c for c in members if c.id not in self.done] or [case])
        run = self.done.pop(case.id)
        benchmark.group = f"{case.op} {run.info.get('dataset', case.dataset)}"
        benchmark.extra_info.update(run.info)
        if run.error is not None:
            raise run.error
        record_rounds(benchmark, run.data)

    def run_group(self, cases: list[Case]) -> None:
        """Time ``cases`` together, then measure each untimed; results into ``done``."""
        self.prepared.keep_only(cases)
        runs = [self._prepare(c, own_folder=len(cases) > 1) for c in cases]
        alive = [r for r in runs if r.error is None]
        try:
            self._time(alive)
            for run in alive:
                self._finish(run)
        finally:
            for run in reversed(runs):
                _quietly(run.release)
                if run.op is not None:
                    _quietly(run.op.cleanup)
                _quietly(run.restore)
            _inflight(None)
            pa.default_memory_pool().release_unused()
            trim_malloc()  # every group starts from the same heap, whatever ran before
        for run in runs:
            self.done[run.case.id] = run

    def _prepare(self, case: Case, own_folder: bool) -> CaseRun:
        """The case's environment, operation, extra_info known before timing, round count."""
        run = CaseRun(case)
        cfg = self.cfg
        try:
            run.env = ex.make_env(cfg, case, self.workdir, self.prepared, own_folder)
            run.info.update(ex.base_info(run.env))
            run.info.update(ex.storage_info(cfg, case))
            run.op = build_operation(run.env)
            run.info.update(run.op.info)
            run.info["native"] = run.op.native
            run.restore = apply_threads(case.threads, run.env.adapter)
            run.info["threads"] = case.threads or default_threads()
            procs = cfg.process_count()
            run.info.update(group=group_label(case), group_size=len(self.groups.get(
                group_key(case), [case])), group_worker=self.token,
                interleave=interleave_mode(case, cfg.stream))  # fmt: skip
            timed, setup, run.release = one_result_at_a_time(run.op)
            fixed = fixed_rounds(cfg, case, run.op)
            run.member = Member(_runner(case, timed, setup), fixed, cfg.case_budget / procs)
        except _CAUGHT as exc:
            run.error = exc
        return run

    def _time(self, runs: list[CaseRun]) -> None:
        """The timed rounds of every member, interleaved per round or per process."""
        if not runs:
            return
        cfg = self.cfg
        settle_disk()
        members = [r.member for r in runs if r.member is not None]
        rng = random.Random(f"{cfg.seed}:{cfg.part}:{group_label(runs[0].case)}")
        warmup = cfg.warmup
        if cfg.stream:  # no warm-up with --rounds N: the first pass is what a user meets
            warmup = 0 if not is_auto(cfg.rounds) else 1
        spread = (cfg.process_count(), cfg.part)
        if interleave_mode(runs[0].case, cfg.stream) == PROCESS:
            watched = {id(r.member): r for r in runs}
            around = (lambda m: _watch_memory(watched[id(m)])) if cfg.stream else None
            time_one_after_another(members, rng, warmup, *spread, around=around)
        else:
            time_interleaved(members, rng, warmup, *spread)
        for run in runs:
            m = run.member
            assert m is not None
            run.error = m.error
            run.data = m.data
            if m.error is None:
                run.info.update(interval_info(m.data, m.planned, len(m.pilot), m.fixed,
                                              m.budget_s))  # fmt: skip

    def _finish(self, run: CaseRun) -> None:
        """Untimed, after every round: memory, sizes, round trip, throughput of one member."""
        if run.error is not None:
            return
        try:
            _inflight(run.case.id)
            run.release()
            self._measure(run)
            _derived(run)
        except _CAUGHT as exc:
            run.error = exc

    def _measure(self, run: CaseRun) -> None:
        cfg, op, info = self.cfg, run.op, run.info
        assert op is not None
        first = cfg.part == 0  # the other processes only time: their extra_info is not kept
        if first and not cfg.stream:
            args, kwargs = op.setup()
            with counting(ex.counters_url(cfg)) as traffic:  # one untimed call, counted
                info["peak_memory_bytes"] = measure_peak_memory(lambda: op.fn(*args, **kwargs))
            info.update(ex.traffic_info(traffic, run.case.op, op.info.get("data_bytes")))
        info.update(op.after())
        if first:
            info.update(ex.round_trip_info(op))
        info.update(ex.io_info(run.env))
        if first:  # the probe's files (the source copy, its write) in the worker's folder
            probe_env = dataclasses.replace(run.env, workdir=self.workdir)
            info.update(ex.fresh_memory(cfg, run.case, probe_env))
        if "file_bytes" not in info:
            info["file_bytes"] = path_bytes(run.env.prepared())
        info.update(cost_info(info, cfg.prices(), run.case.op in TABLE_OPS))


def _derived(run: CaseRun) -> None:
    """Keys that follow from the rounds: take's percentiles, append's rows/s, MB/s."""
    info, data = run.info, run.data
    if not data:
        return
    median = float(np.median(data))
    if run.case.op == "take":
        info.update(lookups=len(data), p50_s=float(np.percentile(data, 50)),
                    p99_s=float(np.percentile(data, 99)))  # fmt: skip
    if run.case.op == "append" and median > 0:  # every append and the close, per round
        info["rows_per_s"] = info["rows_appended"] / median
    io = {"bytes_read": info["bytes_read"]} if "bytes_read" in info else {}
    op = run.case.op
    info.update(throughputs(op, info.get("data_bytes"), info.get("file_bytes"), io, median))


def _watch_memory(run: CaseRun) -> contextlib.AbstractContextManager[None]:
    """Stream cases: memory is watched over the timed rounds themselves, no extra run.

    A streamed case moves the whole dataset (minutes at SF 10), so running it again for
    memory would double the run.
    """

    @contextlib.contextmanager
    def watch() -> Iterator[None]:
        with MemoryWatch() as w:
            yield
        run.info.update(peak_memory_bytes=w.growth, peak_rss_bytes=w.peak_rss,
                        memory_method=STREAMED)  # fmt: skip

    return watch()


def record_rounds(benchmark: Any, data: list[float]) -> None:
    """The rounds as the fixture's own stats, as ``pedantic`` would have made them.

    ``pedantic`` can only time what it calls itself, one case at a time; rounds taken
    interleaved are added to pytest-benchmark's Metadata the way pedantic adds its own
    (``_make_stats`` then ``update`` per round), so median, iqr, rounds and data are
    pytest-benchmark's statistics of exactly these rounds.
    """
    if getattr(benchmark, "disabled", False):
        return
    benchmark._mode = "benchmark.pedantic(...)"  # the fixture was used, once
    stats = benchmark._make_stats(1)
    for duration in data:
        stats.update(duration)


def fixed_rounds(cfg: RunConfig, case: Case, op: Operation) -> int | None:
    """This worker's rounds: the configured number (None: auto), or for take enough for a
    p99; each of the case's worker processes runs its share (the runner pools them)."""
    procs = cfg.process_count()
    if case.id in cfg.part_rounds:  # a later process: as many rounds as the first one
        return cfg.part_rounds[case.id]
    if case.op != "take":
        return None if is_auto(cfg.rounds) else share(cfg.rounds, cfg.part, procs)
    least = MIN_ROUNDS if is_auto(cfg.rounds) else cfg.rounds
    args, kwargs = op.setup()
    start = time.perf_counter()
    op.fn(*args, **kwargs)
    one = max(time.perf_counter() - start, 1e-6)
    return share(int(min(cfg.lookups, max(least, TAKE_BUDGET_S // one))), cfg.part, procs)


def one_result_at_a_time(op: Operation) -> tuple[Any, Any, Any]:
    """Wrap the op so each round's result is freed in the next round's (untimed) setup.

    Only one result is alive at a time, across the whole group too: a 1 GB read must not
    need 2 GB plus the dataset. Freeing in setup keeps deallocation out of the timer.
    """
    held: list[Any] = []

    def timed(*args: Any, **kwargs: Any) -> None:
        held.append(op.fn(*args, **kwargs))

    def setup() -> tuple[tuple, dict]:
        held.clear()
        return op.setup()

    return timed, setup, held.clear


def _runner(case: Case, timed: Callable[..., Any], setup: Callable[[], Any]) -> Callable[[], float]:
    """One round: the case named as in flight, setup and a full collection, then the call
    timed with gc off (pytest-benchmark's regime with the suite's gc switch)."""
    once = pilot_runner(timed, collected(setup))

    def run_once() -> float:
        _inflight(case.id)
        return once()

    return run_once


def settle_disk() -> None:
    """Write every dirty page out before a group's rounds, untimed.

    Preparing a group writes its input files (and the memory probe a source copy); the
    kernel flushes them some 30 s later, in the background, during whatever group is timed
    then: on two cores that writeback competes with the timed calls and lands on some
    cases and not others (the first worker process, which also prepares and probes, timed
    writes up to 1.4x slower than the second). ``FMTBENCH_SETTLE=0`` skips it.
    """
    if settle_wanted():
        os.sync()


def _inflight(case_id: str | None) -> None:
    """Name the case whose call runs now (for the runner, should the worker die in it)."""
    path = os.environ.get(INFLIGHT_ENV)
    if not path:
        return
    with contextlib.suppress(OSError):
        Path(path).write_text(case_id or "")


def _quietly(fn: Callable[[], Any]) -> None:
    """Cleanup that must not hide the case's own result."""
    with contextlib.suppress(Exception):
        fn()
