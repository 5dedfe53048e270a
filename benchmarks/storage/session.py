"""The store of one run: an embedded S3 server (``s3-local``) or a real endpoint (``s3://``).

The runner opens it around all its workers, so the server outlives a crashed worker and
the restart finds the same bucket; a resumed run (a new process) starts a fresh one and
the worker rewrites the files it needs. ``moto``'s ThreadedMotoServer runs in a thread of
the runner rather than as a ``moto_server`` subprocess: a thread cannot be orphaned when
the runner is killed (even by SIGKILL), and the runner is otherwise idle, so the server
does not share the GIL with the process being measured (the pytest worker).
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from benchmarks.errors import RunError, UsageError
from benchmarks.storage.location import Endpoint, Location, parse_uri

LOCAL = "local"
S3_LOCAL = "s3-local"
LOCAL_BUCKET = "fmtbench"
#: --storage-option keys that are secrets: they go to the worker's environment, never
#: into the config, the journal or the results.
SECRET_OPTIONS = {
    "key": "AWS_ACCESS_KEY_ID",
    "aws_access_key_id": "AWS_ACCESS_KEY_ID",
    "secret": "AWS_SECRET_ACCESS_KEY",
    "aws_secret_access_key": "AWS_SECRET_ACCESS_KEY",
    "token": "AWS_SESSION_TOKEN",
    "aws_session_token": "AWS_SESSION_TOKEN",
}
PUBLIC_OPTIONS = ("endpoint_url", "region")


@dataclass(frozen=True)
class StoreRuntime:
    """What the worker needs: the endpoint clients use, the run's root, the counters URL."""

    endpoint: str
    region: str
    root: str  # s3://bucket/prefix, the run's own prefix
    counters: str | None  # the recording proxy, None when traffic cannot be proxied
    server: str | None = None  # the embedded S3 server (s3-local), behind the proxy


def check_spec(spec: str) -> None:
    """UsageError unless ``spec`` is local, s3-local or s3://BUCKET[/PREFIX]."""
    if spec in (LOCAL, S3_LOCAL):
        return
    shown = spec if spec.isprintable() and spec.strip() == spec and spec else repr(spec)
    if not spec.startswith("s3://"):
        raise UsageError(
            f"--storage {shown}: unknown storage; use local, s3-local or s3://BUCKET/PREFIX"
        )
    try:
        parse_uri(spec)
    except ValueError as exc:
        raise UsageError(f"--storage {shown}: {exc}; e.g. s3://my-bucket/fmtbench") from None


def upstream_of(spec: str, options: dict[str, str]) -> tuple[str, str]:
    """The endpoint URL and region an ``s3://`` spec is reached at, as the user gave them."""
    region = options.get("region") or os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    url = options.get("endpoint_url") or os.environ.get("AWS_ENDPOINT_URL")
    return (url or f"https://s3.{region}.amazonaws.com").rstrip("/"), region


def split_options(pairs: list[str]) -> dict[str, str]:
    """``key=value`` pairs -> public options; secrets are moved into this process's env."""
    public: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip().lower()
        if not sep or not key:
            raise UsageError(f"--storage-option {key or pair.split('=')[0]!r}: use KEY=VALUE")
        if key in SECRET_OPTIONS:
            os.environ[SECRET_OPTIONS[key]] = value  # inherited by the worker, never written
        elif key in PUBLIC_OPTIONS:
            if not value.strip():
                example = "http://127.0.0.1:9000" if key == "endpoint_url" else "eu-west-1"
                raise UsageError(f"--storage-option {key}=: empty value; e.g. {key}={example}")
            public[key] = value.strip()
        else:
            known = ", ".join(sorted(set(SECRET_OPTIONS) | set(PUBLIC_OPTIONS)))
            raise UsageError(f"--storage-option: unknown key '{key}'; known: {known}")
    return public


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """A real S3 API (moto) on 127.0.0.1 for the block; stopped on exit, error or Ctrl-C."""
    import logging

    from moto.server import ThreadedMotoServer

    # werkzeug logs every request to stderr: that would draw over the progress bar
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _local_credentials() -> None:
    """moto accepts any credentials; set dummy ones so no client looks for real ones."""
    os.environ["AWS_ACCESS_KEY_ID"] = "fmtbench-local"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "fmtbench-local"  # noqa: S105 - not a secret
    os.environ.pop("AWS_SESSION_TOKEN", None)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")


def _create_bucket(endpoint: str, bucket: str, region: str) -> None:
    import boto3

    client = boto3.client("s3", endpoint_url=endpoint, region_name=region)
    client.create_bucket(Bucket=bucket)


@contextlib.contextmanager
def open_store(
    spec: str,
    options: dict[str, str] | None = None,
    latency_ms: float = 0.0,
    bandwidth_mb_s: float | None = None,
) -> Iterator[StoreRuntime | None]:
    """The run's store for the block (None for local disk); cleans up only its own prefix.

    ``latency_ms`` is the proxy's latency until a case sets its own (``set_latency``); the
    runner passes the largest one swept, so an endpoint that cannot be proxied refuses it.
    """
    options = options or {}
    if spec == LOCAL:
        yield None
        return
    run_prefix = f"run-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    with contextlib.ExitStack() as stack:
        if spec == S3_LOCAL:
            _local_credentials()
            upstream, bucket, prefix = stack.enter_context(moto_server()), LOCAL_BUCKET, ""
            region = "us-east-1"
            _create_bucket(upstream, bucket, region)
        else:
            bucket, prefix = parse_uri(spec)
            upstream, region = upstream_of(spec, options)
        root = f"{bucket}/{'/'.join(p for p in (prefix, run_prefix) if p)}"
        counters = None
        endpoint = upstream
        proxy = None
        if upstream.startswith("http://"):  # plain HTTP can be recorded; TLS cannot
            # the proxy's http.server and urllib are imported only by a run that uses them
            from benchmarks.storage.proxy import RecordingProxy

            proxy = RecordingProxy(upstream, latency_ms, bandwidth_mb_s, confine=root).start()
            stack.callback(proxy.stop)
            endpoint = counters = proxy.url
        elif latency_ms or bandwidth_mb_s:
            flag = "--storage-latency" if latency_ms else "--storage-bandwidth"
            raise UsageError(f"{flag} needs an http:// endpoint (s3-local or MinIO)")
        server = upstream if spec == S3_LOCAL else None
        runtime = StoreRuntime(endpoint, region, f"s3://{root}", counters, server)
        try:
            yield runtime
        finally:
            if proxy is not None:
                proxy.latency_ms = 0.0  # cleaning up is not part of any case
            with contextlib.suppress(Exception):  # the server may already be gone
                root_location(runtime).remove()


def root_location(runtime: StoreRuntime) -> Location:
    """The run's prefix as a Location (every benchmark file goes under it)."""
    bucket, prefix = parse_uri(runtime.root)
    if not prefix:
        raise RunError("internal: a run must have its own prefix")
    endpoint = Endpoint(runtime.endpoint, runtime.region)
    return Location(endpoint, bucket, prefix, root=f"{bucket}/{prefix}")
