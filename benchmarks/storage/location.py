"""Where one benchmark file lives on object storage, in each kind of client's terms.

Adapters never learn which store they use: they receive a ``Location`` where they would
receive a path, and take from it what their engine speaks (``formats.base.RemoteFile``):
a pyarrow filesystem and path, a URI with ``storage_options`` (object_store keys, as Lance
and Vortex take them), or fsspec file objects for Python-only libraries.

Credentials are never stored here: every client reads them from the environment when it
is built, so a Location can be printed, logged, pickled to a Dask worker or written into
results without carrying a secret.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from benchmarks.storage.prefix import bad_segment, check_inside
from benchmarks.storage.prefix import parse_uri as parse_uri

#: Standard AWS variables the clients read; the runner sets them for s3-local.
REGION_ENV = "AWS_DEFAULT_REGION"


@dataclass(frozen=True)
class Endpoint:
    """An S3 API endpoint: URL (with scheme) and region; no secrets."""

    url: str
    region: str = "us-east-1"

    @property
    def scheme(self) -> str:
        """``http`` or ``https``."""
        return self.url.split("://", 1)[0]

    @property
    def host(self) -> str:
        """``host:port`` without the scheme, as pyarrow's ``endpoint_override`` wants it."""
        return self.url.split("://", 1)[1].rstrip("/")


@functools.lru_cache(maxsize=8)
def _arrow_fs(endpoint: Endpoint) -> Any:
    """One pyarrow S3FileSystem per endpoint (it holds a connection pool)."""
    import pyarrow.fs as pafs

    return pafs.S3FileSystem(
        endpoint_override=endpoint.host,
        scheme=endpoint.scheme,
        region=endpoint.region,
        access_key=os.environ.get("AWS_ACCESS_KEY_ID"),
        secret_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
        session_token=os.environ.get("AWS_SESSION_TOKEN"),
        allow_bucket_creation=False,
        allow_bucket_deletion=False,
    )


@functools.lru_cache(maxsize=8)
def _fsspec_fs(endpoint: Endpoint) -> Any:
    """One s3fs filesystem per endpoint; no listing cache, so sizes are always fresh."""
    import s3fs

    return s3fs.S3FileSystem(
        endpoint_url=endpoint.url,
        client_kwargs={"region_name": endpoint.region},
        use_listings_cache=False,
        skip_instance_cache=True,
    )


@dataclass(frozen=True)
class Location:
    """``s3://bucket/key`` on ``endpoint``: a file, or a directory prefix (Lance).

    ``root`` (``bucket/prefix``, the run's own) confines it: writing or deleting anything
    outside raises ``OutsidePrefix``; locations made from it with ``/`` inherit it.
    ``scratch`` is the run's local work dir, for what a library cannot keep on object
    storage (Iceberg's SQLite catalog); inherited the same way.
    """

    endpoint: Endpoint
    bucket: str
    key: str
    root: str | None = field(default=None, compare=False)
    scratch: str | None = field(default=None, compare=False)

    def __truediv__(self, name: str) -> Location:
        why = bad_segment(name.strip("/"))
        if why:
            raise ValueError(f"{name!r} has {why}: not a name under s3://{self.fs_path}")
        key = f"{self.key.rstrip('/')}/{name}".lstrip("/")
        return Location(self.endpoint, self.bucket, key, self.root, self.scratch)

    def __str__(self) -> str:
        return self.uri

    @property
    def name(self) -> str:
        """The last part of the key, like ``Path.name``."""
        return self.key.rstrip("/").rsplit("/", 1)[-1]

    @property
    def uri(self) -> str:
        """``s3://bucket/key``, for engines that take a URI."""
        return f"s3://{self.bucket}/{self.key}"

    @property
    def fs_path(self) -> str:
        """``bucket/key``: the path within ``filesystem``."""
        return f"{self.bucket}/{self.key}"

    @property
    def filesystem(self) -> Any:
        """A pyarrow ``S3FileSystem`` for this endpoint."""
        return _arrow_fs(self.endpoint)

    @property
    def fsspec(self) -> Any:
        """An fsspec (s3fs) filesystem for this endpoint."""
        return _fsspec_fs(self.endpoint)

    @property
    def storage_options(self) -> dict[str, str]:
        """object_store options (Lance, Vortex): endpoint and region, credentials from env."""
        options = {
            "aws_endpoint": self.endpoint.url,
            "aws_region": self.endpoint.region,
            "aws_allow_http": str(self.endpoint.scheme == "http").lower(),
        }
        for key, env in _CREDENTIAL_ENV.items():
            if os.environ.get(env):
                options[key] = os.environ[env]
        return options

    def open_input(self) -> BinaryIO:
        """A readable, seekable fsspec file object (ranged GETs as the reader seeks)."""
        return self.fsspec.open(self.fs_path, "rb")

    def open_output(self) -> BinaryIO:
        """A writable fsspec file object (one PUT, or a multipart upload when large)."""
        check_inside(self.bucket, self.key, self.root, "write")
        return self.fsspec.open(self.fs_path, "wb")

    def size(self) -> int:
        """Bytes of the object, or of every object under the prefix."""
        fs = self.filesystem
        import pyarrow.fs as pafs

        info = fs.get_file_info(self.fs_path)
        if info.type == pafs.FileType.File:
            return info.size
        selector = pafs.FileSelector(self.fs_path, recursive=True, allow_not_found=True)
        return sum(f.size for f in fs.get_file_info(selector) if f.type == pafs.FileType.File)

    def exists(self) -> bool:
        """Whether an object or a prefix with objects is here."""
        import pyarrow.fs as pafs

        return self.filesystem.get_file_info(self.fs_path).type != pafs.FileType.NotFound

    def remove(self) -> None:
        """Delete the object or everything under the prefix; never anything outside it.

        Through s3fs: pyarrow's delete_dir/delete_file write an empty marker object for the
        parent "directory" afterwards, which would leave a key outside the run's prefix.
        """
        if not self.key.strip("/"):
            raise ValueError(f"refusing to delete the whole bucket {self.bucket}")
        check_inside(self.bucket, self.key, self.root, "delete")
        fs = self.fsspec
        if fs.exists(self.fs_path):
            fs.rm(self.fs_path, recursive=True)


_CREDENTIAL_ENV = {
    "aws_access_key_id": "AWS_ACCESS_KEY_ID",
    "aws_secret_access_key": "AWS_SECRET_ACCESS_KEY",
    "aws_session_token": "AWS_SESSION_TOKEN",
}
