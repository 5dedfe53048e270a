"""What an ``s3://`` location may be, and whether a key lies inside the run's own prefix.

Parsed once, here: HTTP clients normalise a path before sending it, so a prefix holding
``..`` would be resolved by the client, not by S3 (``s3://a/../b/x`` writes ``b/x``, in
another bucket). A segment that is empty, ``.`` or ``..`` is therefore refused outright,
and every write or delete is checked against the run's prefix, both by ``Location``
(every client) and by the recording proxy (on the wire, whatever the engine sends).
"""

from __future__ import annotations

import re

#: S3 bucket names: 3-63 letters, digits, '.', '-' (legacy ones also '_'), ends alphanumeric.
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", re.IGNORECASE)
_BAD_SEGMENTS = {"": "an empty segment ('//')", ".": "a '.' segment", "..": "a '..' segment"}


class OutsidePrefix(ValueError):
    """A write or delete aimed outside the run's own prefix: refused, never sent."""


def bad_segment(key: str) -> str | None:
    """Why ``key`` (``a/b/c``) is not a plain path of names, or None when it is."""
    if not key:
        return None
    for segment in key.split("/"):
        if segment in _BAD_SEGMENTS:
            return _BAD_SEGMENTS[segment]
        if "\\" in segment or any(ord(c) < 32 for c in segment):
            return f"a control character or backslash in {segment!r}"
    return None


def parse_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/prefix`` -> (bucket, prefix); ValueError saying why for anything else.

    One trailing ``/`` is a directory written the usual way, not an empty segment.
    """
    if not uri.startswith("s3://"):
        raise ValueError(f"{uri!r} is not s3://BUCKET/PREFIX")
    bucket, _, prefix = uri[5:].partition("/")
    if not bucket:
        raise ValueError(f"{uri!r} names no bucket")
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise ValueError(f"{bucket!r} is not an S3 bucket name (3-63 letters, digits, '-' or '.')")
    prefix = prefix.removesuffix("/")
    why = bad_segment(prefix)
    if why:
        raise ValueError(f"the prefix {prefix!r} has {why}; name a plain path like data/bench")
    return bucket, prefix


def inside(bucket: str, key: str, root_bucket: str, root_prefix: str) -> bool:
    """Whether ``bucket/key`` is the run's prefix or lies under it, with no odd segment."""
    if bucket != root_bucket or bad_segment(key):
        return False
    return key == root_prefix or key.startswith(root_prefix.rstrip("/") + "/")


def check_inside(bucket: str, key: str, root: str | None, action: str) -> None:
    """OutsidePrefix unless ``bucket/key`` lies under ``root`` (``bucket/prefix``); None: free."""
    if root is None:
        return
    root_bucket, _, root_prefix = root.partition("/")
    if not root_prefix or not inside(bucket, key, root_bucket, root_prefix):
        raise OutsidePrefix(
            f"refusing to {action} s3://{bucket}/{key}: outside the run's prefix s3://{root}"
        )
