"""One real S3 API (moto's server) on loopback for the whole session, and the CLI in-process."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator

import boto3
import pytest

from benchmarks.storage.session import moto_server
from tests.inprocess import one_line_error as one_line_error
from tests.inprocess import run_cli

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
    """``fmtbench ARGS`` in this process: (exit code, stdout, stderr)."""
    monkeypatch.setenv("COLUMNS", "200")
    return functools.partial(run_cli, capsys)
