"""What the array formats (HDF5, Zarr, NumPy) share: columns as named arrays + the schema.

Each adapter supplies a writer (``_put`` parts into an open file) and a reader (``_open``
returns an ``ArrayFile``); this base turns them into the adapter contract. Projection,
take (fancy indexing on increasing positions, re-ordered after) and batch streaming
(row slices) are native: an array file reads only the rows and columns asked for.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa

from formats.base import (
    FormatAdapter,
    FormatReadError,
    Option,
    exists,
    remove_path,
    removing_on_error,
)
from formats.tensor_columns import check_schema, read_column, safe_names, sorted_unique, to_parts

PathLike = str | os.PathLike


class ArrayFile:
    """An open array file: its schema, row count, and a reader of one stored part."""

    def __init__(self, schema: pa.Schema, rows: int, fetch: Callable[[str, str, Any], Any]) -> None:
        self.schema, self.rows, self._fetch = schema, rows, fetch
        self.layouts = check_schema(schema, "")
        self.names = safe_names(schema)
        #: name -> (rows -> (values, offsets)) for variable-length arrays a format stores itself
        self.ragged: dict[str, Callable[[Any], tuple[np.ndarray, np.ndarray]]] = {}

    def column(self, i: int, rows: Any) -> pa.Array:
        """Column ``i`` at ``rows`` (a slice, or sorted unique positions)."""
        name = self.names[i]
        fetch = lambda part, sel: self._fetch(name, part, sel)  # noqa: E731
        return read_column(
            self.schema.field(i), self.layouts[i], fetch, rows, self.ragged.get(name)
        )

    def table(self, columns: Sequence[str] | None, rows: Any) -> pa.Table:
        """The columns asked for (all: None), at ``rows``, as an Arrow table."""
        wanted = list(self.schema.names) if columns is None else list(columns)
        missing = [c for c in wanted if c not in self.schema.names]
        if missing:
            raise KeyError(f"no column {missing[0]!r}; the file has {self.schema.names}")
        idx = [self.schema.get_field_index(c) for c in wanted]
        arrays = [self.column(i, rows) for i in idx]
        schema = pa.schema([self.schema.field(i) for i in idx], self.schema.metadata)
        return pa.Table.from_arrays(arrays, schema=schema)


class ArrayStoreAdapter(FormatAdapter):
    """Columns as arrays: one per fixed-width column, values + offsets (or vlen) per ragged one."""

    orientation = "column"
    encoding = "binary"
    native = frozenset({"read_columns", "take", "iter_batches"})
    arrow_handover = "copy"
    readers: ClassVar[frozenset[str]] = frozenset()
    unsafe: ClassVar[str] = ""
    data_suffixes: ClassVar[tuple[str, ...]] = ()
    #: The training loader shuffles globally by fancy indexing (see benchmarks/suite/epoch).
    epoch_global: ClassVar[str] = "take"
    option_specs: ClassVar[dict[str, Option]] = {
        "chunk_rows": Option(1024, int, minimum=1, help="rows per chunk (random reads decode one)")
    }
    #: What the library raises for a file that is not of the format.
    read_errors: ClassVar[tuple[type[BaseException], ...]] = (OSError, ValueError)

    # -- what each format supplies -----------------------------------------------------
    def _create(self, path: PathLike, codec: str, schema: pa.Schema, rows: int) -> Any:
        """A context manager yielding ``put(name, part, array, layout)``."""
        raise NotImplementedError

    def _open(self, path: PathLike) -> contextlib.AbstractContextManager[ArrayFile]:
        """A context manager yielding the open ArrayFile."""
        raise NotImplementedError

    def check_schema(self, schema: pa.Schema) -> list[str]:
        """The layout of every column; UnsupportedType naming the first the format cannot hold."""
        return check_schema(schema, self.format)

    # -- the contract ----------------------------------------------------------------
    def write(self, table: pa.Table, path: PathLike, codec: str | None = None) -> None:
        """Every column as its arrays, the schema beside them."""
        codec = self.resolve_codec(codec)
        layouts = self.check_schema(table.schema)
        parts = [
            to_parts(table.column(i), layout, table.schema.field(i), self.format)
            for i, layout in enumerate(layouts)
        ]  # every refusal before a file exists
        remove_path(path)
        with (
            removing_on_error(path),
            self._create(path, codec, table.schema, table.num_rows) as put,
        ):
            for name, layout, column_parts in zip(
                safe_names(table.schema), layouts, parts, strict=True
            ):
                for part, array in column_parts.items():
                    put(name, part, array, layout)

    @contextlib.contextmanager
    def _reading(self, path: PathLike) -> Iterator[ArrayFile]:
        """The open file; a foreign or corrupt one is a FormatReadError naming it."""
        if not exists(path):
            raise FileNotFoundError(path)
        try:
            with self._open(path) as f:
                yield f
        except (KeyError, IndexError, FileNotFoundError):
            raise
        except self.read_errors as exc:
            raise FormatReadError(path, self.format, exc) from exc

    def read(self, path: PathLike) -> pa.Table:
        """Every column, every row."""
        with self._reading(path) as f:
            return f.table(None, slice(None))

    def read_columns(self, path: PathLike, columns: Sequence[str]) -> pa.Table:
        """Only the arrays of ``columns`` are read."""
        with self._reading(path) as f:
            return f.table(columns, slice(None))

    def take(self, path: PathLike, indices: Sequence[int] | np.ndarray) -> pa.Table:
        """Fancy indexing on increasing positions, then the requested order (and repeats)."""
        with self._reading(path) as f:
            unique, inverse = sorted_unique(indices, f.rows)
            table = f.table(None, unique)
        return table.take(pa.array(inverse))

    def iter_batches(self, path: PathLike, batch_size: int) -> Iterator[pa.RecordBatch]:
        """Row slices of ``batch_size``: only those rows are read each time."""
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        with self._reading(path) as f:
            for start in range(0, f.rows, batch_size):
                yield from f.table(None, slice(start, start + batch_size)).to_batches()

    # -- the training loader's units: chunk-sized row ranges --------------------------
    def shard_rows(self, path: PathLike) -> list[int]:
        """Rows per unit a streaming loader reads at once: one chunk of rows each."""
        with self._reading(path) as f:
            rows = f.rows
        step = self.options.get("chunk_rows", 1024)
        return [min(step, rows - s) for s in range(0, rows, step)]

    def read_shard(self, path: PathLike, shard: int) -> pa.Table:
        """The rows of unit ``shard`` (a slice: one contiguous read per array)."""
        step = self.options.get("chunk_rows", 1024)
        with self._reading(path) as f:
            return f.table(None, slice(shard * step, (shard + 1) * step))
