"""Run one case under pytest-benchmark: time the operation, then size and memory it.

The test function in ``test_formats.py`` is a one-liner over ``run_case`` so the suite
stays a plain pytest-benchmark suite (``pytest benchmarks/``) while the logic is testable.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

import formats
from benchmarks.suite.cases import Case, case_info, default_threads
from benchmarks.suite.config import RunConfig
from benchmarks.suite.data import load
from benchmarks.suite.measure import measure_peak_memory
from benchmarks.suite.ops import CaseEnv, Operation, build_operation, case_dir, keep_files
from formats.base import path_bytes, remove_path

#: Time budget per take case: enough calls for a p99, without 50 full reads of a CSV.
TAKE_BUDGET_S = 5.0


class PreparedFiles:
    """The dataset written once per (dataset, rows, adapter, codec), outside any timer.

    Only the latest file is kept (unless ``--keep-files``): cases come grouped by that key,
    and a large dataset written to fourteen formats would otherwise fill the disk.
    """

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self._key: tuple | None = None
        self._path: Path | None = None

    def get(self, case: Case, env_adapter: formats.FormatAdapter, table: Any, stem: str) -> Path:
        """Path of the file for ``case``, writing it if this key is new."""
        key = (case.dataset, case.rows, case.adapter, case.codec, case.options)
        if key != self._key:
            if self._path is not None and not keep_files():
                remove_path(self._path)
            self._key, self._path = None, None  # a failed write must fail the next case too
            path = case_dir(self.workdir, case) / env_adapter.file_name(stem, case.codec)
            env_adapter.write(table, path, case.codec)
            self._key, self._path = key, path
        assert self._path is not None
        return self._path


def make_env(cfg: RunConfig, case: Case, workdir: Path, prepared: PreparedFiles) -> CaseEnv:
    """Everything an operation needs for ``case``."""
    adapter = formats.get(case.adapter, dict(case.options))
    dataset = load(cfg, case.dataset, case.rows)

    def prepared_path() -> Path:
        return prepared.get(case, adapter, dataset.table, dataset.name)

    return CaseEnv(case, adapter, dataset, workdir, cfg.cache, cfg.seed, prepared_path)


def base_info(env: CaseEnv) -> dict[str, Any]:
    """The result contract's extra_info keys known before the case runs."""
    ds = env.dataset
    info: dict[str, Any] = {
        **case_info(env.case),
        "dataset": ds.name,
        "source": ds.source,
        "rows": ds.table.num_rows,
        "cache": env.cache,
        "arrow_bytes": ds.table.nbytes,
    }
    if "sample" in ds.params:
        info["sample"] = ds.params["sample"]
    if "sample_compression" in ds.params:
        delta = ds.params["sample_compression"]
        info["sample_source_ratio"] = delta["full_ratio"]
        info["sample_ratio"] = delta["sample_ratio"]
    return info


def _rounds(cfg: RunConfig, case: Case, op: Operation) -> int:
    """Rounds for a case: the configured number, or for take enough calls for a p99."""
    if case.op != "take":
        return cfg.rounds
    args, kwargs = op.setup()
    start = time.perf_counter()
    op.fn(*args, **kwargs)
    one = max(time.perf_counter() - start, 1e-6)
    return int(min(cfg.lookups, max(cfg.rounds, TAKE_BUDGET_S // one)))


def run_case(benchmark: Any, cfg: RunConfig, case: Case, env: CaseEnv) -> None:
    """Time ``case`` with ``benchmark.pedantic``; fill extra_info per the result contract."""
    benchmark.extra_info.update(base_info(env))
    benchmark.group = f"{case.op} {env.dataset.name}"
    op = build_operation(env)
    benchmark.extra_info.update(op.info)
    benchmark.extra_info["native"] = op.native
    restore = apply_threads(case.threads, env.adapter)
    benchmark.extra_info["threads"] = case.threads or default_threads()
    try:
        _time_and_measure(benchmark, cfg, case, op)
        benchmark.extra_info.update(_io_info(env))
    finally:
        restore()
        op.cleanup()
        # hand memory the allocator kept back to the OS: every case starts from the same
        # state, whatever ran before it, and a large dataset does not pile up RSS
        pa.default_memory_pool().release_unused()
    if "file_bytes" not in benchmark.extra_info:
        benchmark.extra_info["file_bytes"] = path_bytes(env.prepared())
    if case.op == "take":
        _latency_percentiles(benchmark)


def apply_threads(threads: int | None, adapter: formats.FormatAdapter) -> Any:
    """Size the engines' thread pools for one case; returns the function that undoes it.

    pyarrow's CPU and IO pools are process-wide and resizable; an adapter whose engine
    has its own pool (DuckDB) takes it through ``set_threads``. polars fixes its pool at
    import, so the runner starts a worker per thread count with POLARS_MAX_THREADS set.
    """
    if threads is None:
        return lambda: None
    cpu, io = pa.cpu_count(), pa.io_thread_count()
    pa.set_cpu_count(threads)
    pa.set_io_thread_count(threads)
    setter = getattr(adapter, "set_threads", None)
    if setter is not None:
        setter(threads)

    def restore() -> None:
        pa.set_cpu_count(cpu)
        pa.set_io_thread_count(io)

    return restore


def _time_and_measure(benchmark: Any, cfg: RunConfig, case: Case, op: Operation) -> None:
    """The timed rounds, then one untimed run for peak memory, then what ``after`` knows."""
    rounds = _rounds(cfg, case, op)
    timed, setup, release = _one_result_at_a_time(op)
    benchmark.pedantic(timed, setup=setup, rounds=rounds, warmup_rounds=cfg.warmup)
    release()
    args, kwargs = op.setup()
    benchmark.extra_info["peak_memory_bytes"] = measure_peak_memory(lambda: op.fn(*args, **kwargs))
    benchmark.extra_info.update(op.after())


def _one_result_at_a_time(op: Operation) -> tuple[Any, Any, Any]:
    """Wrap the op so each round's result is freed in the next round's (untimed) setup.

    pytest-benchmark keeps the previous round's return value until the next round has
    finished, so two full tables would be alive at once: a 1 GB read would need 2 GB
    plus the dataset. Freeing in setup keeps deallocation out of the timer, as before.
    """
    held: list[Any] = []

    def timed(*args: Any, **kwargs: Any) -> None:
        held.append(op.fn(*args, **kwargs))

    def setup() -> tuple[tuple, dict]:
        held.clear()
        return op.setup()

    return timed, setup, held.clear


def _io_info(env: CaseEnv) -> dict[str, Any]:
    """What the last access touched (bytes, row groups), when the adapter could tell."""
    return {k: int(v) for k, v in env.adapter.last_io.items()}


def _latency_percentiles(benchmark: Any) -> None:
    """p50/p99 of per-call latency from the raw round timings pytest-benchmark kept."""
    data = np.asarray(benchmark.stats.stats.data)
    benchmark.extra_info["lookups"] = len(data)
    benchmark.extra_info["p50_s"] = float(np.percentile(data, 50))
    benchmark.extra_info["p99_s"] = float(np.percentile(data, 99))
