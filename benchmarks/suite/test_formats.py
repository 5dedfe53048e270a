"""The benchmark suite: one parametrized case per (dataset, rows, adapter, codec, operation).

Cases come from ``benchmarks.suite.cases.build_cases``; see conftest.py for the options.
The cases a ranking compares are timed together, interleaved (suite/groups.py).
"""

from __future__ import annotations

from benchmarks.suite.cases import Case
from benchmarks.suite.timing import GroupTimings


def test_format(benchmark, fb_skip, fb_case: Case, fb_groups: GroupTimings) -> None:
    """Record one case (its group timed at the group's first case); extra_info carries the
    result contract's keys."""
    fb_groups.record(benchmark, fb_case)
