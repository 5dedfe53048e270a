"""A recording reverse proxy on loopback: counts each client's S3 requests and bytes.

Counting at the wire, not in the client, is what makes engines comparable: pyarrow's
C++ SDK, Lance's and Vortex's Rust object_store and s3fs each batch, retry and coalesce
differently, and none of them reports what it fetched. Every request between a client
and the S3 server passes through here; ``--storage-latency`` sleeps before forwarding,
so a client that issues requests in parallel pays the delay in parallel, as on a WAN.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

#: The proxy's own path: bucket names cannot start with "_", so no S3 request uses it.
COUNTERS_PATH = "/_fmtbench/counters"
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}
_CHUNK = 1 << 20


class Counters:
    """Requests by verb and bytes each way, shared by the proxy's handler threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.bytes_fetched = 0  # response bodies, server -> client
        self.bytes_sent = 0  # request bodies, client -> server

    def add(self, verb: str, sent: int, fetched: int) -> None:
        """Record one forwarded request."""
        with self._lock:
            self.requests[verb] += 1
            self.bytes_sent += sent
            self.bytes_fetched += fetched

    def snapshot(self) -> dict[str, Any]:
        """A JSON-ready copy of the totals so far."""
        with self._lock:
            return {
                "requests": dict(self.requests),
                "bytes_fetched": self.bytes_fetched,
                "bytes_sent": self.bytes_sent,
            }


def s3_verb(method: str, path: str, query: str) -> str:
    """GET/PUT/HEAD/LIST/POST/DELETE as S3 means them: a GET on a bucket is a LIST."""
    if method == "GET":
        key = path.lstrip("/").partition("/")[2]
        if not key or "list-type" in query or query.startswith("prefix") or "&prefix" in query:
            return "LIST"
    return method


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: clients reuse connections as against S3
    server: _ProxyServer

    def log_message(self, *args: Any) -> None:  # quiet: the worker log is for errors
        pass

    def _body(self) -> bytes:
        """The request body, whether sized or chunked (some SDKs stream uploads)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _forward(self) -> None:
        split = urlsplit(self.path)
        if split.path == COUNTERS_PATH:
            return self._reply_json(self.server.counters.snapshot())
        body = self._body()
        if self.server.latency_s:
            time.sleep(self.server.latency_s)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
        if body or self.command in ("PUT", "POST"):
            headers["Content-Length"] = str(len(body))
        upstream = self.server.connection()
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            resp = upstream.getresponse()
            fetched = self._relay(resp)
        except (OSError, http.client.HTTPException):
            self.server.drop_connection()
            raise
        verb = s3_verb(self.command, split.path, split.query)
        self.server.counters.add(verb, len(body), fetched)

    def _relay(self, resp: http.client.HTTPResponse) -> int:
        """Copy the upstream response to the client; returns the body bytes copied."""
        data = resp.read()  # S3 responses here are bounded by the benchmark's file sizes
        self.send_response_only(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in _HOP_HEADERS and k.lower() != "content-length":
                self.send_header(k, v)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(data)))
        elif resp.getheader("Content-Length"):
            self.send_header("Content-Length", resp.getheader("Content-Length"))
        self.end_headers()
        for i in range(0, len(data), _CHUNK):
            self.wfile.write(data[i : i + _CHUNK])
        return len(data)

    def _reply_json(self, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = _forward


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, latency_s: float) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        split = urlsplit(upstream)
        self.upstream_host, self.upstream_port = split.hostname, split.port or 80
        self.latency_s = latency_s
        self.counters = Counters()
        self._local = threading.local()  # one upstream connection per handler thread

    def connection(self) -> http.client.HTTPConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=120)
            self._local.conn = conn
        return conn

    def drop_connection(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class RecordingProxy:
    """Start/stop the proxy in a thread; ``url`` is what clients use as their endpoint."""

    def __init__(self, upstream: str, latency_ms: float = 0.0) -> None:
        self._server = _ProxyServer(upstream, latency_ms / 1000.0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def counters(self) -> Counters:
        """The live counters (in this process)."""
        return self._server.counters

    def start(self) -> RecordingProxy:
        """Serve in a daemon thread (it cannot outlive this process)."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket."""
        self._server.shutdown()
        self._server.server_close()


def read_counters(proxy_url: str) -> dict[str, Any]:
    """The totals of a proxy in another process (the runner's), over its counters path."""
    with urllib.request.urlopen(proxy_url + COUNTERS_PATH, timeout=10) as resp:
        return json.loads(resp.read())


def difference(after: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    """What happened between two snapshots."""
    verbs = set(after["requests"]) | set(before["requests"])
    requests = {v: after["requests"].get(v, 0) - before["requests"].get(v, 0) for v in verbs}
    return {
        "requests": {v: n for v, n in sorted(requests.items()) if n},
        "bytes_fetched": after["bytes_fetched"] - before["bytes_fetched"],
        "bytes_sent": after["bytes_sent"] - before["bytes_sent"],
    }
