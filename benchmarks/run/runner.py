"""``fmtbench run``: drive the pytest-benchmark suite in a worker process and keep every case.

The worker is ``pytest benchmarks/test_formats.py`` with the run's config. It journals
each case as it finishes; this process draws the progress bar from the journal, stops a
case that outlives ``case_timeout``, restarts the worker after a crash with the cases
still missing, and finally writes one results file atomically.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from benchmarks.errors import FmtbenchError, RunError, UsageError
from benchmarks.run.progress import Progress
from benchmarks.run.results import next_results_path, write_atomic
from benchmarks.suite import data as suite_data
from benchmarks.suite import journal, machine
from benchmarks.suite.cases import Case, build_cases
from benchmarks.suite.config import RunConfig

SUITE = Path(__file__).parents[1] / "suite" / "test_formats.py"
CLUSTER_SUITE = Path(__file__).parents[1] / "cluster" / "cluster_suite.py"


class Interrupted(FmtbenchError):
    """Ctrl-C or SIGTERM: completed cases are in the journal; exit code 130."""

    exit_code = 130


@dataclass
class RunOptions:
    """How to run (not what to measure): output, resume, safety and display switches."""

    out: Path | None = None
    results_dir: Path = Path("results")
    resume: Path | None = None
    force: bool = False
    case_timeout: float = 1800.0
    keep_files: bool = False
    progress: bool = True
    measure_ceilings: bool = True
    #: One worker process per adapter: no library's allocator or caches carry over to the
    #: next format (costs a process start and a dataset load per adapter).
    isolate: bool = False


@dataclass
class RunOutcome:
    """The results file written and what it holds."""

    path: Path
    data: dict[str, Any]
    failed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)


def journal_path(out: Path) -> Path:
    """The journal beside a results file: ``0003_mixed.json`` -> ``0003_mixed.journal.jsonl``."""
    return out.with_name(out.stem + ".journal.jsonl")


def _out_path(cfg: RunConfig, opts: RunOptions) -> Path:
    if opts.out is not None:
        out = Path(opts.out)
    else:
        label = "_".join(cfg.datasets + [Path(p).stem for p in cfg.data]) or "run"
        out = next_results_path(opts.results_dir, label)
    if out.exists() and not opts.force:
        raise UsageError(f"{out} exists; choose another --out, or pass --force to overwrite it")
    _check_writable(out.parent)
    return out


def _check_writable(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise UsageError(f"cannot write results to {directory}: {exc.strerror}") from None


def _resume_target(path: Path) -> tuple[Path, RunConfig, dict[str, Any]]:
    """Results path, config and journal header of an interrupted run."""
    out = (
        path
        if path.suffix == ".json"
        else path.with_name(path.name.replace(".journal.jsonl", ".json"))
    )
    records = journal.read(journal_path(out))
    header = next((r for r in records if r.get("event") == "config"), None)
    if header is None:
        raise UsageError(f"{path}: no journal to resume from ({journal_path(out)} is missing)")
    return out, RunConfig(**header["config"]), header


def check_free_space(workdir: Path, cases: list[Case], cfg: RunConfig) -> None:
    """Stop before work when the largest file of the run would not fit on the disk."""
    from benchmarks.suite.data import load, source

    def arrow_bytes(case: Case) -> int:
        if cfg.stream:  # estimated: the stream is never held
            return source(cfg, case.dataset, case.rows).nbytes
        return load(cfg, case.dataset, case.rows).table.nbytes

    largest = max(map(arrow_bytes, cases), default=0)
    need = 4 * largest  # text formats run to ~3x the Arrow size; the write op adds a copy
    if cfg.stream:
        need += largest  # the staged Arrow copy every write reads from
    free = shutil.disk_usage(workdir).free
    if need > free:
        raise RunError(
            f"not enough free space in {workdir}: the run needs about {need / 1e9:.1f} GB, "
            f"{free / 1e9:.1f} GB free; pass --workdir on a larger disk or fewer --rows"
        )


def run(cfg: RunConfig, opts: RunOptions | None = None) -> RunOutcome:
    """Run every case of ``cfg`` (or the missing ones of ``opts.resume``); write results."""
    opts = opts or RunOptions()
    if opts.resume is not None:
        out, cfg, header = _resume_target(Path(opts.resume))
        cases = build_cases(cfg)
    else:
        cases = build_cases(cfg)  # every name and input file is checked before anything
        out, header = _out_path(cfg, opts), {}  # is created on disk
    workdir = Path(tempfile.mkdtemp(prefix="fmtbench-run-", dir=cfg.workdir or None))
    try:
        check_free_space(workdir, [c for c in cases if not c.skip], cfg)
        suite_data.clear()  # the worker loads its own copy; this process must not hold one
        if not header:
            header = _start_journal(out, cfg, workdir, opts)
        with live_services(cfg) as live:
            _run_missing(live, cases, out, workdir, opts)
        return _finish(out, cfg, cases, header)
    except KeyboardInterrupt:
        raise Interrupted(
            f"interrupted; completed cases are saved in {journal_path(out)}; "
            f"finish with: fmtbench run --resume {out}"
        ) from None
    finally:
        if not opts.keep_files:
            shutil.rmtree(workdir, ignore_errors=True)


@contextlib.contextmanager
def live_services(cfg: RunConfig) -> Iterator[RunConfig]:
    """The run's store (and cluster) for the block; ``cfg`` plus where the worker finds them.

    They belong to this process, not the worker: a restarted worker finds the same bucket,
    and they stop when the run ends, fails or is interrupted.
    """
    from benchmarks.cluster.session import open_cluster
    from benchmarks.storage import open_store

    with (
        open_store(cfg.storage, cfg.storage_options, cfg.storage_latency_ms) as store,
        open_cluster(cfg.cluster) as cluster,
    ):
        yield replace(
            cfg,
            storage_runtime=asdict(store) if store else None,
            cluster_runtime=asdict(cluster) if cluster else None,
        )


def _start_journal(out: Path, cfg: RunConfig, workdir: Path, opts: RunOptions) -> dict[str, Any]:
    header = {
        "event": "config",
        "config": cfg.__dict__,
        "started": time.time(),
        "machine": machine.describe(),
        "ceilings": _ceilings(workdir) if opts.measure_ceilings else {},
    }
    journal.append(journal_path(out), header)
    return header


def _ceilings(workdir: Path) -> dict[str, float]:
    """Machine ceilings with a probe file that fits the work disk; none on a tiny disk."""
    from benchmarks.suite.measure import ceilings

    size = min(256 * 2**20, shutil.disk_usage(workdir).free // 4)
    if size < 16 * 2**20:
        return {}  # too little room to measure honestly; charts then draw no lines
    try:
        return ceilings(workdir, size)
    except OSError:
        return {}


def _done_ids(out: Path) -> set[str]:
    return {r["id"] for r in journal.read(journal_path(out)) if r.get("event") == "finish"}


def _run_missing(
    cfg: RunConfig, cases: list[Case], out: Path, workdir: Path, opts: RunOptions
) -> None:
    """Start workers until every case has a finish record (done, failed or skipped)."""
    jpath = journal_path(out)
    with Progress(len(cases), enabled=opts.progress) as bar:
        while True:
            missing = [c for c in cases if c.id not in _done_ids(out)]
            bar.set_done(len(cases) - len(missing))
            if not missing:
                return
            # one worker per thread count: polars sizes its pool once, at import
            missing = [c for c in missing if c.threads == missing[0].threads]
            if opts.isolate:  # one fresh worker process per adapter
                missing = [c for c in missing if c.adapter == missing[0].adapter]
            _one_worker(cfg, missing, jpath, workdir, opts, bar)
            if not {c.id for c in missing} & _done_ids(out):
                raise RunError(_worker_failure(workdir))


def _one_worker(
    cfg: RunConfig, missing: list[Case], jpath: Path, workdir: Path, opts: RunOptions, bar: Progress
) -> None:
    """One pytest worker over ``missing``; records a timeout or crash of the case in flight."""
    cfg_file = workdir / "config.json"
    sub = RunConfig(**{**cfg.__dict__, "only": [c.id for c in missing], "workdir": str(workdir)})
    cfg_file.write_text(sub.to_json())
    suite = CLUSTER_SUITE if cfg.cluster else SUITE
    cmd = [
        sys.executable, "-m", "pytest", str(suite), "-q", "-p", "no:cacheprovider",
        "-o", "addopts=", "--rootdir", str(SUITE.parents[2]),
        "--fb-config", str(cfg_file), "--fb-journal", str(jpath),
        f"--benchmark-json={workdir / 'worker.json'}",
    ]  # fmt: skip
    with open(workdir / "worker.log", "ab") as log:
        proc = subprocess.Popen(
            cmd,
            env=worker_env(missing[0].threads),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so the whole worker group can be killed at once
            preexec_fn=_die_with_parent,
        )
        try:
            _watch(proc, jpath, opts.case_timeout, bar)
        finally:
            _stop(proc)


def worker_env(threads: int | None) -> dict[str, str]:
    """The worker's environment: engines whose pools are sized at start-up get ``threads``."""
    env = dict(os.environ)
    if threads is not None:
        env["POLARS_MAX_THREADS"] = str(threads)
    return env


