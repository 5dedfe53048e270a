"""What the sample-shard formats (WebDataset, TFRecord) share: a directory of shard files.

Training pipelines write samples into shards of a fixed number of rows and read them
sequentially, a shard at a time: shard order and a shuffle buffer are their only shuffle.
So a shard is this adapter's unit: ``shard_rows`` is the knob, ``read_shard`` reads one,
and ``iter_batches`` streams them (native); take, scan and projection read everything
first (emulated), as the formats offer no index. Beside the shards, ``_schema.arrow``
keeps the Arrow schema (what each field's bytes decode to) and ``_meta.json`` the shard
files and their row counts. On object storage (``--storage``) the directory is a key
prefix and every file goes through fsspec file objects (``formats.base.RemoteFile``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa

from formats.base import (
    FormatAdapter,
    FormatReadError,
    Option,
    RemoteFile,
    exists,
    open_binary,
    remove_path,
    removing_on_error,
)
from formats.tensor_columns import check_schema, deserialize_schema, serialize_schema, to_parts

PathLike = str | os.PathLike
SCHEMA_FILE = "_schema.arrow"
META_FILE = "_meta.json"


class ShardedAdapter(FormatAdapter):
    """Shards of ``shard_rows`` samples each, written and read one shard at a time."""

    orientation = "row"
    encoding = "binary"
    writes_directory = True
    in_default_run = False
    native = frozenset({"iter_batches"})
    arrow_handover = "copy"
    readers: ClassVar[frozenset[str]] = frozenset()
    unsafe: ClassVar[str] = ""
    data_suffixes: ClassVar[tuple[str, ...]] = ()
    #: No random access: the training loader shuffles shard order and a buffer only.
    epoch_global: ClassVar[str] = ""
    option_specs: ClassVar[dict[str, Option]] = {
        "shard_rows": Option(1000, int, minimum=1, help="samples per shard file"),
    }
    #: Suffix of one shard file for a codec.
    shard_suffix: ClassVar[dict[str, str]] = {}
    #: Shards on object storage as fsspec (s3fs) file objects; WebDataset's own URL opener.
    remote_access: ClassVar[frozenset[str]] = frozenset({"file-object"})

    # -- what each format supplies -----------------------------------------------------
    def check_schema(self, schema: pa.Schema) -> list[str]:
        """The layouts of the columns, refusing what the format cannot hold."""
        return check_schema(schema, self.format)

    def _write_shard(
        self, file: Path, table: pa.Table, start: int, layouts: list[str], codec: str
    ) -> None:
        raise NotImplementedError

    def _read_shard_file(self, file: Path, schema: pa.Schema, codec: str) -> pa.Table:
        raise NotImplementedError

    # -- the contract ----------------------------------------------------------------
    def write(self, table: pa.Table, path: PathLike, codec: str | None = None) -> None:
        """Shards of ``shard_rows`` samples, the schema and the shard list beside them."""
        codec = self.resolve_codec(codec)
        layouts = self.check_schema(table.schema)
        for i, layout in enumerate(layouts):  # nulls inside lists etc.: refused before writing
            to_parts(table.column(i).slice(0, 0), layout, table.schema.field(i), self.format)
        remove_path(path)
        step = self.options["shard_rows"]
        with removing_on_error(path):
            if not isinstance(path, RemoteFile):
                Path(path).mkdir(parents=True)
            write_bytes(child(path, SCHEMA_FILE), serialize_schema(table.schema))
            shards = []
            for n, start in enumerate(range(0, table.num_rows, step)):
                part = table.slice(start, step)
                name = f"shard-{n:06d}{self.shard_suffix[codec]}"
                self._write_shard(child(path, name), part, start, layouts, codec)
                shards.append([name, part.num_rows])
            meta = {"rows": table.num_rows, "codec": codec, "shards": shards}
            write_bytes(child(path, META_FILE), json.dumps(meta).encode())

    def _meta(self, path: PathLike) -> tuple[pa.Schema, dict[str, Any]]:
        """Schema and shard list; a directory without them is not of this format."""
        if not exists(path):
            raise FileNotFoundError(path)
        try:
            schema = deserialize_schema(read_bytes(child(path, SCHEMA_FILE)))
            meta = json.loads(read_bytes(child(path, META_FILE)))
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise FormatReadError(path, self.format, exc) from exc
        return schema, meta

    def shard_rows(self, path: PathLike) -> list[int]:
        """Samples in each shard, in storage order."""
        return [rows for _, rows in self._meta(path)[1]["shards"]]

    def shard_files(self, path: PathLike) -> list[Any]:
        """The shard files in storage order (Paths, or RemoteFiles on object storage)."""
        return [child(path, name) for name, _ in self._meta(path)[1]["shards"]]

    def read_shard(self, path: PathLike, shard: int) -> pa.Table:
        """Every sample of one shard, decoded to Arrow."""
        schema, meta = self._meta(path)
        name = meta["shards"][shard][0]
        try:
            return self._read_shard_file(child(path, name), schema, meta["codec"])
        except (OSError, ValueError, RuntimeError, KeyError) as exc:
            raise FormatReadError(path, self.format, exc) from exc

    def read(self, path: PathLike) -> pa.Table:
        """Every shard in order."""
        schema, meta = self._meta(path)
        tables = [self.read_shard(path, i) for i in range(len(meta["shards"]))]
        return pa.concat_tables(tables) if tables else schema.empty_table()

    def iter_batches(self, path: PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """A shard at a time, cut into batches of at most ``batch_size``."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        for i in range(len(self.shard_rows(path))):
            yield from self.read_shard(path, i).to_batches(max_chunksize=batch_size)


