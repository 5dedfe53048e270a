"""The run journal: one JSON line per case event, flushed and fsynced as it happens.

The pytest worker appends; the runner reads it for the progress bar, for timeouts, and
to assemble the final results. Because every completed case is on disk the moment it
finishes, a Ctrl-C, SIGTERM or ``kill -9`` loses at most the case in flight.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest


def append(path: str | os.PathLike, record: dict[str, Any]) -> None:
    """Append one record durably (flush + fsync before returning)."""
    line = json.dumps(record, default=str, ensure_ascii=False) + "\n"
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(line)
        fh.flush()
        os.fsync(fh.fileno())


def create(path: str | os.PathLike, header: dict[str, Any]) -> bool:
    """Create the journal with its header, atomically; False if it already exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(header, default=str, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return True


def drop_torn_tail(path: str | os.PathLike) -> int:
    """Cut a torn last line (the writer was killed mid-record); returns the bytes dropped.

    Left in place, the next record would be appended onto it and both would be lost.
    """
    with open(path, "rb+") as fh:
        size = fh.seek(0, os.SEEK_END)
        if size == 0:
            return 0
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return 0
        keep = size
        while keep > 0:  # back to the last newline, in blocks
            start = max(0, keep - 65536)
            fh.seek(start)
            block = fh.read(keep - start)
            cut = block.rfind(b"\n")
            if cut >= 0:
                keep = start + cut + 1
                break
            keep = start
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
        return size - keep


def owner(records: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The run that owns a journal: its creator, or the last run that resumed it."""
    owners = [r for r in records if r.get("event") in ("config", "owner") and "token" in r]
    return owners[-1] if owners else None


def read(path: str | os.PathLike) -> list[dict[str, Any]]:
    """Every complete record; a torn last line (killed mid-write) is ignored."""
    p = Path(path)
    if not p.exists():
        return []
    records = []
    for line in p.read_text(encoding="utf-8").splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return records


def one_line(exc: BaseException | str) -> str:
    """An error as one line: the type and the first line of its message."""
    text = exc if isinstance(exc, str) else f"{type(exc).__name__}: {exc}"
    if "No space left on device" in text or "Errno 28" in text:
        return (
            "disk full (No space left on device) while writing benchmark files; free space "
            "or pass --workdir on a larger disk"
        )
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[0][:300] if lines else "unknown error"


class JournalPlugin:
    """pytest plugin writing start/finish records for each benchmark case."""

    def __init__(self, path: str | os.PathLike, part: int = 0) -> None:
        self.path = path
        self.part = part  # which of a case's worker processes this is (run/merge.py)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item: pytest.Item, nextitem: Any) -> None:
        from benchmarks.suite.noise import applied

        # the case id itself, not one parsed back from the nodeid: pytest escapes
        # non-ASCII ids and a parameter's "]" would be ambiguous; the worker's noise
        # controls travel with each start: assemble puts them in machine_info
        case = getattr(item, "callspec", None) and item.callspec.params.get("fb_case")
        record = {"event": "start", "nodeid": item.nodeid, "pid": os.getpid(), "part": self.part}
        if case is not None:
            record["id"] = case.id
        append(self.path, {**record, "noise_control": applied()})

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> Any:
        outcome = yield
        report = outcome.get_result()
        case = getattr(item, "callspec", None) and item.callspec.params.get("fb_case")
        if case is None or not _is_final(report):
            return
        append(self.path, {**_record(item, report, case), "part": self.part})


def _is_final(report: pytest.TestReport) -> bool:
    """The call phase, or a setup phase that skipped or failed (no call will follow)."""
    return report.when == "call" or (report.when == "setup" and not report.passed)


def _record(item: pytest.Item, report: pytest.TestReport, case: Any) -> dict[str, Any]:
    record: dict[str, Any] = {"event": "finish", "id": case.id, "nodeid": item.nodeid}
    fixture = item.funcargs.get("benchmark")
    stats = getattr(fixture, "stats", None)
    if report.skipped:
        record.update(status="skipped", reason=_skip_reason(report))
    elif report.failed:
        record.update(status="failed", error=one_line(_failure_text(report)))
        extra = dict(getattr(fixture, "extra_info", {}) or {})
        record["entry"] = {"name": item.name, "fullname": item.nodeid, "extra_info": extra}
    elif stats is not None:
        # the raw rounds too (as pytest-benchmark's own JSON): a case timed in several
        # processes is assembled from all their rounds
        record.update(status="passed", entry=stats.as_dict(include_data=True))
    else:
        record.update(status="failed", error="the case ran but recorded no timing")
    return record


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _failure_text(report: pytest.TestReport) -> str:
    crash = getattr(report.longrepr, "reprcrash", None)
    text = crash.message if crash is not None else str(report.longrepr)
    # "formats.base.UnsupportedType: ..." -> "UnsupportedType: ...": the class says enough
    return re.sub(r"^(?:\w+\.)+(\w+: )", r"\1", text)
