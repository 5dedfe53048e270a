"""Run one case on the Dask cluster under pytest-benchmark, with the suite's result shape.

The case, its dataset and its extra_info keys are the suite's; only the timed call
differs: Dask's writer or reader on the cluster instead of the adapter in this process.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import formats
from benchmarks.cluster import dask_ops
from benchmarks.storage import counting
from benchmarks.suite import operations
from benchmarks.suite.cases import Case
from benchmarks.suite.config import RunConfig
from benchmarks.suite.data import load
from benchmarks.suite.execute import base_info, storage_info
from benchmarks.suite.measure import measure_peak_memory
from benchmarks.suite.ops import CaseEnv, scan_info, scan_predicate
from benchmarks.suite.rounds import is_auto, time_adaptive
from formats.base import Filter, path_bytes

#: Rows per partition at most; at least two partitions per worker so every worker works.
PARTITION_ROWS = 250_000


def partitions_for(rows: int, workers: int) -> int:
    """Partitions of the dataset: fixed by the data and the run, the same for 1 or 2 workers."""
    return max(4, 2 * workers, math.ceil(rows / PARTITION_ROWS))


class ClusterState:
    """What cases share: the client, the persisted frame and the prepared files (per key)."""

    def __init__(self, client: Any, workdir: Path, workers: int) -> None:
        self.client, self.workdir, self.workers = client, workdir, workers
        self._frame_key: tuple | None = None
        self._frame: Any = None
        self._prepared: dict[tuple, Path] = {}

    def frame(self, case: Case, table: Any) -> Any:
        """The dataset persisted on the workers; the previous dataset is released."""
        key = (case.dataset, case.rows)
        if key != self._frame_key:
            self._frame = None
            parts = partitions_for(table.num_rows, self.workers)
            self._frame, self._frame_key = dask_ops.frame(self.client, table, parts), key
        return self._frame

    def prepared(self, case: Case, adapter: Any, ddf: Any) -> Path:
        """The dataset written once by Dask for the reads of ``case`` (untimed)."""
        key = (case.dataset, case.rows, case.adapter, case.codec)
        if key not in self._prepared:
            for old in self._prepared.values():
                dask_ops.clear(old)
            self._prepared.clear()
            target = self.workdir / f"dask-{case.adapter}-{case.codec}"
            dask_ops.clear(target)
            dask_ops.write(ddf, adapter, target, case.codec)
            self._prepared[key] = target
        return self._prepared[key]


def run_cluster_case(benchmark: Any, cfg: RunConfig, case: Case, state: ClusterState) -> None:
    """Time ``case`` on the cluster; extra_info as the suite's plus engine/workers/partitions."""
    import pytest

    runs_here = operations.cluster_ops()
    if case.op not in runs_here:
        pytest.skip(f"on a cluster only {', '.join(runs_here)} run; {case.op} is local-only")
    adapter = formats.get(case.adapter)
    dataset = load(cfg, case.dataset, case.rows)
    env = CaseEnv(case, adapter, dataset, state.workdir, cfg.cache, cfg.seed, lambda: Path())
    ddf = state.frame(case, dataset.table)
    benchmark.extra_info.update(base_info(env))
    benchmark.extra_info.update(storage_info(cfg, case))
    benchmark.extra_info.update(_cluster_info(cfg, adapter, ddf))
    benchmark.group = f"{case.op} {dataset.name} dask"
    predicate = _predicate(case, dataset.table)
    if predicate is not None:
        benchmark.extra_info.update(_scan_info(case, adapter, dataset.table, predicate))
    fn, setup, target, columns = _job(case, adapter, ddf, state, dataset.table.schema, predicate)
    fixed = None if is_auto(cfg.rounds) else cfg.rounds  # --rounds auto: suite/rounds.py
    budget = cfg.case_budget
    info = time_adaptive(benchmark, fn, setup, budget, fixed=fixed, warmup_min=cfg.warmup)
    benchmark.extra_info.update(info)
    setup()
    held: list[Any] = []
    with counting((cfg.storage_runtime or {}).get("counters")) as traffic:
        peak = measure_peak_memory(lambda: held.append(fn()))
    benchmark.extra_info.update(traffic)
    benchmark.extra_info["peak_memory_bytes"] = peak
    benchmark.extra_info["memory_method"] = "client"  # the workers' memory is their own
    benchmark.extra_info["file_bytes"] = path_bytes(target)
    if predicate is None:
        chosen = dataset.table.select(columns) if columns else dataset.table
        benchmark.extra_info["data_bytes"] = chosen.nbytes
    if case.op != "write":
        expected = benchmark.extra_info.get("rows_selected", dataset.table.num_rows)
        _check_rows(held[0], expected)
        benchmark.extra_info["rows_counted"] = held[0][0]
    if columns:
        benchmark.extra_info["columns"] = ",".join(columns)


def _predicate(case: Case, table: Any) -> Filter | None:
    """The scan's predicate, the same the suite's scan uses on this data; None for others."""
    if case.op != "scan":
        return None
    return scan_predicate(table, case.param["filter"], case.param.get("selectivity"))


def _scan_info(case: Case, adapter: Any, table: Any, predicate: Filter) -> dict[str, Any]:
    """What a cluster scan selects (the suite's own keys) and how Dask applied the predicate."""
    _, info = scan_info(table, predicate, case.param)
    method = dask_ops.filter_method(adapter)
    pushed = method == "read_parquet filters"
    if method == "adapter scan per partition":
        pushed = adapter.is_native("scan")
    # the reader skipped data by the predicate, not filtered after
    return info | {"dask_filter": method, "native": pushed}


def _job(
    case: Case,
    adapter: Any,
    ddf: Any,
    state: ClusterState,
    schema: Any,
    predicate: Filter | None = None,
) -> tuple[Any, Any, Path, Any]:
    """(timed call, per-round setup, where its files are, the columns read)."""
    if case.op == "write":
        target = state.workdir / f"dask-write-{case.adapter}"

        def setup() -> None:
            dask_ops.clear(target)

        return (lambda: dask_ops.write(ddf, adapter, target, case.codec)), setup, target, None
    target = state.prepared(case, adapter, ddf)
    columns = [case.param["column"]] if case.op == "read_column" else None
    numeric = dask_ops.numeric_column(schema, columns)

    def read() -> tuple[int, Any]:
        lazy = dask_ops.read(adapter, target, columns, predicate)
        return dask_ops.reduce_on_cluster(lazy, numeric)

    return read, (lambda: None), target, columns


def _cluster_info(cfg: RunConfig, adapter: Any, ddf: Any) -> dict[str, Any]:
    runtime = cfg.cluster_runtime or {}
    return {
        "engine": "dask",
        "adapter_engine": adapter.engine,
        "dask_writer": dask_ops.dask_format(adapter) or "adapter per partition",
        "cluster": cfg.cluster,
        "workers": runtime.get("workers"),
        "partitions": ddf.npartitions,
    }


def _check_rows(result: tuple[int, Any], expected: int) -> None:
    """A cluster read that loses or duplicates rows is a failed case, not a fast one."""
    if result[0] != expected:
        raise AssertionError(f"the cluster read {result[0]} rows; the dataset has {expected}")
