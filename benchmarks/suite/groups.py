"""Which cases a ranking compares, and the shuffled order their rounds run in.

A *group* is the cases of one run that differ only in format, engine, codec or layout knob
(``--option``, ``--files``, ``--partition-by``): the same dataset, rows, operation,
parameters, threads and storage latency (the cache mode is the run's). The worker times a
group's cases together, their rounds interleaved, so drift that lands on the machine during
the group (another process, CPU frequency, page-cache pressure) lands on every format of
the ranking alike, and the ratio between two formats holds where their medians move.

Two ways to interleave:

- ``round`` (most operations): round r of every case runs back to back, in a newly
  shuffled order each round (A C B, B A C, ...). A case that needs fewer rounds (a slow
  one, by its budget) drops out of the later rounds; the others go on, still shuffled.
- ``process`` (append, every ``--stream`` case): setup is heavy (a file grown by
  thousands of appends, a pass over data larger than memory), so each case runs all its
  rounds at once, the cases in a shuffled order per worker process; the ratio between two
  of them is then taken per process, not per round.

Pure functions: the schedule is decided from a seeded generator, so tests can hold it.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from typing import Any

from benchmarks.suite.cases import Case

ROUND = "round"
PROCESS = "process"
#: Operations whose setup is too heavy to repeat per round for every case of a group.
PROCESS_OPS = frozenset({"append"})
#: The runner names this file (environment variable) so a crash is charged to the case
#: whose call was running (run/watch.py).
INFLIGHT_ENV = "FMTBENCH_INFLIGHT"
#: Parameters that tell how a format does the operation, not what is asked of it: cases
#: that differ in them are compared (each format at its best way of appending).
VARIANT_PARAMS = frozenset({"append_mode"})


def group_key(case: Case) -> tuple[Any, ...]:
    """What the cases of one group share: everything but adapter, codec and layout knobs."""
    params = tuple((k, v) for k, v in case.params if k not in VARIANT_PARAMS)
    return (case.dataset, case.rows, case.op, params, case.threads, case.latency_ms)


def group_label(case: Case) -> str:
    """The group's readable id: the case id with format, codec and knobs as ``*``:
    ``mixed@1000/*/*/read_column[column=id]`` (threads and latency kept when set)."""
    rows = "default" if case.rows is None else str(case.rows)
    params = [(k, v) for k, v in case.params if k not in VARIANT_PARAMS]
    args = ",".join(f"{k}={v}" for k, v in params)
    op = f"{case.op}[{args}]" if args else case.op
    tuned = [f"threads={case.threads}"] if case.threads else []
    if case.latency_ms is not None:
        tuned.append(f"latency={case.latency_ms:g}ms")
    star = "*{" + ",".join(tuned) + "}" if tuned else "*"
    return f"{case.dataset}@{rows}/{star}/*/{op}"


def interleave_mode(case: Case, stream: bool = False) -> str:
    """``round`` or ``process`` (see the module docstring)."""
    return PROCESS if stream or case.op in PROCESS_OPS else ROUND


def by_group(cases: Iterable[Case]) -> list[list[Case]]:
    """The cases as groups, each in run order, groups in the order their first case comes."""
    groups: dict[tuple[Any, ...], list[Case]] = {}
    for case in cases:
        groups.setdefault(group_key(case), []).append(case)
    return list(groups.values())


def grouped_order(cases: list[Case]) -> list[Case]:
    """``cases`` reordered so every group's cases are adjacent (the worker's run order).

    Threads stay the outer order: a worker runs one thread count (polars sizes its pool
    at import), and build_cases puts threads outermost already.
    """
    return [case for group in by_group(cases) for case in group]


def schedule(counts: list[int], rng: random.Random) -> list[list[int]]:
    """Per round, the members (indices into ``counts``) that run in it, shuffled.

    Member i takes part in rounds 0..counts[i]-1, so every member runs each of its rounds
    exactly once and rounds r of two members are always taken side by side.
    """
    order = []
    for r in range(max(counts, default=0)):
        members = [i for i, n in enumerate(counts) if n > r]
        rng.shuffle(members)
        order.append(members)
    return order


def member_folder(case: Case) -> str:
    """A folder name unique to a case's file layout within its group: two engines of one
    format (parquet-pyarrow, parquet-polars) write files of the same name."""
    knobs = ",".join(f"{k}={v}" for k, v in case.options)
    layout = [case.adapter, knobs, f"files{case.files}" if case.files else "",
              f"by-{case.partition_by}" if case.partition_by else ""]  # fmt: skip
    name = "-".join(part for part in layout if part)
    return re.sub(r"[^A-Za-z0-9._=,-]+", "-", name).strip("-") or "case"
