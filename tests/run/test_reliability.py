"""Fault injection: failures stay contained, interrupted runs resume, nothing is left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import psutil
import pytest

from tests.helpers import ROOT, cli_env, fmtbench, start_fmtbench

pytestmark = pytest.mark.slow  # real runs end to end (scripts/test --quick skips them)

PLUGINS = cli_env("tests.fault_adapters")
TINY = ("--datasets", "mixed", "--rows", "300", "--rounds", "1", "--quiet", "--no-charts")


def _journal(out: Path) -> Path:
    return out.with_name(out.stem + ".journal.jsonl")


def _finished(out: Path) -> list[dict]:
    path = _journal(out)
    if not path.exists():
        return []
    lines = path.read_text().splitlines()
    return [r for r in map(json.loads, lines) if r.get("event") == "finish"]


def test_a_failing_adapter_is_recorded_and_the_run_goes_on(tmp_path):
    out = tmp_path / "r.json"
    proc = fmtbench(
        "run", *TINY, "--formats", "test-failing,feather", "--out", str(out), env=PLUGINS
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    failed = [b for b in data["benchmarks"] if b["extra_info"]["adapter"] == "test-failing"]
    passed = [b for b in data["benchmarks"] if b["extra_info"]["adapter"] == "feather"]
    assert len(failed) == 4 and len(passed) == 4
    assert all(
        "injected failure" in b["extra_info"]["error"] and b["stats"] is None for b in failed
    )
    assert all(b["stats"]["median"] > 0 for b in passed)
    assert len(data["fmtbench"]["failed"]) == 4


def test_strict_turns_a_failed_case_into_exit_code_1(tmp_path):
    args = ("run", *TINY, "--formats", "test-failing", "--ops", "write", "--strict")
    proc = fmtbench(*args, "--out", str(tmp_path / "r.json"), env=PLUGINS)
    assert proc.returncode == 1
    assert (tmp_path / "r.json").exists()


def test_a_stuck_case_times_out_and_the_rest_complete(tmp_path):
    out = tmp_path / "r.json"
    args = (
        "run",
        *TINY,
        "--formats",
        "test-hanging,feather",
        "--ops",
        "read",
        "--case-timeout",
        "4",  # the group's limit is 2 x 4 s: test-hanging and feather are timed together
    )
    proc = fmtbench(*args, "--out", str(out), env=PLUGINS, timeout=120)
    assert proc.returncode == 0, proc.stderr
    errors = {f["id"]: f["error"] for f in json.loads(out.read_text())["fmtbench"]["failed"]}
    assert list(errors) == ["mixed@300/test-hanging/none/read"]
    assert "timed out after 4 s" in errors["mixed@300/test-hanging/none/read"]


def _start_slow_run(tmp_path: Path) -> tuple[subprocess.Popen, Path, Path]:
    out, workdir = tmp_path / "r.json", tmp_path / "work"
    workdir.mkdir()
    args = ("run", *TINY, "--formats", "test-slow", "--ops", "read,read_column", "--rounds", "2")
    proc = start_fmtbench(
        *args, "--out", str(out), "--workdir", str(workdir), env=PLUGINS, cwd=ROOT
    )
    deadline = time.monotonic() + 120
    while len(_finished(out)) < 2:
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.1)
    return proc, out, workdir


def _resume_and_check(out: Path) -> None:
    done_before = {r["id"] for r in _finished(out)}
    proc = fmtbench("run", "--resume", str(out), "--quiet", "--no-charts", env=PLUGINS)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    ids = Counter(b["extra_info"]["case_id"] for b in data["benchmarks"])
    assert set(ids) == {"mixed@300/test-slow/none/read"} | {
        f"mixed@300/test-slow/none/read_column[column={c}]" for c in ("id", "category")
    }
    assert set(ids.values()) == {1} and done_before <= set(ids)
    assert not _journal(out).exists()


def test_kill_9_keeps_completed_cases_and_resume_finishes(tmp_path):
    proc, out, _ = _start_slow_run(tmp_path)
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers  # the pytest worker, at least
    proc.kill()
    proc.wait()
    kept = _finished(out)
    assert len(kept) >= 2 and all(r["status"] == "passed" for r in kept[:2])
    # the worker must die with its parent; once it is gone nothing more can be journaled
    _, alive = psutil.wait_procs(workers, timeout=30)
    assert not alive, [p.cmdline() for p in alive]
    assert len(_finished(out)) == len(kept)
    _resume_and_check(out)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signals_stop_cleanly_remove_files_and_resume(tmp_path, sig):
    proc, out, workdir = _start_slow_run(tmp_path)
    proc.send_signal(sig)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert stderr.strip().splitlines()[-1].startswith("error: interrupted")
    assert f"--resume {out}" in stderr and "Traceback" not in stderr
    assert list(workdir.iterdir()) == []
    assert not out.exists() and len(_finished(out)) >= 2
    _resume_and_check(out)


def test_results_are_never_overwritten_without_force(tmp_path):
    out = tmp_path / "r.json"
    out.write_text("{}")
    proc = fmtbench("run", *TINY, "--formats", "feather", "--ops", "write", "--out", str(out))
    assert proc.returncode == 2 and "--force" in proc.stderr and out.read_text() == "{}"
    proc = fmtbench(
        "run", *TINY, "--formats", "feather", "--ops", "write", "--out", str(out), "--force"
    )
    assert proc.returncode == 0 and json.loads(out.read_text())["benchmarks"]


def test_numbered_results_never_collide(tmp_path):
    for _ in range(2):
        proc = fmtbench("run", *TINY, "--formats", "feather", "--ops", "write", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (tmp_path / "results").glob("*.json"))
    assert names == ["0001_mixed.json", "0002_mixed.json"]


@pytest.fixture
def tiny_disk(tmp_path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    proc = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=False
    )
    if proc.returncode != 0:
        pytest.skip("this machine does not allow mounting a tmpfs")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_disk_full_during_a_case_is_a_clear_recorded_failure(tiny_disk, tmp_path):
    out = tmp_path / "r.json"
    args = ("run", *TINY, "--formats", "test-bloated,feather", "--ops", "write")
    proc = fmtbench(*args, "--workdir", str(tiny_disk), "--out", str(out), env=PLUGINS)
    assert proc.returncode == 0, proc.stderr
    failed = json.loads(out.read_text())["fmtbench"]["failed"]
    assert [f["id"] for f in failed] == ["mixed@300/test-bloated/none/write"]
    assert failed[0]["error"].startswith("disk full")
    assert list(tiny_disk.iterdir()) == []


def test_a_disk_too_small_for_the_run_stops_before_work(tiny_disk, tmp_path):
    args = ("run", "--datasets", "mixed", "--rows", "100000", "--formats", "csv-pyarrow", "--quiet")
    proc = fmtbench(*args, "--workdir", str(tiny_disk), "--out", str(tmp_path / "r.json"))
    assert proc.returncode == 1 and "not enough free space" in proc.stderr
    assert list(tiny_disk.iterdir()) == [] and not (tmp_path / "r.json").exists()
