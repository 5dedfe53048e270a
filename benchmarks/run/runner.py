"""``fmtbench run``: drive the pytest-benchmark suite in a worker process and keep every case.

The worker is ``pytest benchmarks/test_formats.py`` with the run's config. It journals
each case as it finishes; this process draws the progress bar from the journal, stops a
case that outlives ``case_timeout``, restarts the worker after a crash with the cases
still missing, and finally writes one results file atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import formats
from benchmarks.datasets.owned import (
    OWNER_FILE,
    die_with_parent,
    owned_tempdir,
    sweep_stale,
)
from benchmarks.errors import FmtbenchError, RunError, UsageError
from benchmarks.run.claim import journal_path, reserve, resume_target
from benchmarks.run.parts import final_parts, next_batch, parts_done
from benchmarks.run.progress import Progress
from benchmarks.run.results import write_atomic
from benchmarks.run.watch import Watch, group_timeouts
from benchmarks.suite import data as suite_data
from benchmarks.suite import journal
from benchmarks.suite.cases import Case, build_cases
from benchmarks.suite.config import RunConfig
from benchmarks.suite.groups import INFLIGHT_ENV
from benchmarks.suite.switches import ceilings_wanted

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
    case_timeout: float | None = None  # None: the resumed run's, else DEFAULT_CASE_TIMEOUT
    keep_files: bool = False
    progress: bool = True
    measure_ceilings: bool = field(default_factory=ceilings_wanted)  # FMTBENCH_CEILINGS=0: off
    #: One worker process per adapter: no library's allocator or caches carry over to the
    #: next format (costs a process start and a dataset load per adapter).
    isolate: bool = False
    #: On resume: run options the user gave (RunConfig field -> value); any that differs
    #: from the interrupted run's is refused rather than mixed into its results.
    resume_overrides: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunOutcome:
    """The results file written and what it holds."""

    path: Path
    data: dict[str, Any]
    failed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    kept: Path | None = None  # the benchmark files, with --keep-files


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
    for parent in {None, cfg.workdir}:  # left by runs killed outright (SIGKILL)
        sweep_stale(parent, "fmtbench-run-")
    sweep_stale(None, "fmtbench-dask-")
    if opts.resume is None:
        check_services(cfg, opts)  # in seconds, before any file or journal is made
    if opts.resume is not None:
        out, cfg, header = resume_target(Path(opts.resume), opts)
        check_services(cfg, opts)
        with _killable():
            cases = build_cases(cfg)
        workdir = _workdir(cfg)
    else:
        with _killable():
            cases = build_cases(cfg)  # every name and input file is checked before anything
        workdir = _workdir(cfg)  # is created on disk
        try:
            out, header = reserve(cfg, opts)
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise
    try:
        check_free_space(workdir, [c for c in cases if not c.skip], cfg)
        suite_data.clear()  # the worker loads its own copy; this process must not hold one
        if "ceilings" not in header:
            header["ceilings"] = _ceilings(workdir) if opts.measure_ceilings else {}
            journal.append(journal_path(out), {"event": "ceilings", "ceilings": header["ceilings"]})
        with live_services(cfg) as live:
            _run_missing(live, cases, out, workdir, opts, header["case_timeout"])
        outcome = _finish(out, cfg, cases, header)
        outcome.kept = workdir if opts.keep_files else None
        return outcome
    except KeyboardInterrupt:
        raise Interrupted(
            f"interrupted; completed cases are saved in {journal_path(out)}; "
            f"finish with: fmtbench run --resume {out}"
        ) from None
    except BaseException:
        if opts.resume is None and not _done_ids(out):
            journal_path(out).unlink(missing_ok=True)  # nothing to resume: release the number
        raise
    finally:
        if not opts.keep_files:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            (workdir / OWNER_FILE).unlink(missing_ok=True)  # kept files are never swept


def check_services(cfg: RunConfig, opts: RunOptions) -> None:
    """UsageError for a cluster far larger than the machine (unless --force), an endpoint
    that does not answer or a bucket that does not exist."""
    from benchmarks.cluster.session import check_cluster_size, check_scheduler
    from benchmarks.storage.preflight import check_reachable

    check_cluster_size(cfg.cluster, opts.force)
    check_scheduler(cfg.cluster)
    check_reachable(cfg.storage, cfg.storage_options)


@contextlib.contextmanager
def _killable() -> Iterator[None]:
    """SIGTERM kills outright while data loads: a long pyarrow read would defer Python's handler.

    Nothing needs cleaning up yet: loading writes no results, journal records or work files.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    hangup = getattr(signal, "SIGHUP", signal.SIGTERM)
    previous = {s: signal.signal(s, signal.SIG_DFL) for s in (signal.SIGTERM, hangup)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _workdir(cfg: RunConfig) -> Path:
    """This run's scratch directory, marked with our pid so a later run can sweep it."""
    try:
        return owned_tempdir("fmtbench-run-", cfg.workdir or None)
    except OSError as exc:
        where = cfg.workdir or tempfile.gettempdir()
        raise UsageError(
            f"cannot create the work directory in {where}: {exc.strerror}; "
            "pass --workdir on a writable directory"
        ) from None


@contextlib.contextmanager
def live_services(cfg: RunConfig) -> Iterator[RunConfig]:
    """The run's store (and cluster) for the block; ``cfg`` plus where the worker finds them.

    They belong to this process, not the worker: a restarted worker finds the same bucket,
    and they stop when the run ends, fails or is interrupted.
    """
    from benchmarks.cluster.session import open_cluster
    from benchmarks.storage import open_store

    latency = max(cfg.storage_latency_ms or [0.0])  # each case sets its own at the proxy
    bandwidth = cfg.storage_bandwidth_mb_s
    with (
        open_store(cfg.storage, cfg.storage_options, latency, bandwidth) as store,
        open_cluster(cfg.cluster) as cluster,
    ):
        yield replace(
            cfg,
            storage_runtime=asdict(store) if store else None,
            cluster_runtime=asdict(cluster) if cluster else None,
        )


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
    cfg: RunConfig, cases: list[Case], out: Path, workdir: Path, opts: RunOptions, timeout: float
) -> None:
    """Start workers until every case is complete: each of its parts (one per worker
    process, run/parts.py) has a finish record, or one failed or was skipped."""
    jpath = journal_path(out)
    processes = cfg.process_count()
    with Progress(len(cases) * processes, enabled=opts.progress) as bar:
        while True:
            final = final_parts(journal.read(jpath))
            bar.set_done(parts_done(cases, final, processes))
            part, missing = next_batch(cases, final, processes)
            if not missing:
                return
            # one worker per thread count: polars sizes its pool once, at import
            missing = [c for c in missing if c.threads == missing[0].threads]
            if opts.isolate:  # one fresh worker process per adapter
                missing = [c for c in missing if c.adapter == missing[0].adapter]
            sub = replace(cfg, part=part, part_rounds=_first_rounds(missing, final, part))
            _one_worker(sub, missing, jpath, workdir, timeout, bar, opts.keep_files)
            after = final_parts(journal.read(jpath))
            if not any((c.id, part) in after for c in missing):
                raise RunError(_worker_failure(workdir))


