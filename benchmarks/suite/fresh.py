"""Peak memory of one case, measured in a short-lived process that never ran the operation.

Measured after the timed rounds, in the worker, a peak is too low: the allocators already
hold what the operation needs (RSS does not grow), and pyarrow's IO context (pre-buffered
Parquet reads) allocates from the pool it captured at start-up, which a proxy pool installed
later never sees. So the case is rebuilt in a fresh interpreter, the dataset loaded and its
scratch memory returned, and only then is the operation run once, under a proxy pool and an
RSS sampler. ``python -m benchmarks.suite.fresh`` is that child: a pickled request on stdin,
one JSON line on stdout.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

#: What ``memory_method`` says for each way the peak was taken.
FRESH_PROCESS = "fresh-process: max(proxy pool peak, RSS growth, result size), first execution"
IN_PROCESS = "in-process after timing: max(proxy pool peak, RSS growth, result size)"
STREAMED = "streamed, during the timed rounds: max(proxy pool peak, RSS growth); peak_rss_bytes"

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


def fresh_peak(cfg: Any, env: Any) -> int:
    """Peak bytes of one execution of ``env.case`` in a fresh process (RuntimeError if the
    probe fails). The parent's prepared file is reused, so the child writes nothing first."""
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
    pyenv = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.suite.fresh"],
        input=pickle.dumps(request),
        capture_output=True,
        env=pyenv,
        timeout=TIMEOUT_S,
        check=False,
    )
    lines = proc.stdout.decode(errors="replace").strip().splitlines()
    if proc.returncode != 0 or not lines:
        last = (proc.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"memory probe exited {proc.returncode}: {last}")
    return int(json.loads(lines[-1])["peak_memory_bytes"])


def _child_env(request: dict[str, Any]) -> Any:
    """The parent's case rebuilt around the table loaded from the IPC file."""
    import pyarrow as pa

    import formats
    from benchmarks.datasets import Dataset
    from benchmarks.suite.ops import CaseEnv
    from benchmarks.suite.prepared import PreparedFiles, apply_threads

    case, cfg, workdir = request["case"], request["cfg"], Path(request["workdir"])
    with pa.OSFile(str(request["source"])) as f:
        table = pa.ipc.open_file(f).read_all()
    name, source, params = request["dataset"]
    dataset = Dataset(name, source, table, params)
    adapter = formats.get(case.adapter, request["options"])
    adapter.know_source(table)
    apply_threads(case.threads, adapter)  # the same thread pools as the timed rounds
    prepared = PreparedFiles(workdir)
    if request["prepared"] is not None:
        prepared.adopt(case, request["prepared"])
        adapter.adopt_written(request["prepared"])
    path = lambda: prepared.get(case, adapter, table, name)  # noqa: E731
    return CaseEnv(case, adapter, dataset, workdir, cfg.cache, cfg.seed, path)


def _child(request: dict[str, Any]) -> int:
    """Load the data, then measure one execution; the Arrow default pool's new peak counts
    too (the IO context and pre-buffering allocate there, not from a proxy pool)."""
    import pyarrow as pa

    from benchmarks.suite.measure import measure_peak_memory
    from benchmarks.suite.operations import build_operation

    op = build_operation(_child_env(request))
    args, kwargs = op.setup()
    gc.collect()
    pool = pa.default_memory_pool()  # untouched in this process: Arrow's own default pool
    pool.release_unused()
    held, before_peak = pool.bytes_allocated(), pool.max_memory()
    try:
        peak = measure_peak_memory(lambda: op.fn(*args, **kwargs))
    finally:
        op.cleanup()  # a write's output: the parent's next round starts from no file
    arrow = pool.max_memory() - held if pool.max_memory() > before_peak else 0
    return max(peak, arrow)


def main() -> int:
    """Child entry point: pickled request on stdin, ``{"peak_memory_bytes": N}`` on stdout."""
    request = pickle.loads(sys.stdin.buffer.read())
    peak = _child(request)
    print(json.dumps({"peak_memory_bytes": peak}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
