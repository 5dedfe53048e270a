"""Run one case under pytest-benchmark: time the operation, then size and memory it.

The test function in ``test_formats.py`` is a one-liner over ``run_case`` so the suite
stays a plain pytest-benchmark suite (``pytest benchmarks/``) while the logic is testable.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

import formats
from benchmarks.storage import counting
from benchmarks.suite.cases import Case, case_info, default_threads
from benchmarks.suite.config import RunConfig
from benchmarks.suite.data import load, staged
from benchmarks.suite.fresh import FRESH_PROCESS, IN_PROCESS, STREAMED, fresh_peak
from benchmarks.suite.measure import MemoryWatch, measure_peak_memory, throughputs, trim_malloc
from benchmarks.suite.operations import build_operation
from benchmarks.suite.ops import CaseEnv, Operation
from benchmarks.suite.prepared import PreparedFiles, apply_threads
from benchmarks.suite.rounds import MIN_ROUNDS, is_auto, share, time_adaptive
from formats.base import path_bytes
from formats.fidelity import compare_tables

#: Time budget per take case: enough calls for a p99, without 50 full reads of a CSV.
TAKE_BUDGET_S = 5.0


def storage_root(cfg: RunConfig, workdir: Path) -> Any:
    """Where the case's files go: ``workdir``, or the run's prefix on object storage."""
    if not cfg.storage_runtime:
        return workdir
    from benchmarks.storage import StoreRuntime, root_location

    return root_location(StoreRuntime(**cfg.storage_runtime))


def make_env(cfg: RunConfig, case: Case, workdir: Path, prepared: PreparedFiles) -> CaseEnv:
    """Everything an operation needs for ``case``."""
    adapter = formats.get(case.adapter, dict(case.options))
    if cfg.stream:
        dataset: Any = staged(cfg, case.dataset, case.rows, workdir)
        check_disk_for_stream(
            adapter, case.op, dataset.nbytes, prepared.existing_bytes(case), workdir
        )
    else:
        dataset = load(cfg, case.dataset, case.rows)
        # like-for-like reads: the reader knows the source as a user would, decided untimed
        adapter.know_source(dataset.table)

    def prepared_path() -> Path:
        source = dataset if cfg.stream else dataset.table
        return prepared.get(case, adapter, source, dataset.name)

    root = storage_root(cfg, workdir)
    return CaseEnv(case, adapter, dataset, root, cfg.cache, cfg.seed, prepared_path)


#: File bytes per Arrow byte to expect, by encoding (CSV/JSON Lines run to ~3x at worst).
_FILE_FACTOR = {"text": 3.0, "binary": 1.5}


def check_disk_for_stream(
    adapter: formats.FormatAdapter, op: str, nbytes: int, existing: int | None, workdir: Path
) -> None:
    """Skip (with the reason) a stream case whose new file would not fit on the disk.

    A read whose file is already written needs nothing more; a write needs one more file,
    as large as the one already written, or as the encoding's worst case for ``nbytes``.
    """
    import shutil

    import pytest

    estimate = (
        existing if existing is not None else _FILE_FACTOR.get(adapter.encoding, 3.0) * nbytes
    )
    need = estimate if op == "write" or existing is None else 0
    free = shutil.disk_usage(workdir).free
    if need > free:
        pytest.skip(
            f"not enough free disk in {workdir} for {adapter.name}: about {need / 1e9:.1f} GB "
            f"needed, {free / 1e9:.1f} GB free; pass --workdir on a larger disk"
        )


def base_info(env: CaseEnv) -> dict[str, Any]:
    """The result contract's extra_info keys known before the case runs."""
    ds = env.dataset
    info: dict[str, Any] = {
        **case_info(env.case),
        "dataset": ds.name,
        "source": ds.source,
        "rows": ds.num_rows,
        "cache": env.cache,
        "arrow_bytes": ds.nbytes,
    }
    # the knobs in force, including those decided from the data (newlines_in_values)
    info["options"] = {**info.get("options", {}), **env.adapter.options}
    if "sample" in ds.params:
        info["sample"] = ds.params["sample"]
    if "sample_compression" in ds.params:
        delta = ds.params["sample_compression"]
        info["sample_source_ratio"] = delta["full_ratio"]
        info["sample_ratio"] = delta["sample_ratio"]
    return info


def _rounds(cfg: RunConfig, case: Case, op: Operation) -> int | None:
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


def run_case(benchmark: Any, cfg: RunConfig, case: Case, env: CaseEnv) -> None:
    """Time ``case`` with ``benchmark.pedantic``; fill extra_info per the result contract."""
    benchmark.extra_info.update(base_info(env))
    benchmark.extra_info.update(storage_info(cfg, case))
    benchmark.group = f"{case.op} {env.dataset.name}"
    op = build_operation(env)
    benchmark.extra_info.update(op.info)
    benchmark.extra_info["native"] = op.native
    restore = apply_threads(case.threads, env.adapter)
    benchmark.extra_info["threads"] = case.threads or default_threads()
    try:
        _time_and_measure(benchmark, cfg, case, op)
        if cfg.part == 0:  # the other processes only time: memory and fidelity once a case
            benchmark.extra_info.update(round_trip_info(op))
        benchmark.extra_info.update(_io_info(env))
        if cfg.part == 0:
            benchmark.extra_info.update(_fresh_memory(cfg, case, env))
    finally:
        restore()
        op.cleanup()
        # hand memory the allocator kept back to the OS: every case starts from the same
        # state, whatever ran before it, and a large dataset does not pile up RSS
        pa.default_memory_pool().release_unused()
        trim_malloc()
    if "file_bytes" not in benchmark.extra_info:
        benchmark.extra_info["file_bytes"] = path_bytes(env.prepared())
    if case.op == "take":
        _latency_percentiles(benchmark)
    if case.op == "append":  # sustained: every append and the close, per timed round
        rows = benchmark.extra_info["rows_appended"]
        benchmark.extra_info["rows_per_s"] = rows / benchmark.stats.stats.median
    _throughput_info(benchmark, case)