def child(path: Any, name: str) -> Any:
    """``name`` inside the shard directory: a Path, or a RemoteFile under its prefix."""
    return path / name if isinstance(path, RemoteFile) else Path(path) / name


def read_bytes(file: Any) -> bytes:
    """A whole small file (the schema, the shard list), local or remote."""
    with open_binary(file) as f:
        return f.read()


def write_bytes(file: Any, data: bytes) -> None:
    """A whole small file, local or remote (one PUT)."""
    with open_binary(file, "wb") as f:
        f.write(data)


def row_values(parts: dict[str, np.ndarray], layout: str, rows: int) -> list[Any]:
    """Per row: the numpy value (scalar, 1-D array or bytes), or None for a null."""
    valid = parts.get("valid")
    if layout in ("scalar", "tensor"):
        values: list[Any] = list(parts["data"])
    else:
        off, data = parts["offsets"], parts["values"]
        cut = [data[off[i] : off[i + 1]] for i in range(rows)]
        values = [c.tobytes() for c in cut] if layout == "bytes" else cut
    if valid is not None:
        values = [v if ok else None for v, ok in zip(values, valid, strict=True)]
    return values


def parts_from_rows(
    values: list[Any], layout: str, dtype: np.dtype, width: int = 0
) -> dict[str, np.ndarray]:
    """Inverse of ``row_values``: numpy parts from per-row values (None: null)."""
    valid = np.array([v is not None for v in values], dtype=bool)
    parts: dict[str, np.ndarray] = {} if valid.all() else {"valid": valid}
    if layout == "scalar":
        parts["data"] = np.array([0 if v is None else v for v in values], dtype=dtype)
    elif layout == "tensor":
        zero = np.zeros(width, dtype)
        rows = [zero if v is None else np.asarray(v, dtype) for v in values]
        parts["data"] = np.stack(rows) if rows else np.zeros((0, width), dtype)
    else:
        pieces = [np.zeros(0, dtype) if v is None else _as_array(v, dtype) for v in values]
        lengths = np.fromiter((len(p) for p in pieces), np.int64, count=len(pieces))
        parts["offsets"] = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        parts["values"] = np.concatenate(pieces) if pieces else np.zeros(0, dtype)
    return parts


def _as_array(value: Any, dtype: np.dtype) -> np.ndarray:
    if isinstance(value, bytes | bytearray | memoryview):
        return np.frombuffer(value, np.uint8)
    return np.asarray(value, dtype)
