"""WebDataset: samples as groups of files in tar shards, through the ``webdataset`` library.

One sample is one key (its storage row number, zero-padded) with one tar member per
column: integers as ``.cls`` text, floats as ``.txt`` (Python's repr, exact), strings as
``.txt`` UTF-8, binary as ``.bin``, fixed-size and ragged lists as ``.npy`` (what
``np.save`` writes; no pickle). A null is an absent member, as a WebDataset reader sees a
missing field; a sample whose every field is null keeps an empty ``.null`` member so it is
not lost. The library's TarWriter writes the shards and its ``WebDataset`` pipeline reads
them (pure Python, sequential): shard order and a shuffle buffer are the only shuffle.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.types as pat

from formats.base import RemoteFile, open_binary
from formats.registry import register
from formats.sharded import ShardedAdapter, parts_from_rows, row_values
from formats.tensor_columns import from_parts, storage_type, to_parts

#: The member a sample with no non-null field keeps, so its key still exists.
EMPTY_MEMBER = "null"


def field_names(schema: pa.Schema) -> list[str]:
    """Member suffixes per column: ``<name>.<kind>``, the name lower case and tar-safe."""
    plain = [n if re.fullmatch(r"[a-z0-9_]+", n) else f"col{i}" for i, n in enumerate(schema.names)]
    if len(set(plain)) < len(plain) or EMPTY_MEMBER in plain:
        plain = [f"col{i}" for i in range(len(plain))]
    return [f"{n}.{_kind(f.type)}" for n, f in zip(plain, schema, strict=True)]


def _kind(t: pa.DataType) -> str:
    if pat.is_string(t) or pat.is_large_string(t) or pat.is_floating(t):
        return "txt"
    if pat.is_binary(t) or pat.is_large_binary(t):
        return "bin"
    if pat.is_list(t) or pat.is_large_list(t) or pat.is_fixed_size_list(t):
        return "npy"
    return "cls"


def _encode(value: Any, layout: str, t: pa.DataType) -> bytes:
    """One field's bytes: decimal text, UTF-8/raw bytes, or an .npy file."""
    if layout == "bytes":
        return value
    if layout == "scalar":
        return repr(float(value)).encode() if pat.is_floating(t) else str(int(value)).encode()
    buf = io.BytesIO()
    np.save(buf, np.asarray(value), allow_pickle=False)
    return buf.getvalue()


def _decode(data: bytes, layout: str, dtype: np.dtype) -> Any:
    if layout == "bytes":
        return bytes(data)
    if layout == "scalar":
        text = data.decode()
        return float(text) if dtype.kind == "f" else int(text)
    return np.load(io.BytesIO(data), allow_pickle=False)


def _dtype(t: pa.DataType, layout: str) -> np.dtype:
    if layout == "bytes":
        return np.dtype(np.uint8)
    base = storage_type(t) if layout == "scalar" else t.value_type
    return np.dtype(base.to_pandas_dtype())


@register
class WebDatasetAdapter(ShardedAdapter):
    """Tar shards of samples via webdataset: TarWriter out, the WebDataset pipeline in."""

    name = "webdataset"
    format = "WebDataset"
    engine = "webdataset"
    codecs = ("none", "gzip")
    extension = "wds"
    requires = ("webdataset",)
    extra = "webdataset"
    libraries = ("webdataset",)
    shard_suffix = {"none": ".tar", "gzip": ".tar.gz"}

    def _write_shard(
        self, file: Path, table: pa.Table, start: int, layouts: list[str], codec: str
    ) -> None:
        import webdataset as wds

        names = field_names(table.schema)
        columns = []
        for i, layout in enumerate(layouts):
            parts = to_parts(table.column(i), layout, table.schema.field(i), self.format)
            columns.append(row_values(parts, layout, table.num_rows))
        types = table.schema.types
        with (
            open_binary(file, "wb") as out,
            wds.TarWriter(out, encoder=False, compress=codec == "gzip", mtime=0.0) as sink,
        ):
            for r in range(table.num_rows):
                sample: dict[str, Any] = {"__key__": f"{start + r:010d}"}
                for name, layout, t, values in zip(names, layouts, types, columns, strict=True):
                    if values[r] is not None:
                        sample[name] = _encode(values[r], layout, t)
                if len(sample) == 1:
                    sample[EMPTY_MEMBER] = b""
                sink.write(sample)

    def _read_shard_file(self, file: Path, schema: pa.Schema, codec: str) -> pa.Table:
        samples = list(iter_samples([file]))
        return samples_to_table(samples, schema, self.format)


#: s3:// URLs the pipeline may open -> their RemoteFile (the endpoint lives there).
_REMOTE: dict[str, Any] = {}


def _open_remote(url: str, mode: str = "rb", bufsize: int = 8192, **kw: Any) -> Any:
    """webdataset's opener for s3:// URLs: the shard as an fsspec (s3fs) file object."""
    if mode != "rb" or url not in _REMOTE:
        raise ValueError(f"{url}: fmtbench opens only the shards it registered, for reading")
    return _REMOTE[url].open_input()


def _urls(files: list[Any]) -> list[str]:
    """The shards as URLs: local paths, or s3:// URLs through an fsspec opener registered in
    the ``webdataset.gopen`` module's ``gopen_schemes`` (the library has no s3 scheme)."""
    import importlib

    remote = [f for f in files if isinstance(f, RemoteFile)]
    if remote:
        gopen_module = importlib.import_module("webdataset.gopen")  # wds.gopen: the function
        gopen_module.gopen_schemes["s3"] = _open_remote
        _REMOTE.update({f.uri: f for f in remote})
    return [f.uri if isinstance(f, RemoteFile) else str(f) for f in files]


def iter_samples(files: list[Any]) -> Any:
    """The library's own pipeline over ``files`` in the given order (no shuffle, no split)."""
    import webdataset as wds

    urls = _urls(files)
    return iter(
        wds.WebDataset(
            urls, shardshuffle=False, nodesplitter=None, workersplitter=None, empty_check=False
        )
    )


def samples_to_table(
    samples: list[dict[str, Any]], schema: pa.Schema, format_name: str
) -> pa.Table:
    """Decoded samples (raw bytes per member) as an Arrow table of ``schema``."""
    from formats.tensor_columns import check_schema

    layouts = check_schema(schema, format_name)
    arrays = []
    for name, layout, field in zip(field_names(schema), layouts, schema, strict=True):
        dtype = _dtype(field.type, layout)
        values = [s.get(name) for s in samples]
        decoded = [None if v is None else _decode(v, layout, dtype) for v in values]
        width = field.type.list_size if layout == "tensor" else 0
        arrays.append(
            from_parts(field.type, layout, parts_from_rows(decoded, layout, dtype, width))
        )
    return pa.Table.from_arrays(arrays, schema=schema)


def sample_positions(samples: list[dict[str, Any]]) -> np.ndarray:
    """Storage row of each sample, from its key."""
    return np.fromiter((int(s["__key__"]) for s in samples), np.int64, count=len(samples))
