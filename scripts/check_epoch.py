"""Independent check of the ``epoch`` case: fmtbench's loader vs a hand-written loop.

For Parquet, Lance and WebDataset, one process writes the ``embeddings`` dataset once per
format, then times, in pairs whose order is shuffled each round, (a) fmtbench's epoch
(``benchmarks.suite.loader``, in-process) and (b) a loop written with the library alone on
the same file and the same order (the same batches for Parquet and Lance; for WebDataset
the same shard order through the library's own shuffle buffer of the same size, whose
random order cannot be dictated). It prints samples/s of each and their ratio; the issue
asks for a ratio within 1.15x. Timings on a loaded machine mean little: run it on a quiet one.

    python scripts/check_epoch.py --rows 20000 --rounds 5
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import formats  # noqa: E402
from benchmarks.datasets import load_dataset  # noqa: E402
from benchmarks.suite import loader  # noqa: E402
from benchmarks.suite.epoch import _plan_positions  # noqa: E402


def touch_vectors(vectors: np.ndarray) -> None:
    """The same work as the loader's touch on the embedding column: one sum."""
    float(np.sum(vectors))


def parquet_by_hand(path: Path, plan: loader.Plan, sizes: list[int], batch: int) -> int:
    """Row groups in the plan's order, each permuted as the plan does, cut into batches."""
    file = pq.ParquetFile(path)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    positions = np.concatenate(_plan_positions(plan, sizes))
    rows, done = 0, 0
    for unit in plan.units:
        group = file.read_row_group(unit).combine_chunks()
        local = positions[done : done + sizes[unit]] - starts[unit]
        done += sizes[unit]
        for b in range(0, len(local), batch):
            part = group.take(pa.array(local[b : b + batch]))
            pc.sum(pc.list_flatten(part.column("embedding")))
            rows += part.num_rows
    return rows


def lance_by_hand(path: Path, plan: loader.Plan, sizes: list[int], batch: int) -> int:
    """One open dataset, ds.take per batch of the plan's permutation."""
    import lance

    ds = lance.dataset(str(path))
    rows = 0
    for positions in plan.batches:
        part = ds.take(positions)
        pc.sum(pc.list_flatten(part.column("embedding")))
        rows += part.num_rows
    return rows


def webdataset_by_hand(path: Path, plan: loader.Plan, sizes: list[int], batch: int) -> int:
    """The library's pipeline: the plan's shard order, its shuffle buffer, its .npy decoder."""
    import webdataset as wds

    adapter = formats.get("webdataset")
    shards = adapter.shard_files(path)
    urls = [str(shards[u]) for u in plan.units]
    pipeline = wds.WebDataset(
        urls, shardshuffle=False, nodesplitter=None, workersplitter=None, empty_check=False
    )
    pipeline = pipeline.shuffle(plan.buffer, initial=plan.buffer, seed=0).decode()
    rows, held = 0, []
    for sample in pipeline:
        held.append(sample["embedding.npy"])
        if len(held) == batch:
            touch_vectors(np.stack(held))
            rows, held = rows + batch, []
    if held:
        touch_vectors(np.stack(held))
        rows += len(held)
    return rows


CHECKS: dict[str, tuple[str, Callable[..., int]]] = {
    "parquet-pyarrow": ("global", parquet_by_hand),
    "lance": ("global", lance_by_hand),
    "webdataset": ("buffer", webdataset_by_hand),
}


def timed(fn: Callable[[], int]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def check(name: str, table: pa.Table, folder: Path, args: argparse.Namespace) -> None:
    """Write, plan once, then time both loops in shuffled pairs; print the ratio."""
    shuffle, by_hand = CHECKS[name]
    options = {"row_group_size": max(1, table.num_rows // 8)} if name == "parquet-pyarrow" else {}
    adapter = formats.get(name, options)
    path = folder / adapter.file_name("embeddings")
    adapter.write(table, path)
    sizes = loader.unit_rows(adapter, path)
    mode = loader.global_mode(adapter) if shuffle == "global" else "stream"
    plans = loader.make_plans(shuffle, args.buffer, mode, sizes, args.batch_size, 0, seed=0)

    def ours() -> int:
        return loader.run_epoch(adapter, path, plans, sizes, 0, decode=False).rows

    def theirs() -> int:
        return by_hand(path, plans[0], sizes, args.batch_size)

    assert ours() == theirs() == table.num_rows  # warm-up, and both read every row
    times: dict[str, list[float]] = {"fmtbench": [], "library": []}
    for _ in range(args.rounds):
        pair = [("fmtbench", ours), ("library", theirs)]
        random.shuffle(pair)
        for label, fn in pair:
            times[label].append(timed(fn))
    a, b = (float(np.median(times[k])) for k in ("fmtbench", "library"))
    n = table.num_rows
    print(f"{name:16} {shuffle:7} fmtbench {n / a:10,.0f} samples/s   library alone "
          f"{n / b:10,.0f} samples/s   ratio {a / b:5.2f}x")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--buffer", type=int, default=1_000)
    parser.add_argument("--formats", default=",".join(CHECKS))
    args = parser.parse_args()
    table = load_dataset(f"embeddings:{args.dim}", args.rows).table
    with tempfile.TemporaryDirectory(prefix="fmtbench-check-epoch-") as tmp:
        for name in args.formats.split(","):
            check(name, table, Path(tmp), args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
