"""A case's surroundings: its prepared file, environment, extra_info, memory and round trip.

The timing itself is suite/timing.py's (a group's cases interleaved, suite/groups.py); the
test function in ``test_formats.py`` is a one-liner over it, so the suite stays a plain
pytest-benchmark suite (``pytest benchmarks/``) while the logic is testable.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import formats
from benchmarks.suite.cases import Case, case_info
from benchmarks.suite.config import RunConfig
from benchmarks.suite.data import load, staged
from benchmarks.suite.fresh import FRESH_PROCESS, IN_PROCESS, fresh_peak
from benchmarks.suite.groups import member_folder
from benchmarks.suite.ops import CaseEnv, Operation
from benchmarks.suite.prepared import PreparedFiles
from formats.fidelity import round_trip


def storage_root(cfg: RunConfig, workdir: Path) -> Any:
    """Where the case's files go: ``workdir``, or the run's prefix on object storage."""
    if not cfg.storage_runtime:
        return workdir
    import dataclasses

    from benchmarks.storage import StoreRuntime, root_location

    root = root_location(StoreRuntime(**cfg.storage_runtime))
    return dataclasses.replace(root, scratch=str(workdir))  # local: Iceberg's catalog


def make_env(
    cfg: RunConfig, case: Case, workdir: Path, prepared: PreparedFiles, own_folder: bool = False
) -> CaseEnv:
    """Everything an operation needs for ``case``; with ``own_folder`` the case's outputs
    (a write's file) go to a folder of its own, apart from the other cases of its group."""
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
    if own_folder:
        root = root / member_folder(case)
        if isinstance(root, Path):
            root.mkdir(parents=True, exist_ok=True)
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


def fresh_memory(cfg: RunConfig, case: Case, env: CaseEnv) -> dict[str, Any]:
    """The peak from a process that never ran the operation, and how it was taken.

    Kept apart from the timing: a probe that fails leaves the in-process figure, labelled.
    Measured by part 0 only (the other processes only time).
    """
    local = getattr(cfg, "storage", "local") in (None, "local")
    if cfg.stream:  # measured during the timed rounds (_time_streaming)
        return {}
    if cfg.memory != "fresh" or not local:  # the probe rebuilds a local table
        return {"memory_method": IN_PROCESS}
    try:
        probe = fresh_peak(cfg, env)
    except (RuntimeError, OSError, subprocess.TimeoutExpired, ValueError) as exc:
        return {"memory_method": IN_PROCESS, "memory_probe_error": str(exc)}
    return {**probe, "memory_method": FRESH_PROCESS}


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
    verdict = round_trip(op.expected(args), back)
    del back
    return verdict.info()


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
    url = counters_url(cfg)
    if url:
        from benchmarks.storage import set_latency

        info["storage_latency_ms"] = set_latency(url, case.latency_ms or 0.0)["latency_ms"]
    return info


def counters_url(cfg: RunConfig) -> str | None:
    return (cfg.storage_runtime or {}).get("counters")


def traffic_info(traffic: dict[str, Any], op: str, data_bytes: int | None) -> dict[str, Any]:
    """requests/bytes of one call; for reads, bytes fetched per Arrow byte asked for."""
    if not traffic:
        return {}
    info = dict(traffic)
    if op != "write" and data_bytes:
        info["fetch_amplification"] = traffic["bytes_fetched"] / data_bytes
    return info


def io_info(env: CaseEnv) -> dict[str, Any]:
    """What the last access touched (bytes, row groups), when the adapter could tell."""
    return {k: int(v) for k, v in env.adapter.last_io.items()}
