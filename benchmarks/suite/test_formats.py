"""The benchmark suite: one parametrized case per (dataset, rows, adapter, codec, operation).

Cases come from ``benchmarks.suite.cases.build_cases``; see conftest.py for the options.
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.suite.cases import Case
from benchmarks.suite.config import RunConfig
from benchmarks.suite.execute import PreparedFiles, make_env, run_case


def test_format(
    benchmark,
    fb_skip,
    fb_case: Case,
    fb_config: RunConfig,
    fb_workdir: Path,
    fb_prepared: PreparedFiles,
) -> None:
    """Time one case; extra_info carries the result contract's keys."""
    env = make_env(fb_config, fb_case, fb_workdir, fb_prepared)
    run_case(benchmark, fb_config, fb_case, env)
