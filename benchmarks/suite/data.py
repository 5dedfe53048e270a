"""Datasets as the suite sees them: loaded once per (spec, rows, sample) and shared.

Generating or reading a dataset is not part of any timed operation; caching here keeps
case collection and the cases themselves from paying for it twice in one process.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from benchmarks.datasets import Dataset, load_dataset, load_user_file
from benchmarks.datasets.sampling import apply_sample, compression_ratio_delta, parse_sample
from benchmarks.suite.config import RunConfig

_cache: dict[tuple, Dataset] = {}


def load(cfg: RunConfig, spec: str, rows: int | None) -> Dataset:
    """The dataset for a case, sampled as the config says; memoised per process."""
    key = (spec, rows, cfg.sample, cfg.seed, cfg.data_dir)
    if key not in _cache:
        _cache[key] = _load(cfg, spec, rows)
        pa.default_memory_pool().release_unused()  # loading's scratch memory back to the OS
    return _cache[key]


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
