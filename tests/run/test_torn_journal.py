"""A journal whose last line was torn by a crash still resumes to a results file, and a
resume that meets a live run says how to proceed (issue 24)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from benchmarks.run.claim import journal_path, reserve
from benchmarks.run.runner import RunOptions
from benchmarks.suite import journal
from benchmarks.suite.config import RunConfig
from tests.inprocess import one_line_error, run_cli

TORN = '{"event": "finish", "id": "mixed@50/csv-pyarrow/none/wri'


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _interrupted(tmp_path: Path, pid: int) -> Path:
    """The journal of a run stopped after one whole record, the next one half written."""
    out = tmp_path / "r.json"
    cfg = RunConfig(formats=["csv-pyarrow", "feather"], ops=["write"], rows=[50], rounds=1)
    _, header = reserve(cfg.validate(), RunOptions(out=out))
    jpath = journal_path(out)
    jpath.write_text(json.dumps({**header, "pid": pid}) + "\n")
    journal.append(jpath, {"event": "start", "id": "mixed@50/csv-pyarrow/none/write"})
    with open(jpath, "a", encoding="utf-8") as fh:
        fh.write(TORN)  # killed mid-write: no newline
    return out


def test_drop_torn_tail_keeps_every_whole_record(tmp_path):
    path = tmp_path / "j.jsonl"
    path.write_text('{"a": 1}\n{"b": 2}\n{"c": 3')
    assert journal.drop_torn_tail(path) == len('{"c": 3')
    assert path.read_text() == '{"a": 1}\n{"b": 2}\n'
    assert journal.drop_torn_tail(path) == 0
    path.write_text('{"only": "tor')
    assert journal.drop_torn_tail(path) == len('{"only": "tor') and path.read_text() == ""


def test_resume_drops_a_torn_last_line_and_finishes(tmp_path, capsys):
    out = _interrupted(tmp_path, _dead_pid())
    code, stdout, err = run_cli(capsys, "run", "--resume", str(out), "--quiet", "--no-charts")
    assert code == 0, err
    assert "torn record" in err and "continuing from the last whole record" in err
    assert "taken over" not in err and "Traceback" not in err
    data = json.loads(out.read_text())
    ids = sorted(b["extra_info"]["case_id"] for b in data["benchmarks"])
    assert ids == ["mixed@50/csv-pyarrow/none/write", "mixed@50/feather/lz4/write"]
    assert not journal_path(out).exists() and f"results: {out}" in stdout


def test_resume_of_a_live_run_says_how_to_proceed(tmp_path, capsys):
    out = _interrupted(tmp_path, os.getpid())  # this process: alive, on this machine
    before = journal_path(out).read_bytes()
    line = one_line_error(run_cli(capsys, "run", "--resume", str(out)))
    assert f"still being run by pid {os.getpid()}" in line
    assert f"kill {os.getpid()}" in line and f"fmtbench run --resume {out}" in line
    assert journal_path(out).read_bytes() == before  # not touched, torn line and all