def _first_rounds(
    cases: list[Case], final: dict[tuple[str, int], dict[str, Any]], part: int
) -> dict[str, int]:
    """Case id -> rounds its first process timed with --rounds auto (later parts repeat
    the count, so every process weighs the same in the pooled median)."""
    if part == 0:
        return {}
    counts = {}
    for case in cases:
        extra = final[(case.id, 0)]["entry"]["extra_info"]
        if extra.get("rounds_mode") == "auto" or case.op == "take":
            counts[case.id] = int(final[(case.id, 0)]["entry"]["stats"]["rounds"])
    return counts


def _one_worker(
    cfg: RunConfig,
    missing: list[Case],
    jpath: Path,
    workdir: Path,
    timeout: float,
    bar: Progress,
    keep: bool = False,
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
        f"--benchmark-storage=file://{workdir / '.benchmarks'}",  # none left in the cwd
    ]  # fmt: skip
    start = jpath.stat().st_size if jpath.exists() else 0  # earlier workers' records
    inflight = workdir / "inflight"
    inflight.unlink(missing_ok=True)
    with open(workdir / "worker.log", "ab") as log:
        env = {**worker_env(missing[0].threads), "FMTBENCH_KEEP_FILES": "1" if keep else "0",
               INFLIGHT_ENV: str(inflight)}  # fmt: skip
        env["DASK_TEMPORARY_DIRECTORY"] = str(workdir)  # no dask-scratch-space left in temp
        proc = subprocess.Popen(
            cmd,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so the whole worker group can be killed at once
            preexec_fn=die_with_parent,
        )
        watch = Watch(timeout, group_timeouts(missing, timeout), inflight, {c.id for c in missing})
        try:
            _watch(proc, jpath, timeout, bar, cfg.part, start, watch)
        finally:
            _stop(proc)


