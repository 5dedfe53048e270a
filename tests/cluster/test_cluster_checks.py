"""Cluster sizes checked against the machine, and nothing a cluster run made is left
behind: not on success, failure, SIGINT, SIGTERM or SIGHUP (issue 24)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from benchmarks.cluster.session import check_cluster_size, open_cluster
from benchmarks.errors import UsageError
from tests.helpers import ROOT, cli_env, fmtbench
from tests.inprocess import one_line_error, run_cli

CORES = os.cpu_count() or 1
TINY = ("--formats", "csv-pyarrow", "--ops", "write", "--rows", "50", "--rounds", "1")


@pytest.mark.parametrize("spec", ["local:0", "local:-1", "local:two", "local:"])
def test_n_below_one_says_n_must_be_at_least_one(tmp_path, capsys, spec):
    line = one_line_error(run_cli(capsys, "run", "--cluster", spec, *TINY,
                                  "--out", str(tmp_path / "r.json")))  # fmt: skip
    assert f"--cluster {spec}: N (workers) must be a whole number >= 1, e.g. local:2" in line
    assert not list(tmp_path.iterdir())


def test_far_more_workers_than_cores_needs_force(tmp_path, capsys):
    spec = f"local:{CORES * 100}"
    line = one_line_error(run_cli(capsys, "run", "--cluster", spec, *TINY,
                                  "--out", str(tmp_path / "r.json")))  # fmt: skip
    assert f"--cluster {spec}" in line and f"on {CORES} cores" in line
    assert f"at most local:{4 * CORES}" in line and "--force" in line
    assert not list(tmp_path.iterdir())
    check_cluster_size(spec, force=True)  # --force: the user's call
    check_cluster_size(f"local:{4 * CORES}")
    with pytest.raises(UsageError):
        check_cluster_size(f"local:{4 * CORES + 1}")


@pytest.mark.parametrize("failure", [None, RuntimeError])
def test_the_clusters_scratch_is_its_own_and_removed(failure):
    from dask.distributed import Client

    expected = pytest.raises(RuntimeError) if failure else contextlib.nullcontext()
    with expected, open_cluster("local:1") as runtime:
        scratch = runtime.scratch
        with Client(runtime.address) as client:
            dirs = client.run(lambda dask_worker: dask_worker.local_directory)
        assert all(d.startswith(scratch) for d in dirs.values()), (dirs, scratch)
        if failure:
            raise failure("boom")
    assert not os.path.exists(scratch)


def _own_temp(tmp_path) -> tuple[dict[str, str], object]:
    temp = tmp_path / "temp"
    temp.mkdir()
    return {**cli_env(), "TMPDIR": str(temp)}, temp


def test_a_successful_cluster_run_leaves_nothing_in_temp(tmp_path):
    env, temp = _own_temp(tmp_path)
    out = tmp_path / "r.json"
    proc = fmtbench("run", "--cluster", "local:2", *TINY, "--no-charts", "--quiet",
                    "--out", str(out), env=env)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert out.exists() and sorted(p.name for p in temp.iterdir()) == []


@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM])
def test_a_signal_leaves_nothing_in_temp_and_no_process(tmp_path, sig):
    env, temp = _own_temp(tmp_path)
    out = tmp_path / "r.json"
    cmd = [sys.executable, "-m", "benchmarks.cli", "run", "--cluster", "local:1",
           "--formats", "jsonl-orjson", "--ops", "read", "--rows", "20000", "--rounds", "30",
           "--no-charts", "--quiet", "--out", str(out)]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    journal = out.with_name("r.journal.jsonl")
    deadline = time.monotonic() + 180
    while '"start"' not in (journal.read_text() if journal.exists() else ""):
        assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
        time.sleep(0.2)
    children = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 130 and f"--resume {out}" in err, err
    assert "Traceback" not in err
    _, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, [p.cmdline() for p in alive]
    assert sorted(p.name for p in temp.iterdir()) == []
