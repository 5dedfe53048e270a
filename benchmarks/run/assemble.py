"""Turn a run's journal into one pytest-benchmark-shaped results file.

Passed cases are pytest-benchmark's own entries; failed cases become entries with
``extra_info.error`` and no ``stats`` (a results file must never invent a timing);
skipped cases are listed with their reason under ``fmtbench.skipped``.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from pytest_benchmark import __version__ as pytest_benchmark_version
from pytest_benchmark.plugin import pytest_benchmark_generate_machine_info
from pytest_benchmark.utils import get_commit_info

import formats
from benchmarks.run.merge import merge_entries
from benchmarks.run.parts import case_parts, final_parts
from benchmarks.run.ratios import add_ratios
from benchmarks.suite import machine
from benchmarks.suite.cases import Case, case_info
from benchmarks.suite.config import RunConfig


def _failed_entry(case: Case, record: dict[str, Any], cache: str) -> dict[str, Any]:
    partial = (record.get("entry") or {}).get("extra_info") or {}
    extra = {**case_info(case), "cache": cache, **partial, "error": record.get("error", "failed")}
    return {"group": f"{case.op} {extra['dataset']}", "name": case.id, "fullname": case.id,
            "params": None, "extra_info": extra, "stats": None}  # fmt: skip


def _which_process(record: dict[str, Any], part: int, processes: int) -> dict[str, Any]:
    """A failure in a later process says which: the case passed in the ones before."""
    if part < 2:
        return record
    return {**record, "error": f"in process {part} of {processes}: {record.get('error', 'failed')}"}


def _noise_control(records: list[dict[str, Any]]) -> dict[str, Any]:
    """What the (last) worker applied against noise: CPU set, gc, warm-up rule."""
    starts = [
        r["noise_control"] for r in records if r.get("event") == "start" and "noise_control" in r
    ]
    return starts[-1] if starts else {}


def assemble(
    records: list[dict[str, Any]], cfg: RunConfig, cases: list[Case], header: dict[str, Any]
) -> dict[str, Any]:
    """The results document for ``cases`` from journal ``records``."""
    final = final_parts(records)
    processes = cfg.process_count()
    benchmarks, failed, skipped = [], [], []
    for case in cases:
        parts = case_parts(case, final, processes)
        if not parts:
            continue
        record = parts[-1]  # only the last part can have failed or been skipped
        if record["status"] == "passed":
            benchmarks.append(merge_entries([r["entry"] for r in parts]))
        elif record["status"] == "skipped":
            skipped.append({"id": case.id, "reason": record.get("reason", "")})
        else:
            record = _which_process(record, len(parts), processes)
            benchmarks.append(_failed_entry(case, record, cfg.cache))
            failed.append({"id": case.id, "error": record.get("error", "failed")})
    add_ratios(benchmarks)  # each case against its group's fastest, rounds side by side
    info = pytest_benchmark_generate_machine_info()
    info.update(header.get("machine") or machine.describe())
    info["noise_control"] = _noise_control(records)
    started = header.get("started", time.time())
    return {
        "machine_info": info,
        "commit_info": get_commit_info(),
        "benchmarks": benchmarks,
        "datetime": dt.datetime.now(dt.UTC).isoformat(),
        "version": pytest_benchmark_version,
        "fmtbench": {
            "schema_version": machine.SCHEMA_VERSION,
            "config": cfg.__dict__,
            "failed": failed,
            "skipped": skipped,
            "ceilings": header.get("ceilings", {}),
            "machine_label": machine.label(),
            # each adapter's declared facts, for analysis where it is not installed
            "adapters": {
                name: formats.registry[name].facts()
                for name in dict.fromkeys(c.adapter for c in cases)
                if name in formats.registry
            },
            "wall_s": time.time() - started,
            # how busy the machine was: a run that shared its cores is not a reference
            "load_before": header.get("load_before"),
            "load_after": machine.load(),
        },
    }
