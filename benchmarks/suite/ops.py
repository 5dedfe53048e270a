"""The timed operations: for each case, the one callable pytest-benchmark times and its setup.

Everything that is not the operation (choosing indices, evicting the file from the page
cache, deleting the previous write's output) lives in ``setup``, which pytest-benchmark
runs before every round outside the timer.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.types as pat

from benchmarks.datasets import Dataset
from benchmarks.suite.cases import Case
from benchmarks.suite.measure import evict_from_page_cache
from formats.base import Filter as Predicate
from formats.base import FormatAdapter, path_bytes, remove_path

Setup = Callable[[], tuple[tuple, dict]]


@dataclass
class CaseEnv:
    """What an operation needs: the case, its adapter and data, and where files go."""

    case: Case
    adapter: FormatAdapter
    dataset: Dataset
    workdir: Path
    cache: str
    seed: int
    prepared: Callable[[], Path]  # the dataset written with the case's codec (untimed)


@dataclass
class Operation:
    """A timed callable, its per-round setup, and extra_info known before/after timing."""

    fn: Callable[..., Any]
    setup: Setup
    info: dict[str, Any] = field(default_factory=dict)
    after: Callable[[], dict[str, Any]] = dict
    native: bool = True  # write and read are always the format's own; access ops say
    cleanup: Callable[[], None] = lambda: None  # runs even when the case fails
    #: For read cases: the call's args -> what a lossless round trip returns (the source,
    #: with the case's selection applied); the suite compares it with the result, untimed.
    expected: Callable[[tuple], Any] | None = None
    #: Applied to the result before that comparison (untimed): e.g. a canonical row order
    #: for engines that do not keep the source's (hive partitions regroup rows).
    normalise: Callable[[Any], Any] | None = None


def _reader_setup(env: CaseEnv, *args: Any) -> Setup:
    """Setup for read-like ops: evict the file first when the run measures a cold cache."""
    path = env.prepared()

    def setup() -> tuple[tuple, dict]:
        if env.cache == "cold" and isinstance(path, Path):  # object storage: no page cache
            evict_from_page_cache(path)
        return (path, *args), {}

    return setup


def keep_files() -> bool:
    """``fmtbench run --keep-files``: every benchmark file stays, each under its own name."""
    return os.environ.get("FMTBENCH_KEEP_FILES") == "1"


def case_dir(workdir: Path, case: Case) -> Path:
    """Where a case's files go: one folder per dataset and size when files are kept."""
    if not keep_files():
        return workdir
    rows = "default" if case.rows is None else case.rows
    folder = workdir / re.sub(r"[^A-Za-z0-9._=-]+", "-", f"{case.dataset}@{rows}").strip("-")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


reader_setup = _reader_setup  # shared with stream_ops


def op_write(env: CaseEnv) -> Operation:
    """Arrow table to a file; every round starts with no file."""
    a, codec = env.adapter, env.case.codec
    path = case_dir(env.workdir, env.case) / ("write-" + a.file_name(env.dataset.name, codec))

    def setup() -> tuple[tuple, dict]:
        remove_path(path)
        return (env.dataset.table, path, codec), {}

    def after() -> dict[str, Any]:
        return {"file_bytes": path_bytes(path)}

    # the reads use their own prepared copy: free the disk now, and after a failure too
    info = {"data_bytes": env.dataset.table.nbytes}
    cleanup = (lambda: None) if keep_files() else (lambda: remove_path(path))
    return Operation(a.write, setup, info, after, cleanup=cleanup)


def op_read(env: CaseEnv) -> Operation:
    """The whole file back to an Arrow table."""
    table = env.dataset.table
    info = {"data_bytes": table.nbytes}
    return Operation(env.adapter.read, _reader_setup(env), info, expected=lambda args: table)


def op_read_column(env: CaseEnv) -> Operation:
    """One column back; native when the format can skip the others."""
    column = env.case.param["column"]
    data = env.dataset.table.column(column).nbytes
    info = {"columns": column, "data_bytes": data}
    native = env.adapter.is_native("read_columns")
    table = env.dataset.table
    return Operation(
        env.adapter.read_columns,
        _reader_setup(env, [column]),
        info,
        native=native,
        expected=lambda args: table.select(args[1]),
    )


def take_indices(rng: np.random.Generator, n: int, k: int, pattern: str) -> np.ndarray:
    """k row positions: uniform (distinct, random order) or clustered (k consecutive rows)."""
    if pattern == "clustered":
        start = int(rng.integers(0, n - k + 1))
        return np.arange(start, start + k, dtype=np.int64)
    return rng.choice(n, size=k, replace=False).astype(np.int64)


def op_take(env: CaseEnv) -> Operation:
    """k rows at seeded random positions; a fresh set of positions every round."""
    k, pattern = env.case.param["k"], env.case.param["pattern"]
    n = env.dataset.table.num_rows
    if k > n:
        raise ValueError(f"take k={k} is more than the dataset's {n} rows; pass a smaller --k")
    rng = np.random.default_rng(env.seed)
    base = _reader_setup(env)

    def setup() -> tuple[tuple, dict]:
        (path,), _ = base()
        return (path, take_indices(rng, n, k, pattern)), {}

    data = env.dataset.table.nbytes * k // max(n, 1)
    table = env.dataset.table
    return Operation(
        env.adapter.take,
        setup,
        {"data_bytes": data},
        native=env.adapter.is_native("take"),
        expected=lambda args: table.take(pa.array(args[1])),
    )


