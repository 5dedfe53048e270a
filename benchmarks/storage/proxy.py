"""A recording reverse proxy on loopback: counts each client's S3 requests and bytes.

Counting at the wire, not in the client, is what makes engines comparable: pyarrow's
C++ SDK, Lance's and Vortex's Rust object_store and s3fs each batch, retry and coalesce
differently, and none of them reports what it fetched. Every request between a client
and the S3 server passes through here; ``--storage-latency`` sleeps before forwarding,
so a client that issues requests in parallel pays the delay in parallel, as on a WAN.
``--storage-bandwidth`` paces each response (and request body) to that rate per request,
as a per-connection link: a client that fetches ranges in parallel gets more in total.

The latency is read per request, so the benchmark worker sets each case's own over the
link path (``set_latency``) and one proxy serves a run that sweeps several latencies.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import threading
import time
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from benchmarks.storage.link import PACED_CHUNK  # small enough that a paced body flows
from benchmarks.storage.prefix import inside

#: The proxy's own path: bucket names cannot start with "_", so no S3 request uses it.
COUNTERS_PATH = "/_fmtbench/counters"
#: GET: the link's latency and bandwidth; PUT ?latency_ms=N: the latency from now on.
LINK_PATH = "/_fmtbench/link"
_HOP_HEADERS = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}
_CHUNK = 1 << 20
#: A client that hung up mid-request: counted, never printed (it is the client's choice).
_HANGUPS = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError)
_WRITES = ("PUT", "POST", "DELETE")
_DELETE_KEY = re.compile(rb"<Key>(.*?)</Key>", re.DOTALL)


class Counters:
    """Requests by verb and bytes each way, shared by the proxy's handler threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.bytes_fetched = 0  # response bodies, server -> client
        self.bytes_sent = 0  # request bodies, client -> server
        self.events: Counter[str] = Counter()  # hangups, refused writes, upstream errors

    def event(self, name: str) -> None:
        """Count something that is not a forwarded request (a hang-up, a refusal)."""
        with self._lock:
            self.events[name] += 1

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
                "events": dict(self.events),
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
    # TCP_NODELAY: the headers and the body go out in separate writes, and with Nagle on
    # the body waited for the client's delayed ACK: ~15 ms added to every request on
    # loopback (a HEAD+HEAD+GET took 50.5 ms through the proxy against 7.4 ms direct; 8.6 ms
    # with this), which every "time at 0 ms" on s3-local carried
    disable_nagle_algorithm = True
    server: _ProxyServer

    def log_message(self, *args: Any) -> None:  # quiet: the worker log is for errors
        pass

    def _body(self) -> bytes:
        """The request body, whether sized or chunked (some SDKs stream uploads), read at
        the link's rate: the client keeps sending, never waits in silence for the pacing."""
        start, parts = time.perf_counter(), []
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline().strip():  # trailers
                        pass
                    return b"".join(parts)
                parts.append(self._read_paced(size, start, sum(map(len, parts))))
                self.rfile.readline()
        return self._read_paced(int(self.headers.get("Content-Length") or 0), start, 0)

    def _read_paced(self, size: int, start: float, done: int) -> bytes:
        """``size`` bytes of the request, paced against ``start`` after ``done`` bytes."""
        step = PACED_CHUNK if self.server.bandwidth else max(size, 1)
        parts = []
        for i in range(0, size, step):
            parts.append(self.rfile.read(min(step, size - i)))
            self._pace(start, done + i + len(parts[-1]))
        return b"".join(parts)

    def _forward(self) -> None:
        split = urlsplit(self.path)
        if split.path == COUNTERS_PATH:
            return self._reply_json(self.server.counters.snapshot())
        if split.path == LINK_PATH:
            return self._link(split.query)
        body = self._body()  # at the link's rate
        if self._refuse_outside(split, body):
            return None
        if self.server.latency_s:
            time.sleep(self.server.latency_s)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
        if body or self.command in ("PUT", "POST"):
            headers["Content-Length"] = str(len(body))
        try:
            resp, data = self._ask_upstream(body, headers)
        except (OSError, http.client.HTTPException) as exc:
            return self._upstream_error(exc)
        # counted before the reply goes out: a client that reads the counters as soon as
        # its last response arrives must find that request in them
        verb = s3_verb(self.command, split.path, split.query)
        self.server.counters.add(verb, len(body), len(data))
        self._relay(resp, data)  # a client hang-up here is counted by handle_error

    def _ask_upstream(
        self, body: bytes, headers: dict[str, str]
    ) -> tuple[http.client.HTTPResponse, bytes]:
        """The upstream's response and body; once more on a fresh connection when a kept-alive
        one had gone stale (the server closed it while idle)."""
        for attempt in (1, 2):
            upstream = self.server.connection()
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                resp = upstream.getresponse()
                return resp, resp.read()  # bounded by the benchmark's file sizes
            except (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected):
                self.server.drop_connection()
                if attempt == 2:
                    raise
            except (OSError, http.client.HTTPException):
                self.server.drop_connection()
                raise
        raise AssertionError("unreachable")

    def _relay(self, resp: http.client.HTTPResponse, data: bytes) -> int:
        """Copy the upstream response to the client; returns the body bytes copied."""
        self.send_response_only(resp.status, resp.reason)
        for k, v in resp.getheaders():
            if k.lower() not in _HOP_HEADERS and k.lower() != "content-length":
                self.send_header(k, v)
        if self.command != "HEAD":
            self.send_header("Content-Length", str(len(data)))
        elif resp.getheader("Content-Length"):
            self.send_header("Content-Length", resp.getheader("Content-Length"))
        self.end_headers()
        start, chunk = time.perf_counter(), PACED_CHUNK if self.server.bandwidth else _CHUNK
        for i in range(0, len(data), chunk):
            self.wfile.write(data[i : i + chunk])
            self._pace(start, i + len(data[i : i + chunk]))
        return len(data)

    def _pace(self, start: float, done: int) -> None:
        """Sleep until ``done`` bytes since ``start`` match the bandwidth cap (if any).

        Paced against the start, not per chunk, so the time spent writing is not added
        on top of the cap's.
        """
        if self.server.bandwidth and done:
            wait = start + done / self.server.bandwidth - time.perf_counter()
            if wait > 0:
                time.sleep(wait)

    def _refuse_outside(self, split: Any, body: bytes) -> bool:
        """Answer 403 to a write or delete aimed outside the run's prefix (and count it)."""
        confine = self.server.confine
        if confine is None or self.command not in _WRITES:
            return False
        bucket, _, key = unquote(split.path).lstrip("/").partition("/")
        keys = [key]
        if self.command == "POST" and "delete" in parse_qs(split.query, keep_blank_values=True):
            keys = [unquote(k.decode()) for k in _DELETE_KEY.findall(body)] or [""]
        root_bucket, _, root_prefix = confine.partition("/")
        if all(inside(bucket, k, root_bucket, root_prefix) for k in keys):
            return False
        self.server.counters.event("refused_outside_prefix")
        outside = next(k for k in keys if not inside(bucket, k, root_bucket, root_prefix))
        message = f"fmtbench: s3://{bucket}/{outside} is outside the run's prefix s3://{confine}"
        self._reply_xml(403, "AccessDenied", message)
        return True

    def _upstream_error(self, exc: BaseException) -> None:
        """502 naming the endpoint the user gave, not this proxy: what failed, where."""
        self.server.counters.event("upstream_errors")
        cause = f"{type(exc).__name__}: {exc}".splitlines()[0]
        self._reply_xml(502, "BadGateway", f"{self.server.upstream} failed: {cause}")

    def _reply_xml(self, status: int, code: str, message: str) -> None:
        """An S3-style error every client shows with its message."""
        text = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        data = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>{text}</Message></Error>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _link(self, query: str) -> None:
        """The link settings; a PUT with ``latency_ms`` changes the latency first."""
        self._rfile_drain()
        if self.command == "PUT":
            try:
                latency_ms = float(parse_qs(query)["latency_ms"][0])
            except (KeyError, ValueError):
                return self._reply_json({"error": "PUT needs ?latency_ms=NUMBER"}, 400)
            self.server.latency_s = max(latency_ms, 0.0) / 1000.0
        return self._reply_json(self.server.link())

    def _rfile_drain(self) -> None:
        """Read any body a control request carried, so the connection stays usable."""
        if self.headers.get("Content-Length"):
            self.rfile.read(int(self.headers["Content-Length"]))

    def _reply_json(self, payload: dict[str, Any], status: int = 200) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_PUT = do_HEAD = do_POST = do_DELETE = _forward


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, upstream: str, latency_s: float, bandwidth: float | None, confine: str | None
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream
        self.confine = confine  # "bucket/prefix": writes and deletes only under it
        split = urlsplit(upstream)
        self.upstream_host, self.upstream_port = split.hostname, split.port or 80
        self.latency_s = latency_s  # read per request: the worker sets each case's
        self.bandwidth = bandwidth  # bytes/s per request, None: as fast as loopback goes
        self.counters = Counters()
        self._local = threading.local()  # one upstream connection per handler thread

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Count, never print: a client that hangs up is an event, not a traceback."""
        exc = sys.exc_info()[1]
        self.counters.event("client_hangups" if isinstance(exc, _HANGUPS) else "proxy_errors")

    def link(self) -> dict[str, Any]:
        """The link as a client sees it: latency per request, bandwidth per request."""
        mb_s = self.bandwidth / 1e6 if self.bandwidth else None
        return {"latency_ms": self.latency_s * 1000.0, "bandwidth_mb_s": mb_s}

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

    def __init__(
        self,
        upstream: str,
        latency_ms: float = 0.0,
        bandwidth_mb_s: float | None = None,
        confine: str | None = None,
    ) -> None:
        bandwidth = bandwidth_mb_s * 1e6 if bandwidth_mb_s else None
        self._server = _ProxyServer(upstream, latency_ms / 1000.0, bandwidth, confine)
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

    @property
    def latency_ms(self) -> float:
        """The delay added to each request from now on."""
        return self._server.latency_s * 1000.0

    @latency_ms.setter
    def latency_ms(self, value: float) -> None:
        self._server.latency_s = value / 1000.0

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


def set_latency(proxy_url: str, latency_ms: float) -> dict[str, Any]:
    """Set the latency of a proxy in another process; returns the link now in force."""
    url = f"{proxy_url}{LINK_PATH}?latency_ms={latency_ms:g}"
    request = urllib.request.Request(url, method="PUT")
    with urllib.request.urlopen(request, timeout=10) as resp:
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
