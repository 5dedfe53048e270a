"""Overhead check: the suite's timing of an adapter against its library called directly.

The suite must measure the format, not fmtbench's glue, and each adapter's defaults must be
its library's. For each adapter and core operation this times the suite's own
``Operation`` (the exact callable pytest-benchmark times) and the library called with its
DEFAULTS (benchmarks/suite/direct_calls.py) in shuffled pairs: every round runs both, in an
order drawn afresh (A B, B A, ...), so drift and warm-up land on both alike. The figure is
the median of the per-round ratios adapter / library with its order-statistics interval
(``rounds.median_ci``: 95% from 6 rounds on, else the range with the coverage it has).
Writes differ in layout where an adapter sets a knob (row group size, codec), so their
ratio says what that choice costs, not glue alone.
"""

from __future__ import annotations

import functools
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

import formats
from benchmarks.suite.cases import Case, default_columns
from benchmarks.suite.config import RunConfig
from benchmarks.suite.direct_calls import factories
from benchmarks.suite.execute import PreparedFiles, make_env
from benchmarks.suite.operations import build_operation
from benchmarks.suite.rounds import median_ci
from formats.base import remove_path

#: A timed call and its untimed setup.
Timed = tuple[Callable[[], Any], Callable[[], None]]


@dataclass(frozen=True)
class PairedRatio:
    """One comparison: adapter / library, from rounds run side by side."""

    adapter: str
    op: str
    adapter_s: float  # median of the adapter's rounds
    direct_s: float  # median of the library's rounds
    ratio: float  # median of per-round ratios adapter / library
    low: float
    high: float
    confidence: float  # what low..high covers (order statistics of `pairs` ratios)
    pairs: int


def shuffled_pairs(calls: Sequence[Timed], rounds: int, rng: random.Random) -> list[list[float]]:
    """Seconds per call per round: each round runs every call once, in a shuffled order;
    round 0 warms every path and is dropped."""
    times: list[list[float]] = [[] for _ in calls]
    for i in range(rounds + 1):
        order = list(range(len(calls)))
        rng.shuffle(order)
        for j in order:
            fn, setup = calls[j]
            setup()
            start = time.perf_counter()
            fn()
            elapsed = time.perf_counter() - start
            if i:
                times[j].append(elapsed)
    return times


def paired_ratio(
    mine: Sequence[float], theirs: Sequence[float]
) -> tuple[float, float, float, float]:
    """(median, low, high, confidence) of the per-round ratios mine[r] / theirs[r]."""
    ratios = [a / b for a, b in zip(mine, theirs, strict=True) if b > 0]
    if not ratios:
        raise ValueError("no round with a positive library time to divide by")
    ci = median_ci(ratios)
    return ci.median, ci.low, ci.high, ci.confidence


def compare_case(
    cfg: RunConfig, case: Case, direct: Callable, workdir: Path, rounds: int, seed: int = 0
) -> PairedRatio:
    """The suite's operation and the library's default call for ``case``, paired."""
    import statistics

    env = make_env(cfg, case, workdir, PreparedFiles(workdir))
    op = build_operation(env)
    table, path = env.dataset.table, env.prepared()
    target = workdir / f"direct.{env.adapter.extension}"
    pending: list[Any] = [None]

    def adapter_setup() -> None:
        args, kwargs = op.setup()
        pending[0] = functools.partial(op.fn, *args, **kwargs)

    calls = [(lambda: pending[0](), adapter_setup), _bound(case, direct, table, path, target)]
    try:
        mine, theirs = shuffled_pairs(calls, rounds, random.Random(seed))
    finally:
        op.cleanup()
        remove_path(target)
    ratio, low, high, confidence = paired_ratio(mine, theirs)
    return PairedRatio(case.adapter, case.id.split("/")[-1], statistics.median(mine),
                       statistics.median(theirs), ratio, low, high, confidence,
                       len(mine))  # fmt: skip


def _bound(case: Case, direct: Callable, table: pa.Table, path: Path, target: Path) -> Timed:
    """(call, setup) of a direct library call for the case's operation."""
    if case.op == "write":
        return (lambda: direct(table, target)), (lambda: remove_path(target))
    if case.op == "read":
        return (lambda: direct(path)), (lambda: None)
    column = case.param["column"]
    return (lambda: direct(path, column)), (lambda: None)


def run_comparison(
    rows: int | None,
    rounds: int,
    workdir: Path,
    adapters: list[str] | None = None,
    report: Callable[[PairedRatio], None] = lambda row: None,
    dataset: str = "mixed",
    skipped: Callable[[str, str], None] = lambda name, why: None,
) -> list[PairedRatio]:
    """Every (adapter, core op) with a direct call, on ``dataset`` (a dataset spec); an
    adapter the data does not fit (a type it refuses) is reported to ``skipped``."""
    from benchmarks.suite.data import load

    cfg = RunConfig(datasets=[dataset], rows=[rows])
    table = load(cfg, dataset, rows).table
    results = []
    for name, factory in factories(table, workdir).items():
        if adapters and name not in adapters:
            continue
        if not formats.get(name).available().ok:
            skipped(name, formats.get(name).available().reason)
            continue
        try:
            calls = factory()
            results += _compare_adapter(cfg, name, calls, table, workdir, rounds, report)
        except Exception as exc:  # noqa: BLE001 - one adapter's refusal, the others go on
            skipped(name, f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
    return results


def _compare_adapter(
    cfg: RunConfig,
    name: str,
    calls: dict[str, Callable],
    table: pa.Table,
    workdir: Path,
    rounds: int,
    report: Callable[[PairedRatio], None],
) -> list[PairedRatio]:
    codec = formats.get(name).available_codecs()[0]
    rows = []
    for op, fn in calls.items():
        columns = default_columns(table.schema) if op == "read_column" else [None]
        for column in columns:
            param = (("column", column),) if column else ()
            case = Case(cfg.datasets[0], cfg.rows[0], name, codec, op, param)
            row = compare_case(cfg, case, fn, workdir, rounds)
            rows.append(row)
            report(row)
    return rows