def scan_predicate(table: pa.Table, role: str, selectivity: float | None) -> Predicate:
    """The predicate for a scan case: a quantile cut on a sorted/unsorted column, or a stratum."""
    column = scan_column(table, role)
    values = table.column(column).drop_null()
    if role == "stratum":
        counts = pa.Table.from_struct_array(pc.value_counts(values))  # StructArray: no sort_by
        top = counts.sort_by([("counts", "descending")])["values"][0]
        return Predicate(column, "==", top.as_py())
    ordered = np.sort(values.to_numpy())
    cut = ordered[max(0, math.ceil(selectivity * len(ordered)) - 1)]
    return Predicate(column, "<=", cut.item())


def scan_column(table: pa.Table, role: str) -> str:
    """Column used for a scan role; ValueError (the case is skipped) when there is none."""
    for f in table.schema:
        col = table.column(f.name)
        if role == "stratum" and _is_category(f.type) and pc.count_distinct(col).as_py() <= 1000:
            return f.name
        if role in ("sorted", "unsorted") and _is_number(f.type) and col.null_count == 0:
            ordered = _is_sorted(col)
            if ordered == (role == "sorted"):
                return f.name
    raise ValueError(f"the dataset has no {role} column for a scan")


def _is_number(t: pa.DataType) -> bool:
    return pat.is_integer(t) or pat.is_floating(t)


def _is_category(t: pa.DataType) -> bool:
    return pat.is_string(t) or pat.is_large_string(t)


def _is_sorted(col: pa.ChunkedArray) -> bool:
    values = col.to_numpy()
    return bool(np.all(values[1:] >= values[:-1]))


def scan_info(
    table: pa.Table, predicate: Predicate, param: dict[str, Any]
) -> tuple[pa.Table, dict[str, Any]]:
    """The rows a scan must return and the extra_info that describes its predicate."""
    selected = table.filter(predicate.to_arrow())
    info = {
        "filter_column": predicate.column,
        "predicate": predicate.to_sql(),
        "sorted": param["filter"] == "sorted",
        "rows_selected": selected.num_rows,
        "data_bytes": selected.nbytes,
    }
    if "selectivity" not in param:
        info["selectivity"] = selected.num_rows / max(table.num_rows, 1)
    return selected, info


def op_scan(env: CaseEnv) -> Operation:
    """Rows matching one predicate, with the format's pushdown where it has one."""
    p = env.case.param
    predicate = scan_predicate(env.dataset.table, p["filter"], p.get("selectivity"))
    _, info = scan_info(env.dataset.table, predicate, p)
    native = env.adapter.is_native("scan")
    source = env.dataset.table

    def expected(args: tuple) -> list[pa.RecordBatch]:
        # filtered a batch at a time: no copy of the whole source, only of the selection
        return [b.filter(predicate.to_arrow()) for b in source.to_batches(65_536)]

    return Operation(
        env.adapter.scan, _reader_setup(env, predicate), info, native=native, expected=expected
    )


def op_stream(env: CaseEnv) -> Operation:
    """Iterate the file in record batches; also records the time to the first batch."""
    import time

    batch_size = env.case.param["batch_size"]
    first_batch: list[float] = []

    def consume(path: Path, size: int) -> int:
        start = time.perf_counter()
        rows = 0
        for i, batch in enumerate(env.adapter.iter_batches(path, size)):
            if i == 0:
                first_batch.append(time.perf_counter() - start)
            rows += batch.num_rows
        return rows

    def after() -> dict[str, Any]:
        return {"first_batch_s": float(np.median(first_batch))} if first_batch else {}

    info = {"data_bytes": env.dataset.table.nbytes}
    native = env.adapter.is_native("iter_batches")
    return Operation(consume, _reader_setup(env, batch_size), info, after, native)


def op_iterate(env: CaseEnv) -> Operation:
    """The book's row- vs column-wise access, from the file or from a loaded DataFrame.

    ``rows``/``columns`` read the file and visit every record (the format's own row
    access where it has one) or every column as an array. ``dataframe-rows`` /
    ``dataframe-columns`` load the file into pandas in the untimed setup and time only
    the iteration: the pandas example of *Designing Machine Learning Systems*, ch. 3.
    """
    access = env.case.param["access"]
    adapter = env.adapter
    info = {"data_bytes": env.dataset.table.nbytes}
    if access.startswith("dataframe-"):
        base = _reader_setup(env)

        def load() -> tuple[tuple, dict]:
            (path,), _ = base()
            return (adapter.read(path).to_pandas(),), {}

        visit = _visit_frame_rows if access == "dataframe-rows" else _visit_frame_columns
        return Operation(visit, load, info, native=False)
    if access == "rows":
        return Operation(
            _count_rows(adapter), _reader_setup(env), info, native=adapter.is_native("iter_rows")
        )
    return Operation(_visit_file_columns(adapter), _reader_setup(env), info)


def _visit_frame_rows(frame: Any) -> int:
    return sum(1 for _ in frame.itertuples(index=False, name=None))


def _visit_frame_columns(frame: Any) -> int:
    return sum(len(frame[c].to_numpy()) for c in frame.columns)


def _count_rows(adapter: FormatAdapter) -> Callable[[Path], int]:
    return lambda path: sum(1 for _ in adapter.iter_rows(path))


def _visit_file_columns(adapter: FormatAdapter) -> Callable[[Path], int]:
    def visit(path: Path) -> int:
        table = adapter.read(path)
        return sum(len(c.to_numpy()) for c in table.columns)

    return visit
