"""Results are never lost or mixed: concurrent runs, foreign journals, resume, stuck cases."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import (
    ROOT,
    assert_one_line_error,
    cli_env,
    fmtbench,
    fmtbench_main,
    start_fmtbench,
)

PLUGINS = cli_env("tests.fault_adapters")
TINY = ("--datasets", "mixed", "--rows", "300", "--rounds", "1", "--quiet", "--no-charts")
COLS = ("id", "category")
SLOW = ("run", *TINY, "--formats", "test-slow", "--ops", "read,read_column", "--rounds", "2")


def _journal(out: Path) -> Path:
    return out.with_name(out.stem + ".journal.jsonl")


def _finished(out: Path) -> list[dict]:
    path = _journal(out)
    if not path.exists():
        return []
    records = [json.loads(ln) for ln in path.read_text().splitlines() if ln.strip()]
    return [r for r in records if r.get("event") == "finish"]


def _case_ids(path: Path) -> Counter:
    return Counter(b["extra_info"]["case_id"] for b in json.loads(path.read_text())["benchmarks"])


def _wait_for(out: Path, n: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while len(_finished(out)) < n:
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.mark.slow
def test_two_concurrent_runs_in_one_directory_both_keep_every_case(tmp_path):
    procs = [start_fmtbench(*SLOW, env=PLUGINS, cwd=tmp_path) for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    results = sorted((tmp_path / "results").glob("*.json"))
    assert [p.name for p in results] == ["0001_mixed.json", "0002_mixed.json"]
    for path in results:
        ids = _case_ids(path)
        assert len(ids) == 3 and set(ids.values()) == {1}
        data = json.loads(path.read_text())
        assert not data["fmtbench"]["failed"]  # no false "worker process died"
    assert not list((tmp_path / "results").glob("*.jsonl"))


@pytest.mark.slow
def test_a_fresh_run_never_adopts_an_interrupted_runs_journal(tmp_path):
    first = start_fmtbench(*SLOW, env=PLUGINS, cwd=tmp_path)
    out1 = tmp_path / "results" / "0001_mixed.json"
    _wait_for(out1, 1, first)
    first.kill()
    first.wait()
    kept = _finished(out1)
    args = ("run", *TINY, "--formats", "feather", "--ops", "write", "--cache", "cold")
    proc = fmtbench(*args, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "0002_mixed.json" in proc.stdout
    second = json.loads((tmp_path / "results" / "0002_mixed.json").read_text())
    assert [b["extra_info"]["adapter"] for b in second["benchmarks"]] == ["feather"]
    assert _finished(out1) == kept  # the interrupted run's journal is untouched...
    proc = fmtbench("run", "--resume", str(out1), "--quiet", "--no-charts", env=PLUGINS)
    assert proc.returncode == 0, proc.stderr  # ...and still resumes
    assert len(_case_ids(out1)) == 3


@pytest.mark.slow
def test_an_existing_journal_is_never_taken_over_by_out(tmp_path):
    out = tmp_path / "r.json"
    # 40 rounds of 0.25 s reads: still running while the second command starts on a busy machine
    proc = start_fmtbench(*SLOW, "--rounds", "40", "--out", str(out), env=PLUGINS, cwd=ROOT)
    _wait_for(out, 1, proc)
    try:
        again = fmtbench(*SLOW, "--out", str(out), env=PLUGINS)
        assert "being written by another fmtbench run" in assert_one_line_error(again, 2)
    finally:
        proc.kill()
        proc.wait()
    again = fmtbench(*SLOW, "--out", str(out), env=PLUGINS)
    assert f"--resume {out}" in assert_one_line_error(again, 2)


def _interrupted(tmp_path: Path, *extra: str, n: int = 1) -> Path:
    out = tmp_path / "r.json"
    proc = start_fmtbench(*SLOW, *extra, "--out", str(out), env=PLUGINS, cwd=ROOT)
    _wait_for(out, n, proc)
    proc.kill()
    proc.wait()
    return out


@pytest.mark.slow
def test_resume_refuses_other_options_naming_them(tmp_path):
    out = _interrupted(tmp_path)
    proc = fmtbench_main("run", "--resume", str(out), "--rounds", "5", "--cache", "cold")
    line = assert_one_line_error(proc, 2)
    assert "--rounds 5 (the run used 2)" in line and "--cache cold (the run used warm)" in line
    proc = fmtbench("run", "--resume", str(out), "--rounds", "2", "--quiet", "--no-charts",
                    env=PLUGINS)  # fmt: skip
    assert proc.returncode == 0, proc.stderr  # the same value is no difference


@pytest.mark.slow
def test_resume_refuses_a_changed_data_file(tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("a,b\n" + "".join(f"{i},x{i}\n" for i in range(200)))
    out = tmp_path / "r.json"
    args = ("run", "--data", str(data), "--rounds", "2", "--quiet", "--no-charts")
    proc = start_fmtbench(*args, "--formats", "test-slow", "--out", str(out), env=PLUGINS, cwd=ROOT)
    _wait_for(out, 1, proc)
    proc.kill()
    proc.wait()
    data.write_text(data.read_text() + "999,y\n")
    proc = fmtbench("run", "--resume", str(out), env=PLUGINS)
    assert f"--data {data} changed" in assert_one_line_error(proc, 2)


@pytest.mark.slow
def test_a_journal_with_an_unknown_config_key_is_a_clear_error(tmp_path):
    out = _interrupted(tmp_path)
    lines = _journal(out).read_text().splitlines()
    header = json.loads(lines[0])
    header["config"]["future_knob"] = 1
    _journal(out).write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    line = assert_one_line_error(fmtbench_main("run", "--resume", str(out)), 2)
    assert "future_knob" in line and not line.startswith("error: unexpected")


@pytest.mark.slow
def test_stuck_and_crashing_cases_with_params_or_unicode_are_failed_once(tmp_path):
    out = tmp_path / "r.json"
    args = ("run", *TINY, "--formats", "test-crash-columns,test-hängend,feather")
    # 4 s per case: the first test of a group may take the group's cases together (3 x 4 s
    # here), room for a worker's first case (data, imports) on a loaded 2-core machine
    # one column: a case id with a parameter is enough, and each group costs its timeouts
    proc = fmtbench(*args, "--ops", "read,read_column", "--columns", "id", "--case-timeout", "4",
                    "--out", str(out), env=PLUGINS, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    errors = {f["id"]: f["error"] for f in data["fmtbench"]["failed"]}
    crash = ["mixed@300/test-crash-columns/none/read_column[column=id]"]
    hang = [f"mixed@300/test-hängend/none/{op}" for op in ("read", "read_column[column=id]")]
    assert sorted(errors) == sorted(crash + hang)
    assert all("worker process died" in errors[c] for c in crash)
    assert all("timed out after 4 s" in errors[c] for c in hang)
    assert set(_case_ids(out).values()) == {1} and len(_case_ids(out)) == 6


@pytest.mark.slow
def test_resume_keeps_the_runs_case_timeout(tmp_path):
    out = tmp_path / "r.json"
    args = ("run", *TINY, "--formats", "test-slow,test-hängend", "--ops", "read", "--rounds", "2")
    proc = start_fmtbench(*args, "--case-timeout", "4", "--out", str(out), env=PLUGINS, cwd=ROOT)
    _wait_for(out, 1, proc)
    proc.kill()
    proc.wait()
    proc = fmtbench("run", "--resume", str(out), "--quiet", "--no-charts", env=PLUGINS, timeout=120)
    assert proc.returncode == 0, proc.stderr
    failed = json.loads(out.read_text())["fmtbench"]["failed"]
    assert [f["error"] for f in failed] == ["timed out after 4 s (--case-timeout)"]


@pytest.mark.parametrize("value", ["nan", "inf", "0", "-1", "soon"])
def test_case_timeout_must_be_positive_and_finite(value, tmp_path):
    proc = fmtbench_main("run", *TINY, "--case-timeout", value, cwd=tmp_path)
    assert "--case-timeout" in assert_one_line_error(proc, 2)
    assert not (tmp_path / "results").exists()


@pytest.mark.slow
def test_stale_scratch_directories_of_dead_runs_are_swept(tmp_path):
    work = tmp_path / "work"
    stale, live, foreign = work / "fmtbench-run-old", work / "fmtbench-run-live", work / "other"
    for d in (stale, live, foreign):
        d.mkdir(parents=True)
        (d / "big.bin").write_bytes(b"\0" * 1000)
    (stale / "owner.pid").write_text(str(_dead_pid()))
    (live / "owner.pid").write_text(str(os.getpid()))
    args = ("run", *TINY, "--formats", "feather", "--ops", "write", "--workdir", str(work))
    proc = fmtbench(*args, "--out", str(tmp_path / "r.json"))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in work.iterdir()) == ["fmtbench-run-live", "other"]


def test_a_generator_child_dies_with_its_parent(tmp_path):
    marker = tmp_path / "child.pid"
    script = (
        "import subprocess, sys\n"
        "from benchmarks.datasets.owned import die_with_parent\n"
        "child = subprocess.Popen(['sleep', '60'], preexec_fn=die_with_parent)\n"
        f"open({str(marker)!r}, 'w').write(str(child.pid))\n"
        "child.wait()\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script], env=cli_env())
    deadline = time.monotonic() + 30
    while not marker.exists() or not marker.read_text():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    child = int(marker.read_text())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child}").exists() and "Z" not in _state(child):
        assert time.monotonic() < deadline, "the child outlived its parent"
        time.sleep(0.05)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return "Z"


def test_stale_generating_directories_are_swept(tmp_path):
    from benchmarks.datasets.owned import sweep_stale

    stale, live = tmp_path / ".generating-a", tmp_path / ".generating-b"
    for d, pid in ((stale, _dead_pid()), (live, os.getpid() + 0)):
        d.mkdir()
        (d / "owner.pid").write_text(str(pid))
    (live / "owner.pid").write_text(str(os.getppid()))  # a live process that is not us
    assert sweep_stale(tmp_path, ".generating-") == [stale]
    assert live.exists() and not stale.exists()


@pytest.mark.slow
def test_sigterm_is_honoured_while_data_loads(tmp_path):
    data = tmp_path / "slow-load.arrow"
    data.write_bytes(b"not arrow at all")  # every real reader fails; the test one is slow
    proc = start_fmtbench("run", "--data", str(data), "--quiet", env=PLUGINS, cwd=tmp_path)
    loading = tmp_path / "slow-load.arrow.loading"  # the test adapter's `sleep 30` pid
    deadline = time.monotonic() + 120
    while not loading.exists():  # imports done, in the middle of loading (in C code)
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.communicate(timeout=20)
        assert time.monotonic() - started < 10
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(loading.read_text()), signal.SIGKILL)  # the adapter's orphaned sleep
    assert not (tmp_path / "results").exists()


def test_blocking_and_special_data_paths_are_refused(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    proc = fmtbench("run", "--data", str(fifo), cwd=tmp_path, timeout=30)
    assert "not a regular file" in assert_one_line_error(proc, 2)
    special = tmp_path / "kernel.csv"
    special.symlink_to("/proc/self/status")
    proc = fmtbench("run", "--data", str(special), cwd=tmp_path, timeout=30)
    assert "special file" in assert_one_line_error(proc, 2)


@pytest.mark.slow
def test_keep_files_keeps_every_benchmark_file(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    args = ("run", "--datasets", "mixed", "--rows", "300,400", "--rounds", "1", "--no-charts",
            "--quiet", "--formats", "feather,csv-pyarrow", "--ops", "write,read")  # fmt: skip
    proc = fmtbench(
        *args, "--keep-files", "--workdir", str(work), "--out", str(tmp_path / "r.json")
    )
    assert proc.returncode == 0, proc.stderr
    kept = [p for p in work.rglob("*") if p.is_file() and p.suffix in (".arrow", ".csv")]
    assert len(kept) >= 8  # 2 sizes x 2 formats x (prepared file + written file), at least
    for rows in ("300", "400"):
        names = {p.name for p in kept if p.parent.name.endswith(rows)}
        assert {"write-mixed.lz4.arrow", "write-mixed.none.csv"} <= names, names
    assert "benchmark files kept in" in proc.stdout


@pytest.mark.slow
def test_repeated_list_items_run_once_with_a_note(tmp_path):
    out = tmp_path / "r.json"
    args = ("run", *TINY, "--formats", "feather,feather", "--ops", "write,write,read_column")
    proc = fmtbench(*args, "--columns", "id,id", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert set(_case_ids(out).values()) == {1} and len(_case_ids(out)) == 2
    notes = [ln for ln in proc.stderr.splitlines() if ln.startswith("note: ")]
    assert len(notes) == 3 and "--formats lists feather more than once" in notes[0]


@pytest.mark.slow
def test_results_files_are_readable_by_others(tmp_path):
    out = tmp_path / "r.json"
    proc = fmtbench("run", *TINY, "--formats", "feather", "--ops", "write", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
