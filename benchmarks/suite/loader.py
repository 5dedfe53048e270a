"""A training data loader without torch: shuffled mini-batches through a format's own reader.

Three ways to shuffle, as ML pipelines do:

- ``global`` on a format with random access (Lance, Feather, HDF5, Zarr, NumPy): a uniform
  permutation of all rows, each batch taken (fancy indexing) from the file opened once
  per epoch (``formats.epoch_readers``); on Parquet (``epoch_global = "shards"``): row
  groups in random order, rows permuted within each group, as Parquet loaders do;
  formats that only stream have no global shuffle.
- ``buffer:N``: units (shards, row groups, chunks) in random order, streamed through a
  shuffle buffer of N rows (WebDataset's algorithm: fill, then emit a random element and
  put the next one in its place).
- ``none``: units in storage order.

``workers`` > 0 starts that many processes (forkserver: no inherited library threads) that
each read their share (every W-th batch, or every W-th unit with its own buffer, as a
PyTorch DataLoader's workers do) and hand finished batches to the consumer through
queues of two, which it takes round-robin. Every batch carries the storage positions of
its rows, so the order *delivered* is what the shuffle quality is measured on.
"""

from __future__ import annotations

import io
import multiprocessing as mp
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from formats.base import FormatAdapter
from formats.epoch_readers import EpochReader, open_reader

#: Batches a worker may have ready before it waits (PyTorch's prefetch_factor).
PREFETCH = 2
#: File signatures of the image encodings --decode turns into pixels.
IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


@dataclass(frozen=True)
class Plan:
    """What one worker reads: batches of positions (``take``), or units to stream."""

    batches: list[np.ndarray] = field(default_factory=list)  # take: rows of each batch
    units: list[int] = field(default_factory=list)  # stream: unit ids in reading order
    mode: str = "take"  # take | buffer | permute | none
    buffer: int = 0
    batch_size: int = 0
    seed: tuple[int, ...] = (0,)


# -- units -----------------------------------------------------------------------------
def unit_rows(adapter: FormatAdapter, path: Any) -> list[int]:
    """Rows of each unit the format reads at once (shards, row groups, chunks); a format
    without units is one unit, read whole."""
    rows = getattr(adapter, "shard_rows", None)
    if rows is not None:
        return list(rows(path))
    return [adapter.read(path).num_rows]


def read_unit(reader: EpochReader, unit: int) -> pa.Table:
    """One unit as a single-chunk table (take on chunked fixed-size lists is slow)."""
    return reader.read_shard(unit).combine_chunks()


def global_mode(adapter: FormatAdapter) -> str:
    """How ``--shuffle global`` reads this format: "take", "shards" or "" (cannot)."""
    declared = getattr(adapter, "epoch_global", None)
    if declared is not None:
        return declared
    return "take" if adapter.is_native("take") else "shards"


# -- plans -----------------------------------------------------------------------------
def make_plans(
    shuffle: str, buffer: int, mode: str, sizes: list[int], batch_size: int, workers: int, seed: int
) -> list[Plan]:
    """One plan per worker (one in all when ``workers`` is 0)."""
    rng = np.random.default_rng([seed, 1])
    n_plans = max(workers, 1)
    rows = int(sum(sizes))
    if shuffle == "global" and mode == "take":
        order = rng.permutation(rows)
        batches = [order[i : i + batch_size] for i in range(0, rows, batch_size)]
        return [Plan(batches=batches[w::n_plans], batch_size=batch_size) for w in range(n_plans)]
    units = list(range(len(sizes))) if shuffle == "none" else list(rng.permutation(len(sizes)))
    how = {"global": "permute", "none": "none"}.get(shuffle, "buffer")
    return [
        Plan(
            units=units[w::n_plans], mode=how, buffer=buffer, batch_size=batch_size, seed=(seed, w)
        )
        for w in range(n_plans)
    ]


def replay_plans(batches: list[np.ndarray], workers: int) -> list[Plan]:
    """Plans that read exactly ``batches`` (another loader's delivered order) by take."""
    n = max(workers, 1)
    return [Plan(batches=batches[w::n], batch_size=len(batches[0])) for w in range(n)]


def buffer_order(n: int, buffer: int, rng: np.random.Generator) -> np.ndarray:
    """Stream indices in the order a shuffle buffer of ``buffer`` emits them."""
    out = np.empty(n, dtype=np.int64)
    held = list(range(min(buffer, n)))
    following = len(held)
    draws = rng.random(n)
    for j in range(n):
        k = int(draws[j] * len(held))
        out[j] = held[k]
        if following < n:
            held[k] = following
            following += 1
        else:
            held[k] = held[-1]
            held.pop()
    return out


