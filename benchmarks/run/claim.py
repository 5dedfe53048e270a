"""Which results path and journal a run owns: atomic reservation, ownership, safe resume.

A run claims ``NNNN_label.json`` by creating its journal with O_EXCL, so two runs
started together in one directory never share a number or a journal; a resume takes
the journal over only when its run is gone and nothing it was given differs.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks.datasets.owned import pid_alive
from benchmarks.errors import RunError, UsageError
from benchmarks.run.results import next_results_path
from benchmarks.suite import journal, machine
from benchmarks.suite.config import RunConfig

if TYPE_CHECKING:
    from benchmarks.run.runner import RunOptions

DEFAULT_CASE_TIMEOUT = 1800.0


def journal_path(out: Path) -> Path:
    """The journal beside a results file: ``0003_mixed.json`` -> ``0003_mixed.journal.jsonl``."""
    return out.with_name(out.stem + ".journal.jsonl")


def reserve(cfg: RunConfig, opts: RunOptions) -> tuple[Path, dict[str, Any]]:
    """Claim the results path by creating its journal with O_EXCL: the run owns it.

    Numbered paths skip every number a results file or a journal already holds, so two
    runs started at the same moment in one directory never share a file.
    """
    header = _header(cfg, opts)
    if opts.out is not None:
        out = Path(opts.out)
        if out.is_dir():
            raise UsageError(
                f"--out {out} is a directory; pass a file path such as {out / 'run.json'}"
            )
        if out.exists() and not opts.force:
            raise UsageError(f"{out} exists; choose another --out, or pass --force to overwrite it")
        check_writable(out.parent)
        if not journal.create(journal_path(out), header):
            _refuse_taken(out, opts.force)
            journal_path(out).unlink(missing_ok=True)
            if not journal.create(journal_path(out), header):
                raise UsageError(f"{out}: another run claimed it just now; choose another --out")
        return out, header
    check_writable(opts.results_dir)
    label = "_".join(cfg.datasets + [Path(p).stem for p in cfg.data]) or "run"
    for _ in range(1000):
        out = next_results_path(opts.results_dir, label)
        if journal.create(journal_path(out), header):
            return out, header
    raise RunError(f"cannot reserve a results number in {opts.results_dir}; pass --out")


def _refuse_taken(out: Path, force: bool) -> None:
    """A journal already exists for ``out``: a live run's, or an interrupted one."""
    owner = journal.owner(journal.read(journal_path(out)))
    if owner and pid_alive(owner.get("pid", -1)) and owner.get("host") == machine_host():
        raise UsageError(
            f"{out} is being written by another fmtbench run (pid {owner['pid']}); "
            "choose another --out, or wait for it"
        )
    if not force:
        raise UsageError(
            f"{journal_path(out)} holds an interrupted run; finish it with "
            f"fmtbench run --resume {out}, or pass --force to discard it"
        )


def machine_host() -> str:
    """This machine's name, so a journal on a shared disk is not judged by local pids."""

    return socket.gethostname()


def _header(cfg: RunConfig, opts: RunOptions) -> dict[str, Any]:
    return {
        "event": "config",
        "config": cfg.__dict__,
        "started": time.time(),
        "load_before": machine.load(),
        "machine": machine.describe(),
        "case_timeout": _timeout(opts),
        "data_fingerprint": data_fingerprint(cfg),
        "pid": os.getpid(),
        "host": machine_host(),
        "token": uuid.uuid4().hex,
    }


def _timeout(opts: RunOptions, header: dict[str, Any] | None = None) -> float:
    if opts.case_timeout is not None:
        return opts.case_timeout
    return float((header or {}).get("case_timeout", DEFAULT_CASE_TIMEOUT))


def data_fingerprint(cfg: RunConfig) -> dict[str, list[int]]:
    """Size and modification time of each ``--data`` file: a changed file is another run."""
    prints = {}
    for name in cfg.data:
        with contextlib.suppress(OSError):
            st = os.stat(name)
            prints[name] = [st.st_size, st.st_mtime_ns]
    return prints


def check_writable(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise UsageError(
            f"cannot write results to {directory}: {exc.strerror}; "
            "pass --out in a writable directory"
        ) from None


def resume_target(path: Path, opts: RunOptions) -> tuple[Path, RunConfig, dict[str, Any]]:
    """Results path, config and journal header of an interrupted run, now owned by us."""
    out = (
        path
        if path.suffix == ".json"
        else path.with_name(path.name.replace(".journal.jsonl", ".json"))
    )
    records = journal.read(journal_path(out))
    header = next((r for r in records if r.get("event") == "config"), None)
    if header is None:
        raise UsageError(f"{path}: no journal to resume from ({journal_path(out)} is missing)")
    owner = journal.owner(records) or {}
    if pid_alive(owner.get("pid", -1)) and owner.get("host") == machine_host():
        raise UsageError(
            f"{out} is still being run by pid {owner['pid']}; wait for it to finish, or stop "
            f"it (kill {owner['pid']}) and run fmtbench run --resume {out} again"
        )
    _drop_torn_tail(journal_path(out))
    try:
        cfg = RunConfig.from_json(json.dumps(header["config"]))
    except (UsageError, TypeError) as exc:
        raise UsageError(
            f"{journal_path(out)}: {exc}; written by another fmtbench version, start a new run"
        ) from None
    _check_same_run(out, cfg, header, opts)
    header = {**header, "case_timeout": _timeout(opts, header)}
    for r in records:  # ceilings are measured after the journal is claimed
        if r.get("event") == "ceilings":
            header["ceilings"] = r["ceilings"]
    token = uuid.uuid4().hex
    journal.append(journal_path(out), {"event": "owner", "pid": os.getpid(),
                                       "host": machine_host(), "token": token})  # fmt: skip
    return out, cfg, {**header, "token": token}


def _drop_torn_tail(jpath: Path) -> None:
    """A run killed mid-write leaves half a record: cut it, and say so, before appending."""
    dropped = journal.drop_torn_tail(jpath)
    if dropped:
        sys.stderr.write(
            f"note: {jpath} ended in a torn record ({dropped} bytes, written as the run was "
            "cut off); dropped it, continuing from the last whole record\n"
        )


def _check_same_run(out: Path, cfg: RunConfig, header: dict[str, Any], opts: RunOptions) -> None:
    """Refuse options or ``--data`` files that differ from the interrupted run's."""
    given = {k: v for k, v in opts.resume_overrides.items() if v is not None}
    differ = [
        f"--{k.replace('_', '-')} {_show(v)} (the run used {_show(getattr(cfg, k))})"
        for k, v in given.items()
        if v != getattr(cfg, k)
    ]
    old, new = header.get("data_fingerprint") or {}, data_fingerprint(cfg)
    changed = [name for name in old if old[name] != new.get(name)]
    differ += [f"--data {name} changed since the run started" for name in changed]
    if differ:
        raise UsageError(
            f"cannot resume {out}: {'; '.join(differ)}; drop those options to resume, "
            "or start a new run"
        )


def _show(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)
