"""NumPy: one ``.npy`` file per stored array in a directory, read memory-mapped.

What an ML pipeline keeps when it wants ``np.load(..., mmap_mode="r")``: fixed-size lists
as 2-D arrays, ragged lists and strings/binary as values + offsets files (an object array
cannot be memory-mapped and loads through pickle, so none is written), nulls as a
``.valid.npy`` mask. Reads copy what they select out of the map: a memory-mapped slice is
free until touched, so a benchmark that did not copy would time nothing.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from formats.array_store import ArrayFile, ArrayStoreAdapter, PathLike
from formats.registry import register
from formats.tensor_columns import deserialize_schema, serialize_schema

SCHEMA_FILE = "_schema.arrow"
META_FILE = "_meta.json"


@register
class NumpyAdapter(ArrayStoreAdapter):
    """A directory of .npy arrays, memory-mapped on read; take is fancy indexing."""

    name = "numpy"
    format = "NumPy"
    engine = "numpy"
    codecs = ("none",)  # .npy has no compression: the point is mapping it
    extension = "npy.d"
    writes_directory = True
    in_default_run = False
    libraries = ("numpy",)
    readers: frozenset[str] = frozenset()  # pandas and polars have no .npy reader
    data_suffixes = ()
    option_specs = {}  # a .npy is one contiguous block: no chunks to size
    remote_refusal = (
        "a .npy is read memory-mapped from local disk (np.load mmap_mode); from object "
        "storage NumPy loads a whole array per file, so no random access to measure"
    )

    @contextlib.contextmanager
    def _create(self, path: PathLike, codec: str, schema: pa.Schema, rows: int) -> Iterator[Any]:
        folder = Path(path)
        folder.mkdir(parents=True)
        (folder / SCHEMA_FILE).write_bytes(serialize_schema(schema))

        def put(name: str, part: str, array: np.ndarray, layout: str) -> None:
            np.save(folder / f"{name}.{part}.npy", array, allow_pickle=False)

        yield put
        (folder / META_FILE).write_text(json.dumps({"rows": rows}))

    @contextlib.contextmanager
    def _open(self, path: PathLike) -> Iterator[ArrayFile]:
        folder = Path(path)
        try:
            schema = deserialize_schema((folder / SCHEMA_FILE).read_bytes())
            rows = int(json.loads((folder / META_FILE).read_text())["rows"])
        except FileNotFoundError as exc:
            raise ValueError(f"no {exc.filename and Path(exc.filename).name}") from None
        except (pa.ArrowException, json.JSONDecodeError, KeyError) as exc:
            raise ValueError(str(exc)) from None
        maps: dict[str, np.ndarray | None] = {}

        def fetch(name: str, part: str, sel: Any) -> np.ndarray | None:
            key = f"{name}.{part}"
            if key not in maps:
                file = folder / f"{key}.npy"
                maps[key] = (
                    np.load(file, mmap_mode="r", allow_pickle=False) if file.exists() else None
                )
            mapped = maps[key]
            return None if mapped is None else np.array(mapped[sel])  # copied out of the map

        yield ArrayFile(schema, rows, fetch)
