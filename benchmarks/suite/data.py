"""Datasets as the suite sees them: loaded once per (spec, rows, sample) and shared.

Generating or reading a dataset is not part of any timed operation; caching here keeps
case collection and the cases themselves from paying for it twice in one process.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from benchmarks.datasets import Dataset, load_dataset, load_user_file, real, sizing
from benchmarks.datasets.sampling import apply_sample, compression_ratio_delta, parse_sample
from benchmarks.datasets.stream import StreamSource, open_stream
from benchmarks.errors import UsageError
from benchmarks.suite.config import RunConfig

_cache: dict[tuple, Dataset] = {}
_streams: dict[tuple, StreamSource] = {}
_staged: dict[tuple, tuple[StreamSource, Path]] = {}
_stage_count = itertools.count()


def load(cfg: RunConfig, spec: str, rows: int | None) -> Dataset:
    """The dataset for a case, sampled as the config says; memoised per process."""
    key = (spec, rows, cfg.sample, cfg.seed, cfg.data_dir)
    if key not in _cache:
        _cache[key] = _load(cfg, spec, rows)
        pa.default_memory_pool().release_unused()  # loading's scratch memory back to the OS
    return _cache[key]


def check_fits(cfg: RunConfig, spec: str, rows: int | None) -> None:
    """Refuse, before anything is allocated, a whole table that would not fit in memory."""
    data_dir = Path(cfg.data_dir) if cfg.data_dir else real.default_data_dir()
    sizing.check_fits(spec, rows, cfg.seed, data_dir)


def source(cfg: RunConfig, spec: str, rows: int | None) -> StreamSource:
    """The dataset as a stream of batches (--stream); memoised per process."""
    key = (spec, rows, cfg.seed, cfg.data_dir)
    if key not in _streams:
        if cfg.sample:
            raise UsageError("--sample needs the whole table; drop it or drop --stream")
        data_dir = Path(cfg.data_dir) if cfg.data_dir else None
        _streams[key] = open_stream(spec, rows, seed=cfg.seed, data_dir=data_dir)
    return _streams[key]


def staged(cfg: RunConfig, spec: str, rows: int | None, workdir: Path) -> StreamSource:
    """The stream written once to an uncompressed Arrow IPC file, and read back from it.

    Generating or decoding the source is then outside every timed write, and costs the
    same for every format: reading an IPC file is a copy of its buffers, batch by batch.
    """
    key = (spec, rows, cfg.seed, cfg.data_dir)
    if key not in _staged:
        release_staged()  # one staged copy at a time: cases come grouped by dataset
        path = workdir / f"stream-source-{next(_stage_count)}.arrow"
        _staged[key] = (stage(source(cfg, spec, rows), path), path)
    return _staged[key][0]


def release_staged() -> None:
    """Delete this process's staged stream copy (the worker is done with its cases)."""
    for _, old_path in _staged.values():
        old_path.unlink(missing_ok=True)
    _staged.clear()


def stage(src: StreamSource, path: Path) -> StreamSource:
    """Write ``src`` to ``path`` as IPC; the result streams from it with exact sizes."""
    import pyarrow.ipc as ipc

    rows, nbytes = 0, 0
    column_bytes = dict.fromkeys(src.schema.names, 0)
    with ipc.new_file(str(path), src.schema) as writer:
        for batch in src.batches():
            writer.write_batch(batch)
            rows, nbytes = rows + batch.num_rows, nbytes + batch.nbytes
            for name, column in zip(batch.schema.names, batch.columns, strict=True):
                column_bytes[name] += column.nbytes

    def read_back() -> Iterator[pa.RecordBatch]:
        # a plain file, not a memory map: mapped pages would count as resident memory;
        # buffers realigned as the allocator aligns them (IPC: 8 bytes; Lance: 16 for decimals)
        options = ipc.IpcReadOptions(ensure_alignment=ipc.Alignment.At64Byte)
        with pa.OSFile(str(path)) as handle:
            reader = ipc.open_file(handle, options=options)
            for i in range(reader.num_record_batches):
                yield reader.get_batch(i)

    params = {**src.params, "rows": rows}
    return StreamSource(
        src.name, src.source, src.schema, read_back, rows, nbytes, params, column_bytes
    )


def _load(cfg: RunConfig, spec: str, rows: int | None) -> Dataset:
    data_dir = Path(cfg.data_dir) if cfg.data_dir else None
    if spec.startswith("file:"):
        dataset = load_user_file(spec.removeprefix("file:"))
        if rows is not None and rows < dataset.table.num_rows:
            # the same rule as the real datasets: a seeded random sample, recorded
            method = f"random:{rows}"
            dataset.table = apply_sample(dataset.table, parse_sample(method), seed=cfg.seed)
            dataset.params["sample"] = method
    else:
        dataset = load_dataset(spec, rows, seed=cfg.seed, data_dir=data_dir)
    if cfg.sample:
        full = dataset.table
        dataset.table = apply_sample(full, parse_sample(cfg.sample), seed=cfg.seed)
        dataset.params["sample"] = cfg.sample
        # users should see that a sample compresses differently from its source
        dataset.params["sample_compression"] = compression_ratio_delta(full, dataset.table)
    return dataset


def clear() -> None:
    """Forget cached datasets (tests, and long sweeps that move to a new size)."""
    _cache.clear()
    _streams.clear()
    _staged.clear()
