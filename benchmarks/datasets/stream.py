"""Datasets as streams of record batches with a known schema: bounded memory at any size.

A ``StreamSource`` never holds the dataset: ``batches()`` starts a fresh pass each call.
Synthetic families are generated a chunk at a time (a dataset that fits in one chunk is
exactly the table ``load_dataset`` builds, sliced); TPC-H lineitem is read back from
tpchgen-cli's cached Parquet row group by row group; a user file is read in batches by
the adapter for its suffix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from benchmarks.datasets import parse_dataset_spec, real, sizing, synthetic, user
from benchmarks.errors import UsageError

#: Rows per batch a source yields (pyarrow's and Lance's usual batch size).
BATCH_ROWS = 65_536
#: Arrow bytes generated at once by a synthetic stream: bounded, and one chunk holds every
#: default-sized dataset, so those streams equal today's tables exactly.
CHUNK_BYTES = 64 * 2**20

Batches = Callable[[], Iterator[pa.RecordBatch]]


@dataclass
class StreamSource:
    """A dataset as batches: name, schema, how to start a pass, and its (estimated) size."""

    name: str
    source: str  # "synthetic" | "real" | "user"
    schema: pa.Schema
    make: Batches = field(repr=False)
    num_rows: int | None = None  # None: unknown until a pass has been made (text files)
    nbytes: int = 0  # Arrow bytes: estimated until staged, then exact
    params: dict = field(default_factory=dict)
    column_bytes: dict[str, int] = field(default_factory=dict)

    def batches(self) -> Iterator[pa.RecordBatch]:
        """A fresh pass over the data, one batch in memory at a time."""
        return self.make()


def _rebatch(table: pa.Table, batch_rows: int) -> Iterator[pa.RecordBatch]:
    yield from table.to_batches(max_chunksize=batch_rows)


def synthetic_chunks(
    name: str, rows: int, seed: int, arg: int | None, chunk_rows: int
) -> Iterator[pa.Table]:
    """The family in chunks of ``chunk_rows``; one chunk is exactly ``generate``'s table.

    Later chunks draw from their own seeded generator ([seed, rows, i]); an ``id`` column
    continues across chunks so ids stay unique, as in one table.
    """
    if rows <= chunk_rows:
        yield synthetic.generate(name, rows, seed, arg)
        return
    family = synthetic.FAMILIES[name]
    extra = () if family.arg_name is None else (arg if arg is not None else family.arg_default,)
    for i, start in enumerate(range(0, rows, chunk_rows)):
        n = min(chunk_rows, rows - start)
        table = family.build(np.random.default_rng([seed, rows, i]), n, *extra)
        if "id" in table.column_names:
            ids = pa.array(np.arange(start, start + n, dtype=np.int64))
            table = table.set_column(table.schema.get_field_index("id"), "id", ids)
        yield table


def open_synthetic(
    name: str, arg: str | None, rows: int | None, seed: int, batch_rows: int = BATCH_ROWS
) -> StreamSource:
    """A synthetic family as a stream, generated CHUNK_BYTES at a time."""
    family = synthetic.FAMILIES[name]
    n = rows if rows is not None else family.default_rows
    value = None
    params: dict = {"rows": n, "seed": seed}
    if family.parse_arg is not None:
        value = family.parse_arg(arg) if arg is not None else family.arg_default
        params[family.arg_name] = value
    size = sizing.estimate_synthetic(name, value, n, seed)
    chunk_rows = max(1, int(CHUNK_BYTES * n / max(size.nbytes, 1)))
    schema = synthetic.generate(name, 2, seed, value).schema

    def make() -> Iterator[pa.RecordBatch]:
        for chunk in synthetic_chunks(name, n, seed, value, chunk_rows):
            yield from _rebatch(chunk, batch_rows)

    return StreamSource(name, "synthetic", schema, make, n, size.nbytes, params)


def open_tpch(
    arg: str | None, rows: int | None, data_dir: Path, batch_rows: int = BATCH_ROWS
) -> StreamSource:
    """lineitem read back from tpchgen-cli's cached Parquet one row group at a time."""
    import pyarrow.parquet as pq

    scale_factor = real.parse_scale_factor(arg)
    path = real.lineitem_path(scale_factor, data_dir)  # generated once, on first use
    source_rows = pq.ParquetFile(path).metadata.num_rows
    if rows is not None and rows > source_rows:
        raise UsageError(
            f"dataset 'tpch-lineitem' has {source_rows:,} rows, fewer than the {rows:,} asked "
            "for; ask for fewer rows (or a larger scale factor)"
        )
    n = rows if rows is not None else source_rows
    schema = real.plain_schema(pq.read_schema(path))

    def make() -> Iterator[pa.RecordBatch]:
        left = n
        # pre_buffer would cache the whole file's bytes (2.5 GB at SF 10) before the first batch
        with pq.ParquetFile(path, pre_buffer=False) as file:
            for batch in file.iter_batches(batch_size=batch_rows):
                batch = batch.slice(0, left).cast(schema)
                left -= batch.num_rows
                yield batch
                if left <= 0:
                    return

    params = {"scale_factor": scale_factor, "rows": n, "source_rows": source_rows}
    if n < source_rows:
        params["sample"] = f"head:{n}"  # a stream cannot draw a random sample in one pass
    nbytes = int(n * sizing.lineitem_bytes_per_row(data_dir))
    return StreamSource("tpch-lineitem", "real", schema, make, n, nbytes, params)


def open_user_file(path: str | Path, batch_rows: int = BATCH_ROWS) -> StreamSource:
    """The user's file in batches, through the first adapter able to read its suffix."""
    path = Path(path)
    user.check_file(path)
    kind = user.file_kind(path)
    adapter = user.readers(kind, path)[0]
    try:
        first = next(iter(adapter.iter_batches(path, 1)))
    except StopIteration:
        raise UsageError(f"{path} has no rows; pass a file with at least one row") from None
    except Exception as exc:  # a parser's error on a user's file: a usage problem
        raise UsageError(
            f"{path} could not be read as {kind.label}: {user.first_line(exc)}; check that "
            f"the file really is {kind.label}"
        ) from None
    user.check_columns(pa.Table.from_batches([first]), str(path))
    size = sizing.estimate_file(path)

    def make() -> Iterator[pa.RecordBatch]:
        yield from adapter.iter_batches(path, batch_rows)

    rows = size.rows if size is not None and size.rows else None
    params = {"path": str(path), "format": kind.label, "adapter": adapter.name}
    return StreamSource(
        path.stem, "user", first.schema, make, rows, size.nbytes if size else 0, params
    )


def open_stream(
    spec: str, rows: int | None = None, *, seed: int = 0, data_dir: Path | None = None
) -> StreamSource:
    """A dataset spec (or ``file:PATH``) as a stream of record batches."""
    if spec.startswith("file:"):
        return open_user_file(spec.removeprefix("file:"))
    name, arg = parse_dataset_spec(spec)
    if name in synthetic.FAMILIES:
        return open_synthetic(name, arg, rows, seed)
    if name == "tpch-lineitem":
        return open_tpch(arg, rows, Path(data_dir or real.default_data_dir()))
    # flights: a fixed 336,776 rows, small enough to load and hand out in batches
    table, params = real.REAL[name].load(arg, Path(data_dir or real.default_data_dir()))
    if rows is not None:
        table = table.slice(0, rows)
        params["sample"] = f"head:{table.num_rows}"
    return StreamSource(
        name, "real", table.schema, lambda: _rebatch(table, BATCH_ROWS), table.num_rows,
        table.nbytes, params | {"rows": table.num_rows},
    )  # fmt: skip