def stream_order(plan: Plan, starts: np.ndarray, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(storage positions in stream order, the delivery order as stream indices)."""
    pieces = [np.arange(starts[u], starts[u] + sizes[u]) for u in plan.units]
    stream = np.concatenate(pieces) if pieces else np.zeros(0, np.int64)
    rng = np.random.default_rng(list(plan.seed))
    if plan.mode == "buffer":
        return stream, buffer_order(len(stream), plan.buffer, rng)
    if plan.mode == "permute":
        bounds = np.cumsum([0, *[sizes[u] for u in plan.units]])
        perms = [
            lo + rng.permutation(hi - lo) for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        return stream, np.concatenate(perms) if perms else np.zeros(0, np.int64)
    return stream, np.arange(len(stream))


# -- producing batches ---------------------------------------------------------------------
def produce(
    adapter: FormatAdapter, path: Any, plan: Plan, sizes: list[int], decode: bool
) -> Iterator[tuple[np.ndarray, pa.Table]]:
    """(storage positions, batch) for every batch of ``plan``, in order.

    The file is opened once here, per epoch and per worker (``formats.epoch_readers``),
    as a training loop opens its dataset, not once per batch; the open is timed with it.
    """
    with open_reader(adapter, path) as reader:
        if plan.mode == "take":
            for rows in plan.batches:
                yield rows, transform(reader.take(rows), decode)
            return
        yield from _stream(reader, plan, sizes, decode)


def _stream(
    reader: EpochReader, plan: Plan, sizes: list[int], decode: bool
) -> Iterator[tuple[np.ndarray, pa.Table]]:
    """Units read in stream order as the buffer needs them; each freed once delivered."""
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    stream, order = stream_order(plan, starts, sizes)
    unit_of = np.repeat(np.arange(len(plan.units)), [sizes[u] for u in plan.units])
    first = np.concatenate([[0], np.cumsum([sizes[u] for u in plan.units])])
    left = {k: sizes[u] for k, u in enumerate(plan.units)}
    loaded: dict[int, pa.Table] = {}
    following = 0  # the next unit of the stream to read
    for b in range(0, len(order), plan.batch_size):
        picked = order[b : b + plan.batch_size]
        units = unit_of[picked]
        lo, hi = int(units.min()), int(units.max())
        while following <= hi:
            loaded[following] = read_unit(reader, plan.units[following])
            following += 1
        local = picked - first[units]
        if lo == hi:  # the common case: the whole batch from one unit
            batch, used = loaded[lo].take(pa.array(local)), {lo: len(picked)}
        else:
            batch = _gather(loaded, units, local)
            keys, counts = np.unique(units, return_counts=True)
            used = dict(zip(keys.tolist(), counts.tolist(), strict=True))
        yield stream[picked], transform(batch, decode)
        for k, count in used.items():
            left[k] -= count
            if not left[k]:
                del loaded[k]


def _gather(loaded: dict[int, pa.Table], units: np.ndarray, local: np.ndarray) -> pa.Table:
    """Rows (unit, local row) from the loaded units, in the order given."""
    parts, placed = [], []
    for k in np.unique(units):
        mine = np.flatnonzero(units == k)
        parts.append(loaded[int(k)].take(pa.array(local[mine])))
        placed.append(mine)
    if len(parts) == 1:
        return parts[0]
    where = np.argsort(np.concatenate(placed))
    return pa.concat_tables(parts).take(pa.array(where))


def transform(batch: pa.Table, decode: bool) -> pa.Table:
    """The worker's transform: with ``decode``, encoded images become RGB pixel lists."""
    if not decode:
        return batch
    for i, f in enumerate(batch.schema):
        column = batch.column(i)
        if (pat.is_binary(f.type) or pat.is_large_binary(f.type)) and _is_image(column):
            batch = batch.set_column(i, f.name, _decoded(column))
    return batch


def _is_image(column: pa.ChunkedArray) -> bool:
    first = next((v for v in column.to_pylist()[:4] if v), None)
    return first is not None and first.startswith(IMAGE_MAGIC)


def _decoded(column: pa.ChunkedArray) -> pa.Array:
    """Each image decoded with Pillow to its RGB bytes (a list<uint8> row per image)."""
    from PIL import Image

    pixels = [
        None if b is None else np.asarray(Image.open(io.BytesIO(b)).convert("RGB")).reshape(-1)
        for b in column.to_pylist()
    ]
    return pa.array(pixels, pa.list_(pa.uint8()))


def touch(batch: pa.Table) -> int:
    """What a training step does first: read every value once (sums and lengths)."""
    total = 0
    for column in batch.columns:
        t = column.type
        while pat.is_list(t) or pat.is_large_list(t) or pat.is_fixed_size_list(t):
            column, t = pc.list_flatten(column), t.value_type
        if pat.is_binary(t) or pat.is_string(t) or pat.is_large_binary(t) or pat.is_large_string(t):
            column = pc.binary_length(column)
        if pat.is_integer(column.type) or pat.is_floating(column.type):
            pc.sum(column)  # every value read once, as a loss function would
        total += len(column)
    return total


# -- running an epoch -------------------------------------------------------------------
@dataclass
class EpochRun:
    """What one pass delivered: positions per batch and the times batches arrived."""

    positions: list[np.ndarray] = field(default_factory=list)
    arrivals: list[float] = field(default_factory=list)  # seconds since the epoch started
    rows: int = 0
    worker_peak_rss: int = 0

    @property
    def order(self) -> np.ndarray:
        return np.concatenate(self.positions) if self.positions else np.zeros(0, np.int64)


def run_epoch(
    adapter: FormatAdapter,
    path: Any,
    plans: list[Plan],
    sizes: list[int],
    workers: int,
    decode: bool,
) -> EpochRun:
    """One pass: batches produced in this process, or by ``workers`` processes."""
    run = EpochRun()
    start = time.perf_counter()
    batches = (
        _in_process(adapter, path, plans[0], sizes, decode)
        if workers == 0
        else _pooled(adapter, path, plans, sizes, decode, run)
    )
    for rows, batch in batches:
        touch(batch)
        run.positions.append(rows)
        run.rows += batch.num_rows
        run.arrivals.append(time.perf_counter() - start)
    return run


def _in_process(
    adapter: FormatAdapter, path: Any, plan: Plan, sizes: list[int], decode: bool
) -> Iterator[tuple[np.ndarray, pa.Table]]:
    yield from produce(adapter, path, plan, sizes, decode)


def _worker(
    adapter: FormatAdapter, path: Any, plan: Plan, sizes: list[int], decode: bool, queue: Any
) -> None:
    """A loader worker: every batch of its plan onto its queue, then its peak RSS."""
    import resource

    try:
        for item in produce(adapter, path, plan, sizes, decode):
            queue.put(("batch", item))
        queue.put(("done", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))
    except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
        queue.put(("error", f"{type(exc).__name__}: {exc}"))


def _next(queue: Any, proc: Any, w: int) -> tuple[str, Any]:
    """The worker's next message; a worker that died without one is an error, not a hang."""
    import queue as queues

    while True:
        try:
            return queue.get(timeout=1.0)
        except queues.Empty:
            if not proc.is_alive():
                raise RuntimeError(
                    f"loader worker {w} exited ({proc.exitcode}) mid-epoch"
                ) from None


def _pooled(
    adapter: FormatAdapter,
    path: Any,
    plans: list[Plan],
    sizes: list[int],
    decode: bool,
    run: EpochRun,
) -> Iterator[tuple[np.ndarray, pa.Table]]:
    """Batches from worker processes, taken round-robin as a DataLoader does."""
    ctx = mp.get_context("forkserver")
    # the server imports the adapters once; each worker is a fork of it, not a cold start
    ctx.set_forkserver_preload(["formats", "benchmarks.suite.loader"])
    queues = [ctx.Queue(maxsize=PREFETCH) for _ in plans]
    procs = [
        ctx.Process(target=_worker, args=(adapter, path, p, sizes, decode, q), daemon=True)
        for p, q in zip(plans, queues, strict=True)
    ]
    for p in procs:
        p.start()
    try:
        live = list(range(len(plans)))
        while live:
            for w in list(live):
                kind, payload = _next(queues[w], procs[w], w)
                if kind == "batch":
                    yield payload
                    continue
                live.remove(w)
                if kind == "error":
                    raise RuntimeError(f"loader worker {w} failed: {payload}")
                run.worker_peak_rss = max(run.worker_peak_rss, int(payload))
    finally:
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