def _die_with_parent() -> None:
    """In the worker: get SIGKILL if the runner dies (even by kill -9), never run orphaned."""
    import contextlib
    import ctypes

    # not Linux: no prctl, and the worker finishes its case and exits on its own
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _watch(proc: subprocess.Popen, jpath: Path, timeout: float, bar: Progress) -> None:
    """Follow the journal until the worker exits; kill it if one case runs too long."""
    offset, current, started = 0, None, 0.0
    while True:
        records, offset = _new_records(jpath, offset)
        for r in records:
            if r.get("event") == "start":
                current, started = r["nodeid"], time.monotonic()
                bar.start_case(_case_label(current))
            elif r.get("event") == "finish":
                current = None
                bar.finish_case(r.get("status", ""))
        code = proc.poll()
        if code is not None:
            if current is not None:
                _record_crash(jpath, current, f"worker process died (exit code {code})")
            return
        if current is not None and time.monotonic() - started > timeout:
            _stop(proc)
            _record_crash(jpath, current, f"timed out after {timeout:.0f} s (--case-timeout)")
            return
        time.sleep(0.1)


def _new_records(jpath: Path, offset: int) -> tuple[list[dict[str, Any]], int]:
    import json

    if not jpath.exists():
        return [], offset
    with open(jpath, encoding="utf-8") as fh:
        fh.seek(offset)
        chunk = fh.read()
    complete = chunk[: chunk.rfind("\n") + 1]
    records = []
    for line in complete.splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records, offset + len(complete.encode("utf-8"))


