"""Never outside its own prefix: prefixes parsed once, writes and deletes checked, and a
store that is not there refused in seconds, before any case (issue 24)."""

from __future__ import annotations

import json
import time

import botocore.exceptions
import pytest

from benchmarks.storage.location import Endpoint, Location
from benchmarks.storage.prefix import OutsidePrefix, parse_uri
from benchmarks.storage.proxy import RecordingProxy, read_counters
from tests.storage.conftest import every_object, one_line_error

RUN = ("--formats", "csv-pyarrow", "--ops", "write", "--rows", "50", "--rounds", "1",
       "--no-charts", "--quiet")  # fmt: skip


@pytest.mark.parametrize(
    "uri, why",
    [
        ("s3://fbtest/../../escape", "'..' segment"),
        ("s3://fbtest/a/../b", "'..' segment"),
        ("s3://fbtest/./p", "'.' segment"),
        ("s3://fbtest//p", "empty segment"),
        ("s3://fbtest/a//b/", "empty segment"),
        ("s3://../p", "not an S3 bucket name"),
        ("s3:///p", "names no bucket"),
        ("s3://a/p", "not an S3 bucket name"),
        ("s3://fb_test_/p", "not an S3 bucket name"),
    ],
)
def test_odd_prefixes_are_refused_when_parsed(uri, why):
    with pytest.raises(ValueError, match=why):
        parse_uri(uri)


def test_plain_prefixes_parse_once():
    assert parse_uri("s3://bench/data/") == ("bench", "data")
    assert parse_uri("s3://bench") == ("bench", "")
    assert parse_uri("s3://my.bench-1/a/b.c/d") == ("my.bench-1", "a/b.c/d")


@pytest.mark.parametrize("spec", ["s3://fbtest/../../escape", "s3://fbtest//p", "s3://fbtest/."])
def test_an_escaping_prefix_is_one_line_and_nothing_is_written(cli, s3, s3_url, tmp_path, spec):
    for bucket in ("fbtest", "escape"):
        s3.create_bucket(Bucket=bucket)
    before = every_object(s3)
    given = ("--storage", spec, "--storage-option", f"endpoint_url={s3_url}")
    line = one_line_error(cli("run", *given, *RUN, "--out", str(tmp_path / "r.json")))
    assert f"--storage {spec}" in line and "segment" in line and "s3://" in line
    assert every_object(s3) == before and not list(tmp_path.iterdir())


def test_a_location_refuses_to_write_or_delete_outside_its_root():
    root = Location(Endpoint("http://127.0.0.1:9"), "bench", "data/run-1", root="bench/data/run-1")
    with pytest.raises(ValueError, match="'..' segment"):
        root / "../../escape"
    with pytest.raises(ValueError, match="empty segment"):
        root / "a//b"
    stray = Location(root.endpoint, "bench", "data/run-10/x", root=root.root)  # a sibling
    with pytest.raises(OutsidePrefix, match="outside the run's prefix s3://bench/data/run-1"):
        stray.open_output()
    with pytest.raises(OutsidePrefix, match="refusing to delete"):
        Location(root.endpoint, "escape", "data/run-1/x", root=root.root).remove()


@pytest.fixture
def confined(s3, s3_url):
    """A recording proxy confined to s3://bench/data/run-1, and a client going through it."""
    import boto3

    for bucket in ("bench", "escape"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket="bench", Key="data/keep.txt", Body=b"keep")
    proxy = RecordingProxy(s3_url, confine="bench/data/run-1").start()
    try:
        yield proxy, boto3.client("s3", endpoint_url=proxy.url, region_name="us-east-1")
    finally:
        proxy.stop()


def test_the_proxy_refuses_writes_and_deletes_outside_the_runs_prefix(confined, s3):
    proxy, client = confined
    client.put_object(Bucket="bench", Key="data/run-1/ok.bin", Body=b"ok")  # inside: allowed
    before = every_object(s3)
    attempts = [
        lambda: client.put_object(Bucket="escape", Key="data/run-1/x", Body=b"x"),
        lambda: client.put_object(Bucket="bench", Key="data/run-10/x", Body=b"x"),
        lambda: client.put_object(Bucket="bench", Key="data/x", Body=b"x"),
        lambda: client.delete_object(Bucket="bench", Key="data/keep.txt"),
        lambda: client.delete_objects(
            Bucket="bench",
            Delete={"Objects": [{"Key": "data/run-1/ok.bin"}, {"Key": "data/keep.txt"}]},
        ),  # fmt: skip
        lambda: client.create_multipart_upload(Bucket="escape", Key="big"),
        lambda: client.create_bucket(Bucket="another"),
    ]
    for attempt in attempts:
        with pytest.raises(botocore.exceptions.ClientError, match="outside the run's prefix"):
            attempt()
    assert every_object(s3) == before  # nothing written, nothing deleted
    assert read_counters(proxy.url)["events"]["refused_outside_prefix"] == len(attempts)
    client.delete_objects(Bucket="bench", Delete={"Objects": [{"Key": "data/run-1/ok.bin"}]})
    assert ("bench", "data/run-1/ok.bin") not in every_object(s3)


def test_a_run_on_a_real_endpoint_touches_nothing_outside_its_prefix(cli, s3, s3_url, tmp_path):
    for bucket in ("bench", "escape"):
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket="bench", Key="data/keep.txt", Body=b"keep")
    s3.put_object(Bucket="bench", Key="data-other/keep.txt", Body=b"keep")
    before = every_object(s3)
    out = tmp_path / "r.json"
    code, _, err = cli("run", "--storage", "s3://bench/data/", "--storage-option",
                       f"endpoint_url={s3_url}", "--formats", "parquet-pyarrow,lance,csv-pyarrow",
                       "--ops", "write,read", "--rows", "200", "--rounds", "1", "--no-charts",
                       "--quiet", "--out", str(out))  # fmt: skip
    assert code == 0, err
    assert "Traceback" not in err
    data = json.loads(out.read_text())
    assert not data["fmtbench"]["failed"] and len(data["benchmarks"]) == 6
    assert every_object(s3) == before


@pytest.mark.parametrize(
    "spec, option, expected",
    [
        ("s3://fbtest/p", "endpoint_url=http://127.0.0.1:1", "does not answer"),
        ("s3://nosuchbucket/p", None, "bucket 'nosuchbucket' does not exist"),
    ],
)
def test_an_unreachable_store_is_refused_in_seconds(cli, s3, s3_url, tmp_path, spec, option,
                                                    expected):  # fmt: skip
    s3.create_bucket(Bucket="fbtest")
    endpoint = option.partition("=")[2] if option else s3_url
    start = time.monotonic()
    given = ("--storage", spec, "--storage-option", f"endpoint_url={endpoint}")
    line = one_line_error(cli("run", *given, *RUN, "--out", str(tmp_path / "r.json")))
    assert time.monotonic() - start < 15  # the runner's imports included; no case ran
    assert expected in line and f"endpoint {endpoint}" in line and spec in line
    assert not list(tmp_path.iterdir())
