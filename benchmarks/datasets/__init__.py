"""Datasets the suite benchmarks: synthetic families, real tables, and the user's own file.

Everything ends as one ``pyarrow.Table`` inside a ``Dataset`` whose ``params`` record how
to rebuild it (rows, seed, scale factor, sample), so a result can name its exact input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path

import pyarrow as pa

from benchmarks.datasets import real, synthetic, user
from benchmarks.datasets.cache import cache_path, cached_table
from benchmarks.datasets.sampling import SampleSpec, apply_sample, check_seed
from benchmarks.errors import UsageError
from formats.registry import unknown_message

DEFAULT_DATASET = "mixed"
DEFAULT_ROWS = 200_000

__all__ = [
    "DEFAULT_DATASET",
    "DEFAULT_ROWS",
    "Dataset",
    "dataset_catalog",
    "dataset_names",
    "describe",
    "load_dataset",
    "load_user_file",
    "parse_dataset_spec",
]


@dataclass
class Dataset:
    """One benchmark input: a table plus where it came from and how to rebuild it."""

    name: str
    source: str  # "synthetic" | "real" | "user"
    table: pa.Table
    params: dict = field(default_factory=dict)

    # The attributes a StreamSource shares, so the suite reads either the same way.
    @property
    def schema(self) -> pa.Schema:
        """The table's schema."""
        return self.table.schema

    @property
    def num_rows(self) -> int:
        """Rows of the table."""
        return self.table.num_rows

    @property
    def nbytes(self) -> int:
        """Arrow bytes of the table."""
        return self.table.nbytes


def dataset_names() -> list[str]:
    """Built-in dataset names: synthetic families first, then real datasets."""
    return [*synthetic.FAMILIES, *real.REAL]


def _entry(name: str) -> synthetic.Family | real.RealSource:
    """The built-in behind ``name`` (callers have checked the name exists)."""
    return synthetic.FAMILIES.get(name) or real.REAL[name]


def dataset_catalog() -> list[dict]:
    """Name, source, default rows, argument and description of each built-in, without loading."""
    catalog = []
    for name in dataset_names():
        entry = _entry(name)
        synthetic_family = isinstance(entry, synthetic.Family)
        catalog.append(
            {
                "name": name,
                "source": "synthetic" if synthetic_family else "real",
                "default_rows": entry.default_rows if synthetic_family else None,  # None: all
                "argument": entry.arg_name,
                "description": entry.description,
            }
        )
    return catalog


def _unknown_dataset(name: str) -> UsageError:
    """Unknown name: suggest the nearest built-in, and --data when it looks like a path."""
    message = unknown_message("dataset", name, dataset_names())
    if "/" in name or "." in name:
        message += "; to benchmark your own file use --data PATH"
    return UsageError(message)


def parse_dataset_spec(spec: str) -> tuple[str, str | None]:
    """``"tpch-lineitem:0.1"`` -> ``("tpch-lineitem", "0.1")``; the argument is validated."""
    name, sep, arg = spec.strip().partition(":")
    if name not in dataset_names():
        raise _unknown_dataset(name)
    entry = _entry(name)
    if not sep:
        return name, None
    if entry.parse_arg is None:
        raise UsageError(f"dataset '{name}' takes no argument; use '{name}' alone")
    entry.parse_arg(arg)  # raises UsageError naming the dataset and an example
    return name, arg


def _check_rows(rows: int | None) -> None:
    """A row count, when given, must be a positive whole number."""
    if rows is not None and (isinstance(rows, bool) or not isinstance(rows, Integral) or rows < 1):
        raise UsageError(f"bad row count {rows!r}: use a whole number of at least 1")


def _load_synthetic(
    name: str, arg: str | None, rows: int | None, seed: int, data_dir: Path | None = None
) -> Dataset:
    """Generate a synthetic family at ``rows`` (its default when None); a family slow to
    make is read from the data cache after its first generation (datasets/cache.py)."""
    family = synthetic.FAMILIES[name]
    n = rows if rows is not None else family.default_rows
    params: dict = {"rows": n, "seed": seed}
    value = None
    if family.parse_arg is not None:
        value = family.parse_arg(arg) if arg is not None else family.arg_default
        params[family.arg_name] = value
    make = lambda: synthetic.generate(name, n, seed, value)  # noqa: E731
    if family.cache_key is None:
        return Dataset(name, "synthetic", make(), params)
    key = (name, n, seed, value, *family.cache_key())
    path = cache_path(Path(data_dir or real.default_data_dir()), name, key)
    return Dataset(name, "synthetic", cached_table(path, make), params)


def _load_real(name: str, arg: str | None, rows: int | None, seed: int, data_dir: Path) -> Dataset:
    """Load a real dataset; fewer ``rows`` than the source means a seeded random sample."""
    table, params = real.REAL[name].load(arg, data_dir)
    source_rows = table.num_rows
    if rows is not None and rows > source_rows:
        raise UsageError(
            f"dataset '{name}' has {source_rows:,} rows, fewer than the {rows:,} asked for; "
            "ask for fewer rows (or a larger scale factor for tpch-lineitem)"
        )
    if rows is not None and rows < source_rows:
        spec = SampleSpec("random", n=rows)
        table = apply_sample(table, spec, seed)
        params |= {"sample": str(spec), "seed": seed}
    params |= {"rows": table.num_rows, "source_rows": source_rows}
    return Dataset(name, "real", table, params)


def load_dataset(
    spec: str, rows: int | None = None, *, seed: int = 0, data_dir: Path | None = None
) -> Dataset:
    """A built-in dataset by spec (``mixed``, ``embeddings:768``, ``tpch-lineitem:1``)."""
    name, arg = parse_dataset_spec(spec)
    _check_rows(rows)
    check_seed(seed)
    if name in synthetic.FAMILIES:
        return _load_synthetic(name, arg, rows, seed, data_dir)
    return _load_real(name, arg, rows, seed, Path(data_dir or real.default_data_dir()))


def load_user_file(path: str | Path) -> Dataset:
    """The user's own file (``--data PATH``), read by the registry adapter for its suffix."""
    table, params = user.read_user_file(path)
    return Dataset(Path(path).stem, "user", table, params)


def describe(dataset: Dataset) -> dict:
    """A JSON-ready summary: name, source, rows, column names and types, Arrow bytes, params."""
    return {
        "name": dataset.name,
        "source": dataset.source,
        "rows": dataset.table.num_rows,
        "columns": [{"name": f.name, "type": str(f.type)} for f in dataset.table.schema],
        "arrow_bytes": dataset.table.nbytes,
        "params": dataset.params,
    }