def _case_label(nodeid: str) -> str:
    return nodeid.split("[", 1)[-1].rstrip("]")


def _record_crash(jpath: Path, nodeid: str, error: str) -> None:
    case_id = _case_label(nodeid)
    record = {
        "event": "finish",
        "id": case_id,
        "nodeid": nodeid,
        "status": "failed",
        "error": error,
    }
    journal.append(jpath, record)


def _stop(proc: subprocess.Popen) -> None:
    """Kill the worker's whole process group (it may have children) and reap it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _worker_failure(workdir: Path) -> str:
    log = workdir / "worker.log"
    lines = log.read_text(errors="replace").strip().splitlines() if log.exists() else []
    useful = [ln for ln in lines if "Error" in ln or "error" in ln] or lines
    detail = useful[-1].strip() if useful else "no output"
    return f"the benchmark worker made no progress: {detail}"


def _finish(out: Path, cfg: RunConfig, cases: list[Case], header: dict[str, Any]) -> RunOutcome:
    from benchmarks.run.assemble import assemble

    data = assemble(journal.read(journal_path(out)), cfg, cases, header)
    write_atomic(out, data)
    journal_path(out).unlink(missing_ok=True)
    meta = data["fmtbench"]
    return RunOutcome(out, data, meta["failed"], meta["skipped"])
