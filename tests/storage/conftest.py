"""One real S3 API (moto's server) on loopback for the whole session, and the CLI in-process."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator

import boto3
import pytest

from benchmarks.cli.main import main
from benchmarks.storage.session import moto_server

#: Credentials moto accepts; set for every test that talks to the server.
KEYS = {"AWS_ACCESS_KEY_ID": "fmtbench-test", "AWS_SECRET_ACCESS_KEY": "fmtbench-test"}


@pytest.fixture(scope="session")
def s3_url() -> Iterator[str]:
    """``http://127.0.0.1:PORT`` of a moto server shared by the session's storage tests."""
    with moto_server() as url:
        yield url


@pytest.fixture
def s3(s3_url: str, monkeypatch: pytest.MonkeyPatch):
    """A boto3 client on the shared server, with the test credentials in the environment."""
    for key, value in KEYS.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    return boto3.client("s3", endpoint_url=s3_url, region_name="us-east-1")


def every_object(client) -> set[tuple[str, str]]:
    """(bucket, key) of every object on the server: what a run may not have changed."""
    found = set()
    for bucket in client.list_buckets()["Buckets"]:
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket["Name"])
        for page in pages:
            found |= {(bucket["Name"], o["Key"]) for o in page.get("Contents", [])}
    return found


@pytest.fixture
def cli(capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> Callable:
    """``fmtbench ARGS`` in this process: (exit code, stdout, stderr); signal handlers kept."""
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> tuple[int, str, str]:
        saved = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}
        try:
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse refusals
                code = exc.code
        finally:
            for s, handler in saved.items():
                signal.signal(s, handler)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def one_line_error(result: tuple[int, str, str], code: int = 2) -> str:
    """The single ``error: ...`` line of a refusal (and no traceback anywhere)."""
    rc, out, err = result
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert rc == code, result
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in out + err
    return lines[0]
