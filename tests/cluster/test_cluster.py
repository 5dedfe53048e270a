"""A real Dask LocalCluster (1-2 workers, loopback) on tiny data: results, shape, cleanup."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time

import psutil
import pytest

from benchmarks.cluster.session import open_cluster
from tests.helpers import ONE_WARMUP, ROOT, cli_env, fmtbench, new_bucket

pytestmark = pytest.mark.slow  # real clusters and runs (scripts/test --quick skips them)


def refused(address: str) -> bool:
    host, port = address.removeprefix("tcp://").rsplit(":", 1)
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex((host, int(port))) != 0


def test_local_cluster_is_loopback_and_stops_on_failure():
    with pytest.raises(RuntimeError), open_cluster("local:1") as runtime:
        assert runtime.address.startswith("tcp://127.0.0.1:") and runtime.workers == 1
        address = runtime.address
        assert not refused(address)
        raise RuntimeError("boom")
    assert refused(address)


def test_cluster_run_records_engine_workers_partitions(tmp_path):
    out = tmp_path / "r.json"
    proc = fmtbench(
        "run", "--cluster", "local:2", "--formats", "parquet-pyarrow,csv-pyarrow,msgpack",
        "--ops", "write,read,read_column,take", "--columns", "amount", "--k", "1",
        "--patterns", "uniform", "--rows", "400", "--rounds", "1", "--no-charts", "--quiet",
        "--out", str(out), *ONE_WARMUP,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    entries = [b["extra_info"] for b in data["benchmarks"]]
    assert len(entries) == 9 and not data["fmtbench"]["failed"]
    for info in entries:
        assert info["engine"] == "dask" and info["workers"] == 2 and info["partitions"] >= 4
        if info["operation"] != "write":
            assert info["rows_counted"] == 400  # every row read back, on the cluster
    by = {(e["adapter"], e["operation"]): e for e in entries}
    assert by[("msgpack", "write")]["dask_writer"] == "adapter per partition"
    assert by[("parquet-pyarrow", "write")]["file_bytes"] > 0
    assert all("take" in s["id"] for s in data["fmtbench"]["skipped"])


def test_sigint_leaves_no_dask_processes(tmp_path):
    out = tmp_path / "r.json"
    cmd = [
        sys.executable, "-m", "benchmarks.cli", "run", "--cluster", "local:1",
        "--formats", "jsonl-orjson", "--ops", "read", "--rows", "20000", "--rounds", "30",
        "--no-charts", "--quiet", "--out", str(out),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=cli_env(), stderr=subprocess.PIPE, text=True)
    journal = out.with_name("r.journal.jsonl")
    deadline = time.monotonic() + 180
    while '"start"' not in (journal.read_text() if journal.exists() else ""):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.2)
    children = psutil.Process(proc.pid).children(recursive=True)
    assert len(children) >= 2  # the pytest worker and the Dask worker (nanny) at least
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=90)
    assert proc.returncode == 130, err
    _, alive = psutil.wait_procs(children, timeout=30)
    assert not alive, [p.cmdline() for p in alive]


def test_remote_scheduler_reads_and_writes_object_storage(
    tmp_path, monkeypatch, moto_url, dask_cluster
):
    """tcp://HOST:PORT with s3://B/P: the workers reach the files through the store only."""
    import boto3

    for name, value in {"AWS_ACCESS_KEY_ID": "k", "AWS_SECRET_ACCESS_KEY": "s"}.items():
        monkeypatch.setenv(name, value)  # the CLI and its worker; the cluster has its own
    bucket = new_bucket()
    boto3.client("s3", endpoint_url=moto_url, region_name="us-east-1").create_bucket(Bucket=bucket)
    out = tmp_path / "r.json"
    proc = fmtbench(
        "run", "--cluster", dask_cluster.address, "--storage", f"s3://{bucket}/run",
        "--storage-option", f"endpoint_url={moto_url}", "--formats", "parquet-pyarrow,msgpack",
        "--ops", "write,read", "--rows", "300", "--rounds", "1", "--no-charts", "--quiet",
        "--out", str(out), *ONE_WARMUP, env=cli_env(),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert not data["fmtbench"]["failed"]
    for b in data["benchmarks"]:
        info = b["extra_info"]
        assert info["engine"] == "dask" and info["workers"] == 1
        assert info["storage"] == f"s3://{bucket}/run" and sum(info["requests"].values()) > 0


def test_cluster_scan_pushes_the_predicate_and_counts_the_selection(tmp_path):
    out = tmp_path / "r.json"
    proc = fmtbench(
        "run", "--cluster", "local:1", "--formats", "parquet-pyarrow,csv-pyarrow,msgpack",
        "--ops", "scan", "--selectivity", "0.1", "--rows", "400", "--rounds", "1",
        "--no-charts", "--quiet", "--out", str(out), *ONE_WARMUP,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text())
    assert not data["fmtbench"]["failed"]
    entries = [b["extra_info"] for b in data["benchmarks"]]
    assert len(entries) == 9  # sorted, unsorted, stratum per format
    for info in entries:
        assert info["engine"] == "dask"
        assert 0 < info["rows_counted"] == info["rows_selected"] < 400  # filtered on the cluster
    how = {e["adapter"]: (e["dask_filter"], e["native"]) for e in entries}
    assert how["parquet-pyarrow"] == ("read_parquet filters", True)
    assert how["csv-pyarrow"] == ("after read", False)
    assert how["msgpack"][0] == "adapter scan per partition"
