"""Peak memory of one case, measured in a short-lived process that never ran the operation.

Measured after the timed rounds, in the worker, a peak is too low: the allocators already
hold what the operation needs (RSS does not grow), and pyarrow's IO context (pre-buffered
Parquet reads) allocates from the pool it captured at start-up, which a proxy pool installed
later never sees. So the case is rebuilt in a fresh interpreter, the dataset loaded and its
scratch memory returned, the operation run once untimed on another, small file (so the
library's import and first-call setup are in the baseline, recorded apart as
``import_bytes``), and only then is the operation run once, under a proxy pool and an RSS
sampler. That process is a fork of a server that imported fmtbench once
(suite/probe_pool.py); ``python -m benchmarks.suite.fresh`` runs the same measurement in a
cold interpreter (a pickled request on stdin, one JSON line on stdout).
"""

from __future__ import annotations

import gc
import hashlib
import json
import pickle
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.suite.probe_pool import probe

#: What ``memory_method`` says for each way the peak was taken.
FRESH_PROCESS = (
    "fresh-process: max(proxy pool peak, RSS growth, result size), above a baseline with "
    "the library imported and warmed up by one call on another file (import_bytes)"
)
IN_PROCESS = "in-process after timing: max(proxy pool peak, RSS growth, result size)"
STREAMED = "streamed, during the timed rounds: max(proxy pool peak, RSS growth); peak_rss_bytes"

#: Rows of the case's table the warm-up call writes or reads (another, small file).
WARM_UP_ROWS = 1_000

#: A memory probe that takes longer than this is abandoned (the in-process figure is kept).
TIMEOUT_S = 900.0


def _source_file(env: Any, cfg: Any) -> Path:
    """The case's table as an uncompressed Arrow IPC file, written once per dataset key:
    the child loads it with one copy, no decoding, so loading leaves no freed scratch."""
    key = repr((env.case.dataset, env.case.rows, cfg.sample, cfg.seed))
    digest = hashlib.sha1(key.encode()).hexdigest()[:12]
    path = Path(env.workdir) / f".fmtbench-memory-{digest}.arrow"
    if not path.exists():
        import pyarrow as pa

        tmp = path.with_suffix(".part")
        with (
            pa.OSFile(str(tmp), "wb") as sink,
            pa.ipc.new_file(sink, env.dataset.table.schema) as w,
        ):
            w.write_table(env.dataset.table)
        tmp.rename(path)
    return path


def fresh_peak(cfg: Any, env: Any) -> dict[str, Any]:
    """``peak_memory_bytes`` of one execution of ``env.case`` in a fresh process, above a
    baseline where the library is imported and warmed up, and that footprint as
    ``import_bytes`` (RuntimeError if the probe fails). The parent's prepared file is
    reused, so the child writes nothing first."""
    ds = env.dataset
    request = {
        "cfg": cfg,
        "case": env.case,
        "workdir": env.workdir,
        "prepared": None if env.case.op == "write" else env.prepared(),
        "source": _source_file(env, cfg),
        "dataset": (ds.name, ds.source, ds.params),
        "options": env.adapter.options,
    }
    return probe(measure_request, request, TIMEOUT_S)


def _load(request: dict[str, Any]) -> Any:
    """The case's table, from the parent's IPC file."""
    import pyarrow as pa

    with pa.OSFile(str(request["source"])) as f:
        return pa.ipc.open_file(f).read_all()


def _child_env(request: dict[str, Any], table: Any, warm_up: bool = False) -> Any:
    """The parent's case rebuilt around ``table``; ``warm_up``: on a few rows of it, in a
    folder of its own, so the warm-up call reads and writes another file."""
    import formats
    from benchmarks.datasets import Dataset
    from benchmarks.suite.ops import CaseEnv
    from benchmarks.suite.prepared import PreparedFiles, apply_threads

    case, cfg, workdir = request["case"], request["cfg"], Path(request["workdir"])
    name, source, params = request["dataset"]
    if warm_up:
        table, workdir = table.slice(0, WARM_UP_ROWS), workdir / "fmtbench-warm-up"
        workdir.mkdir(exist_ok=True)
    dataset = Dataset(name, source, table, params)
    adapter = formats.get(case.adapter, request["options"])
    adapter.know_source(table)
    apply_threads(case.threads, adapter)  # the same thread pools as the timed rounds
    prepared = PreparedFiles(workdir)
    if request["prepared"] is not None and not warm_up:
        prepared.adopt(case, request["prepared"])
        adapter.adopt_written(request["prepared"])
    path = lambda: prepared.get(case, adapter, table, name)  # noqa: E731
    return CaseEnv(case, adapter, dataset, workdir, cfg.cache, cfg.seed, path)


def _warm_up(request: dict[str, Any], table: Any) -> str:
    """One untimed, unmeasured call of the operation on another, small file: the library
    is imported and its lazy state (thread pools, allocator arenas, caches) made before
    the measured call. '' when done, else why not (the measured call then pays it)."""
    from benchmarks.suite.operations import build_operation

    try:
        op = build_operation(_child_env(request, table, warm_up=True))
        args, kwargs = op.setup()
        try:
            result = op.fn(*args, **kwargs)
            for _ in result if isinstance(result, Iterator) else ():
                pass
            del result
        finally:
            op.cleanup()
    except Exception as exc:  # a warm-up is a courtesy: the measurement still runs
        return f"{type(exc).__name__}: {exc}"
    return ""


def _settled_rss() -> int:
    """Resident bytes once garbage, the C heap's free memory and Arrow's unused pool
    memory are given back: what the process holds, not what it could reuse."""
    import psutil
    import pyarrow as pa

    from benchmarks.suite.measure import trim_malloc

    gc.collect()
    pa.default_memory_pool().release_unused()
    trim_malloc()
    return psutil.Process().memory_info().rss


def measure_request(request: dict[str, Any]) -> dict[str, Any]:
    """Load the data, warm the library up on another file, then measure one execution
    above that baseline; the Arrow default pool's new peak counts too (the IO context and
    pre-buffering allocate there, not from a proxy pool)."""
    import pyarrow as pa

    from benchmarks.suite.measure import measure_peak_memory
    from benchmarks.suite.operations import build_operation

    table = _load(request)
    before = _settled_rss()
    warm_error = _warm_up(request, table)
    op = build_operation(_child_env(request, table))
    args, kwargs = op.setup()
    imported = _settled_rss() - before  # the library imported and warmed, its setup kept
    pool = pa.default_memory_pool()
    held, before_peak = pool.bytes_allocated(), pool.max_memory()
    try:
        peak = measure_peak_memory(lambda: op.fn(*args, **kwargs))
    finally:
        op.cleanup()  # a write's output: the parent's next round starts from no file
    arrow = pool.max_memory() - held if pool.max_memory() > before_peak else 0
    out: dict[str, Any] = {"peak_memory_bytes": max(peak, arrow), "import_bytes": max(0, imported)}
    return out | ({"memory_warm_up_error": warm_error} if warm_error else {})


def main() -> int:
    """Child entry point: pickled request on stdin, ``{"peak_memory_bytes": N}`` on stdout."""
    request = pickle.loads(sys.stdin.buffer.read())
    print(json.dumps(measure_request(request)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
