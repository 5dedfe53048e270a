"""A simulated link no client can wait for is refused; the proxy never prints a traceback:
a client that hangs up is a counted event, a dead endpoint a 502 naming it (issue 24)."""

from __future__ import annotations

import socket
import struct
import time

import pytest

from benchmarks.storage.proxy import RecordingProxy, read_counters, set_latency
from benchmarks.storage.session import free_port
from tests.storage.conftest import one_line_error

RUN = ("--storage", "s3-local", "--formats", "csv-pyarrow", "--ops", "read", "--rounds", "1")


@pytest.mark.parametrize(
    "flag, value, expected",
    [
        ("--storage-latency", "10s", "--storage-latency 10000ms: longer than the storage clients"),
        ("--storage-latency", "1e9ms", "--storage-latency 1e+09ms: longer than"),
        ("--storage-latency", "0,2001ms", "use at most 2000ms"),
        ("--storage-latency", "nan", "must be >= 0 ms"),
        ("--storage-latency", "inf", "longer than the storage clients wait"),
        ("--storage-bandwidth", "0.001MB/s", "one 64 KB chunk takes 65.5 s"),
        ("--storage-bandwidth", "1kb/s", "use at least 0.04MB/s"),
        ("--storage-bandwidth", "inf", "a positive, finite rate, e.g. 100MB/s"),
    ],
)
def test_a_link_slower_than_clients_wait_is_refused(cli, tmp_path, flag, value, expected):
    line = one_line_error(cli("run", *RUN, flag, value, "--out", str(tmp_path / "r.json")))
    assert expected in line, line
    if "longer than" in line:
        assert "pyarrow's S3 client" in line  # which client's wait it exceeds
    assert not list(tmp_path.iterdir())


def test_latency_and_bandwidth_together_must_fit_the_wait(cli, tmp_path):
    args = ("--storage-latency", "1900ms", "--storage-bandwidth", "0.5MB/s")
    line = one_line_error(cli("run", *RUN, *args, "--out", str(tmp_path / "r.json")))
    assert "--storage-bandwidth 0.5MB/s" in line and "plus 1900 ms latency" in line


def _hang_up_during(proxy_url: str, path: str) -> None:
    """Send a request and reset the connection before the answer (SO_LINGER 0: RST)."""
    host, port = proxy_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def test_a_client_hanging_up_is_counted_never_printed(s3, s3_url, capfd):
    s3.create_bucket(Bucket="hangup")
    s3.put_object(Bucket="hangup", Key="run/big.bin", Body=b"z" * 4_000_000)
    proxy = RecordingProxy(s3_url, confine="hangup/run").start()
    try:
        set_latency(proxy.url, 300)  # the answer comes after the client has gone
        for _ in range(3):
            _hang_up_during(proxy.url, "/hangup/run/big.bin")
        deadline = time.monotonic() + 20
        while read_counters(proxy.url)["events"].get("client_hangups", 0) < 3:
            assert time.monotonic() < deadline, read_counters(proxy.url)
            time.sleep(0.1)
    finally:
        proxy.stop()
    err = capfd.readouterr().err
    assert "Traceback" not in err and "BrokenPipe" not in err and "ConnectionReset" not in err


def test_a_dead_endpoint_is_a_502_naming_it_not_the_proxy(s3, capfd):
    import boto3
    import botocore.exceptions

    dead = f"http://127.0.0.1:{free_port()}"
    proxy = RecordingProxy(dead).start()
    try:
        once = botocore.config.Config(retries={"max_attempts": 1})
        client = boto3.client("s3", endpoint_url=proxy.url, region_name="us-east-1", config=once)
        with pytest.raises(botocore.exceptions.ClientError) as failure:
            client.put_object(Bucket="b", Key="k", Body=b"x")
        assert failure.value.response["Error"]["Code"] == "BadGateway"
        assert dead in str(failure.value) and proxy.url not in str(failure.value)
        assert read_counters(proxy.url)["events"]["upstream_errors"] >= 1
    finally:
        proxy.stop()
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(
    "args, expected",
    [
        (["--storage", ""], "--storage '': unknown storage"),
        (["--storage", "s3://bench1/p\n/x"], "--storage 's3://bench1/p\\n/x': the prefix"),
        (["--storage", "s3-local", "--storage-option", "endpoint_url="], "empty value"),
        (["--cluster", "tcp://127.0.0.1:1"], "no Dask scheduler answers there"),
    ],
)
def test_other_odd_values_are_one_line_before_any_work(cli, tmp_path, args, expected):
    if args[0] == "--cluster":
        args = [*args, "--storage", "s3://bench1/p", "--storage-option", "endpoint_url=http://x:1"]
    line = one_line_error(cli("run", *args, "--formats", "csv-pyarrow", "--out",
                              str(tmp_path / "r.json")))  # fmt: skip
    assert expected in line, line
    assert not list(tmp_path.iterdir())


def test_a_server_that_is_not_s3_is_named_as_such(cli, tmp_path):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class NotS3(BaseHTTPRequestHandler):
        def do_HEAD(self):  # noqa: N802 - http.server's naming
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotS3)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        line = one_line_error(cli("run", "--storage", "s3://bench1/p", "--storage-option",
                                  f"endpoint_url={url}", "--formats", "csv-pyarrow",
                                  "--out", str(tmp_path / "r.json")))  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
    assert f"(endpoint {url}): the endpoint answers HTTP 404 but is not an S3 API" in line
