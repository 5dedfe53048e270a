"""``fmtbench run --storage`` end to end in a subprocess, on tiny data, as a user runs it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import boto3
import pytest

from tests.helpers import (
    ONE_WARMUP,
    ROOT,
    assert_one_line_error,
    cli_env,
    fmtbench,
    fmtbench_main,
    new_bucket,
)

SECRET = "s3cr3t-never-printed-7f3a"
KEY_ID = "AKIDFMTBENCHTEST"


@pytest.mark.slow
def test_s3_local_records_requests_and_bytes(tmp_path):
    out = tmp_path / "r.json"
    proc = fmtbench(
        "run", "--storage", "s3-local", "--formats", "parquet-pyarrow,parquet-fastparquet",
        "--ops", "write,read,read_column", "--columns", "id", "--rows", "500",
        "--rounds", "1", "--no-charts", "--quiet", "--out", str(out), *ONE_WARMUP,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    results = json.loads(out.read_text())["benchmarks"]
    entries = {b["extra_info"]["operation"]: b["extra_info"] for b in results}
    for op in ("write", "read", "read_column"):
        info = entries[op]
        assert info["storage"] == "s3-local" and sum(info["requests"].values()) > 0
    assert entries["write"]["bytes_sent"] > 0 and entries["read"]["bytes_fetched"] > 0
    assert entries["read"]["fetch_amplification"] > 0
    skipped = json.loads(out.read_text())["fmtbench"]["skipped"]
    assert any("fastparquet" in s["id"] and "object storage" in s["reason"] for s in skipped)


@pytest.mark.slow
def test_real_endpoint_keeps_secrets_and_other_objects(tmp_path, moto_url):
    """s3://B/P against an S3 API reached by URL: secrets never written, nothing else deleted."""
    url, bucket = moto_url, new_bucket()
    s3 = boto3.client(
        "s3", endpoint_url=url, region_name="us-east-1",
        aws_access_key_id=KEY_ID, aws_secret_access_key=SECRET,
    )  # fmt: skip
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="data/keep.txt", Body=b"keep")
    s3.put_object(Bucket=bucket, Key="elsewhere.txt", Body=b"keep")
    out = tmp_path / "r.json"
    env = {k: v for k, v in cli_env().items() if not k.startswith("AWS_")}
    proc = fmtbench(
        "run", "--storage", f"s3://{bucket}/data", "--storage-option", f"endpoint_url={url}",
        "--storage-option", f"key={KEY_ID}", "--storage-option", f"secret={SECRET}",
        "--formats", "parquet-pyarrow", "--ops", "read", "--rows", "300", "--rounds", "1",
        "--no-charts", "--out", str(out), env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert keys == ["data/keep.txt", "elsewhere.txt"]  # the run's prefix is gone, nothing else
    text = out.read_text()
    assert SECRET not in proc.stdout + proc.stderr + text
    assert KEY_ID not in proc.stdout + proc.stderr + text
    assert json.loads(text)["benchmarks"][0]["extra_info"]["requests"]["GET"] > 0


@pytest.mark.slow
def test_sigint_stops_the_run_and_its_server(tmp_path):
    out = tmp_path / "r.json"
    cmd = [
        sys.executable, "-m", "benchmarks.cli", "run", "--storage", "s3-local",
        "--storage-latency", "200ms", "--formats", "csv-pyarrow", "--ops", "read",
        "--rows", "2000", "--rounds", "20", "--no-charts", "--quiet", "--out", str(out),
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=cli_env(), stderr=subprocess.PIPE, text=True)
    journal = out.with_name("r.journal.jsonl")
    deadline = time.monotonic() + 120
    while '"start"' not in (journal.read_text() if journal.exists() else ""):
        assert time.monotonic() < deadline and proc.poll() is None
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)  # hangs here if a server thread kept it alive
    assert proc.returncode == 130, err
    assert "--resume" in err


@pytest.mark.parametrize(
    "args, message",
    [
        (["--storage", "gs://x"], "unknown storage"),
        (["--storage-latency", "20ms"], "needs object storage"),
        (["--storage", "s3-local", "--storage-option", "colour=blue"], "unknown key"),
        (["--cluster", "tcp://10.0.0.1:8786"], "cannot see this machine's files"),
    ],
)
def test_bad_storage_options_are_one_line_errors(tmp_path, args, message):
    proc = fmtbench_main(
        "run", *args, "--formats", "csv-pyarrow", "--out", str(tmp_path / "r.json")
    )
    assert message in assert_one_line_error(proc, 2)
    assert not list(tmp_path.iterdir())