def _throughput_info(benchmark: Any, case: Case) -> None:
    """Logical (Arrow) and physical (file) MB/s from the median, per the result contract."""
    info = benchmark.extra_info
    io = {"bytes_read": info["bytes_read"]} if "bytes_read" in info else {}
    median = benchmark.stats.stats.median
    info.update(throughputs(case.op, info.get("data_bytes"), info.get("file_bytes"), io, median))


def _time_and_measure(benchmark: Any, cfg: RunConfig, case: Case, op: Operation) -> None:
    """The timed rounds, then one untimed run for peak memory, then what ``after`` knows."""
    rounds = _rounds(cfg, case, op)
    timed, setup, release = _one_result_at_a_time(op)
    procs = cfg.process_count()
    budget = cfg.case_budget / procs  # the case's budget, split over its processes
    if cfg.stream:
        _time_streaming(benchmark, timed, setup, budget, rounds, (procs, cfg.part))
        release()
        benchmark.extra_info.update(op.after())
        return
    info = time_adaptive(benchmark, timed, setup, budget, fixed=rounds, warmup_min=cfg.warmup,
                         processes=procs, part=cfg.part)  # fmt: skip
    benchmark.extra_info.update(info)
    release()
    args, kwargs = op.setup()
    with counting(_counters_url(cfg)) as traffic:  # one untimed call, counted at the proxy
        peak = measure_peak_memory(lambda: op.fn(*args, **kwargs))
    benchmark.extra_info["peak_memory_bytes"] = peak
    benchmark.extra_info.update(traffic_info(traffic, case.op, op.info.get("data_bytes")))
    benchmark.extra_info.update(op.after())


def _time_streaming(
    benchmark: Any,
    timed: Any,
    setup: Any,
    budget: float,
    rounds: int | None,
    spread: tuple[int, int] = (1, 0),
) -> None:
    """Stream cases: memory is watched over the timed rounds themselves, no extra run.

    A streamed case moves the whole dataset (minutes at SF 10), so running it again for
    memory would double the run; and with ``--rounds N`` there is no warm-up either: the
    first pass over data much larger than any cache is what a user meets.
    """
    warmup = 0 if rounds is not None else 1
    with MemoryWatch() as watch:
        info = time_adaptive(benchmark, timed, setup, budget, fixed=rounds, warmup_min=warmup,
                             processes=spread[0], part=spread[1])  # fmt: skip
    benchmark.extra_info.update(info)
    benchmark.extra_info["peak_memory_bytes"] = watch.growth
    benchmark.extra_info["peak_rss_bytes"] = watch.peak_rss
    benchmark.extra_info["memory_method"] = STREAMED


def _fresh_memory(cfg: RunConfig, case: Case, env: CaseEnv) -> dict[str, Any]:
    """The peak from a process that never ran the operation, and how it was taken.

    Kept apart from the timing: a probe that fails leaves the in-process figure, labelled.
    """
    local = getattr(cfg, "storage", "local") in (None, "local")
    if cfg.stream:  # measured during the timed rounds (_time_streaming)
        return {}
    if cfg.memory != "fresh" or not local:  # the probe rebuilds a local table
        return {"memory_method": IN_PROCESS}
    try:
        peak = fresh_peak(cfg, env)
    except (RuntimeError, OSError, subprocess.TimeoutExpired, ValueError) as exc:
        return {"memory_method": IN_PROCESS, "memory_probe_error": str(exc)}
    return {"peak_memory_bytes": peak, "memory_method": FRESH_PROCESS}


def round_trip_info(op: Operation) -> dict[str, Any]:
    """Once per read case, untimed: did the adapter return the source unchanged?

    One more call, compared with the source (with the case's selection) by the fidelity
    comparator; only one result is alive, the timed rounds' results are already freed.
    """
    if op.expected is None:
        return {}
    args, kwargs = op.setup()
    back = op.fn(*args, **kwargs)
    if op.normalise is not None:
        back = op.normalise(back)
    status, changes = compare_tables(op.expected(args), back)
    del back
    if status == "lossless":
        return {"round_trip": status}
    return {"round_trip": status, "round_trip_change": changes[0], "round_trip_changes": changes}


def storage_info(cfg: RunConfig, case: Case) -> dict[str, Any]:
    """The storage axis of a case: where its files lived and the latency added per request.

    The case's latency is set at the proxy here, before anything of the case touches the
    store, and recorded as the proxy confirms it.
    """
    info: dict[str, Any] = {"storage": cfg.storage}
    if cfg.storage == "local":
        return info
    info["storage_latency_ms"] = case.latency_ms or 0.0
    if cfg.storage_bandwidth_mb_s:
        info["storage_bandwidth_mb_s"] = cfg.storage_bandwidth_mb_s
    url = _counters_url(cfg)
    if url:
        from benchmarks.storage import set_latency

        info["storage_latency_ms"] = set_latency(url, case.latency_ms or 0.0)["latency_ms"]
    return info


def _counters_url(cfg: RunConfig) -> str | None:
    return (cfg.storage_runtime or {}).get("counters")


def traffic_info(traffic: dict[str, Any], op: str, data_bytes: int | None) -> dict[str, Any]:
    """requests/bytes of one call; for reads, bytes fetched per Arrow byte asked for."""
    if not traffic:
        return {}
    info = dict(traffic)
    if op != "write" and data_bytes:
        info["fetch_amplification"] = traffic["bytes_fetched"] / data_bytes
    return info


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