def worker_env(threads: int | None) -> dict[str, str]:
    """The worker's environment: engines whose pools are sized at start-up (their adapters
    declare the variables: ``thread_env``) get ``threads``; pytest loads only
    pytest-benchmark."""
    # a run started inside a pytest-xdist worker would inherit its markers, and
    # pytest-benchmark switches itself off under xdist: the worker must not see them
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")}
    # only the plugin the suite needs: other packages' pytest plugins (zarr's) cost ~1 s
    # of imports per worker start and time nothing
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    env["PYTEST_PLUGINS"] = "pytest_benchmark.plugin"
    if threads is not None:
        for name in formats.names():
            env |= dict.fromkeys(formats.registry[name].thread_env, str(threads))
    return env


def _watch(
    proc: subprocess.Popen,
    jpath: Path,
    timeout: float,
    bar: Progress,
    part: int = 0,
    offset: int = 0,
    watch: Watch | None = None,
) -> None:
    """Follow the journal from ``offset`` until the worker exits; kill it if one case runs
    too long (a crash or timeout is recorded against the worker's ``part``)."""
    watch = watch or Watch(timeout)
    current, started = None, 0.0
    while True:
        records, offset = _new_records(jpath, offset)
        for r in records:
            if r.get("event") == "start" and "id" in r:
                current, started = r["id"], time.monotonic()
                bar.start_case(current)
            elif r.get("event") == "finish":
                current = None
                bar.finish_case(r.get("status", ""))
        code = proc.poll()
        if code is not None:
            if current is not None:
                culprit = watch.culprit(current)
                _record_crash(jpath, culprit, f"worker process died (exit code {code})", part)
            return
        if current is not None and time.monotonic() - started > watch.limit(current):
            _stop(proc)
            culprit = watch.culprit(current)
            _record_crash(jpath, culprit, f"timed out after {timeout:.0f} s (--case-timeout)", part)
            return
        time.sleep(0.1)


def _new_records(jpath: Path, offset: int) -> tuple[list[dict[str, Any]], int]:

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


def _record_crash(jpath: Path, case_id: str, error: str, part: int = 0) -> None:
    record = {"event": "finish", "id": case_id, "status": "failed", "error": error}
    journal.append(jpath, {**record, "part": part})


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

    records = journal.read(journal_path(out))
    owner = journal.owner(records)
    if owner is None or owner.get("token") != header.get("token"):
        raise RunError(
            f"{journal_path(out)} was taken over by another run (pid "
            f"{(owner or {}).get('pid', '?')}); its cases are kept: let that run finish, or "
            f"if it is gone, finish with fmtbench run --resume {out}"
        )
    data = assemble(records, cfg, cases, header)
    try:
        write_atomic(out, data)
    except OSError as exc:
        raise RunError(
            f"cannot write {out}: {exc.strerror}; every case is kept in {journal_path(out)}: "
            f"fix that and finish with fmtbench run --resume {out}"
        ) from None
    journal_path(out).unlink(missing_ok=True)
    meta = data["fmtbench"]
    return RunOutcome(out, data, meta["failed"], meta["skipped"])
