"""Before any case: does the endpoint answer, and does the bucket exist?

Asked once, straight at the endpoint the user gave (not through the recording proxy),
with a short timeout and no retries: an unreachable endpoint or a missing bucket is
refused in a second or two, in one line naming both, instead of failing every case
after each client's own minutes of retries.
"""

from __future__ import annotations

import os

from benchmarks.errors import UsageError
from benchmarks.storage.prefix import parse_uri
from benchmarks.storage.session import upstream_of

#: Seconds to connect and to wait for the answer: a live endpoint answers HEAD in far less.
CONNECT_S = 3.0
READ_S = 5.0


def check_reachable(spec: str, options: dict[str, str] | None = None) -> None:
    """UsageError unless ``s3://BUCKET/...``'s endpoint answers and BUCKET exists there."""
    if not spec.startswith("s3://"):
        return
    import boto3
    import botocore.exceptions as bx
    from botocore.config import Config

    bucket, _ = parse_uri(spec)
    url, region = upstream_of(spec, options or {})
    config = Config(connect_timeout=CONNECT_S, read_timeout=READ_S, retries={"max_attempts": 1})
    where = f"--storage {spec} (endpoint {url})"
    try:
        client = boto3.client("s3", endpoint_url=url, region_name=region, config=config)
        client.head_bucket(Bucket=bucket)
    except (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError) as exc:
        raise UsageError(
            f"{where}: the endpoint does not answer ({_cause(exc)}); start the server or fix "
            "--storage-option endpoint_url=http://HOST:PORT"
        ) from None
    except bx.NoCredentialsError:
        raise UsageError(
            f"{where}: no credentials; pass --storage-option key=... --storage-option "
            "secret=..., or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        ) from None
    except bx.ClientError as exc:
        raise UsageError(f"{where}: {_refusal(exc, bucket)}") from None
    except (bx.BotoCoreError, ValueError) as exc:
        raise UsageError(
            f"{where}: {_cause(exc)}; use e.g. --storage-option endpoint_url=http://127.0.0.1:9000"
        ) from None


def _refusal(exc: Exception, bucket: str) -> str:
    """What the server's answer to HEAD bucket means, and what to do."""
    response = getattr(exc, "response", {})
    code = str(response.get("Error", {}).get("Code", ""))
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {})
    if not any(h.lower().startswith("x-amz") for h in headers):  # S3, MinIO, moto all send one
        server = headers.get("server", "unknown")
        return (
            f"the endpoint answers HTTP {code} but is not an S3 API (server: {server}); "
            "check --storage-option endpoint_url=http://HOST:PORT"
        )
    if code in ("404", "NoSuchBucket"):
        return (
            f"bucket '{bucket}' does not exist there; create it first, or name an existing "
            "one: s3://EXISTING-BUCKET/fmtbench"
        )
    if code in ("403", "AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"):
        who = "the given key" if os.environ.get("AWS_ACCESS_KEY_ID") else "no key"
        return (
            f"access to bucket '{bucket}' is denied ({code}, {who}); check the credentials "
            "(--storage-option key=... secret=...)"
        )
    if code in ("301", "PermanentRedirect", "400"):
        return (
            f"bucket '{bucket}' answered {code}: it may be in another region; pass "
            "--storage-option region=REGION"
        )
    return f"bucket '{bucket}' could not be checked ({code}: {_cause(exc)})"


def _cause(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]
