"""The logging workload: the dataset written as M appends of B rows to one growing output.

The timed callable opens an appender, appends every batch and closes it; the batches are
zero-copy slices cut in the untimed setup. Each append is also timed on its own (two
``perf_counter`` calls, negligible next to any write) for per-append p50/p99. After the
timed rounds, untimed: the bytes on disk, whether every row came back in order, and what
reading the appended output costs against the same rows written in one go.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from benchmarks.suite.cases import default_columns
from benchmarks.suite.ops import CaseEnv, Operation
from formats.base import path_bytes, remove_path
from formats.fidelity import round_trip

#: Appends per case at most: B=1 on a million rows would be a million writes per round,
#: so small batches append only the first MAX_APPENDS * B rows (extra_info says so).
MAX_APPENDS = 2_000
#: Alternating timed reads of the appended output and the one-go file, for their medians.
READBACK_ROUNDS = 3


def appended_rows(table: pa.Table, batch_rows: int) -> pa.Table:
    """The rows a case appends: all of them, or the first MAX_APPENDS batches' worth."""
    return table.slice(0, min(table.num_rows, batch_rows * MAX_APPENDS))


def op_append(env: CaseEnv) -> Operation:
    """Append ``batch_rows`` rows at a time with the case's ``append_mode``."""
    a, codec = env.adapter, env.case.codec
    batch_rows, mode = env.case.param["batch_rows"], env.case.param["append_mode"]
    source = appended_rows(env.dataset.table, batch_rows)
    path = env.workdir / ("append-" + a.file_name(env.dataset.name, codec))
    runs: list[list[float]] = []  # per-append latencies of each execution

    def setup() -> tuple[tuple, dict]:
        remove_path(path)
        batches = [source.slice(i, batch_rows) for i in range(0, source.num_rows, batch_rows)]
        return (batches,), {}

    def append_all(batches: list[pa.Table]) -> int:
        latencies = []
        appender = a.open_appender(path, source.schema, mode, codec)
        for batch in batches:
            start = time.perf_counter()
            appender.append(batch)
            latencies.append(time.perf_counter() - start)
        appender.close()
        runs.append(latencies)
        return len(latencies)

    def after() -> dict[str, Any]:
        # the last execution is the (untimed, sampled) memory run: leave its latencies out
        timed = np.concatenate(runs[:-1] or runs)
        info = {"file_bytes": path_bytes(path), **_percentiles(timed)}
        return info | readback(env, path, mode, source)

    info = {
        "data_bytes": source.nbytes,
        "appends": -(-source.num_rows // batch_rows),
        "rows_appended": source.num_rows,
        "append_capped": source.num_rows < env.dataset.table.num_rows,
    }
    if info["append_capped"]:
        info["append_note"] = f"first {source.num_rows:,} rows: at most {MAX_APPENDS:,} appends"
    return Operation(append_all, setup, info, after, cleanup=lambda: remove_path(path))


def _percentiles(latencies: np.ndarray) -> dict[str, float]:
    return {
        "append_p50_s": float(np.percentile(latencies, 50)),
        "append_p99_s": float(np.percentile(latencies, 99)),
    }


def readback(env: CaseEnv, path: Path, mode: str, source: pa.Table) -> dict[str, Any]:
    """Round trip of the appended output, and its read / read_column cost vs one go."""
    a, codec = env.adapter, env.case.codec
    back = a.read_appended(path, mode)
    info: dict[str, Any] = round_trip(source, back).info()
    del back
    one_go = env.workdir / ("onego-" + a.file_name(env.dataset.name, codec))
    remove_path(one_go)
    a.write(source, one_go, codec)
    column = [default_columns(source.schema)[0]]
    try:
        reads = {
            "read": (lambda: a.read_appended(path, mode), lambda: a.read(one_go)),
            "read_column": (
                lambda: a.read_appended(path, mode, column),
                lambda: a.read_columns(one_go, column),
            ),
        }
        for name, (appended, whole) in reads.items():
            t_app, t_one = _alternate(appended, whole)
            info[f"readback_{name}_s"] = t_app
            info[f"onego_{name}_s"] = t_one
            info[f"readback_{name}_penalty"] = t_app / t_one
        info["onego_file_bytes"] = path_bytes(one_go)
    finally:
        remove_path(one_go)
    return info


def _alternate(first: Any, second: Any) -> tuple[float, float]:
    """Median seconds of each callable, timed alternately so drift hits both alike."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(READBACK_ROUNDS):
        for fn, out in ((first, times[0]), (second, times[1])):
            start = time.perf_counter()
            fn()
            out.append(time.perf_counter() - start)
    return float(np.median(times[0])), float(np.median(times[1]))
