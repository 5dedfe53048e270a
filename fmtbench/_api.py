"""The implementation behind ``import fmtbench``; the package exposes only ``__all__``."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.errors import UsageError
from benchmarks.run.results import load_table
from benchmarks.run.runner import RunOptions
from benchmarks.run.runner import run as _run
from benchmarks.suite.config import RunConfig


def run(
    out: str | Path | None = None,
    progress: bool = False,
    table: Any = None,
    name: str = "mydata",
    **config: Any,
) -> pd.DataFrame:
    """Run the suite with ``RunConfig`` keyword arguments; one DataFrame row per case.

    ``table`` (a pyarrow Table or pandas DataFrame) benchmarks your in-memory data under
    ``name``. The results file is written as by the CLI (``out`` or
    results/NNNN_<datasets>.json); its path is in ``df.attrs["path"]``. ``rounds="auto"``
    (the default) times each case until its median is known to ±2% or ``case_budget``
    seconds are spent; ``rounds=5`` fixes the count.
    """
    known = RunConfig.__dataclass_fields__
    unknown = sorted(set(config) - set(known))
    if unknown:
        raise UsageError(f"unknown run option(s): {', '.join(unknown)}; see fmtbench.RunConfig")
    cfg = RunConfig(**config)
    with tempfile.TemporaryDirectory(prefix="fmtbench-table-") as tmp:
        if table is not None:
            cfg.data = [*cfg.data, str(_stage_table(table, name, Path(tmp)))]
            cfg.datasets = config.get("datasets", [])
        outcome = _run(cfg, RunOptions(out=Path(out) if out else None, progress=progress))
    frame = load_table(outcome.path)
    frame.attrs["path"] = str(outcome.path)
    return frame


def _stage_table(table: Any, name: str, directory: Path) -> Path:
    """Validate an in-memory table and save it as Arrow IPC for the benchmark worker."""
    import pyarrow as pa
    import pyarrow.feather as feather

    from benchmarks.datasets.user import check_columns

    if isinstance(table, pd.DataFrame):
        bad = [c for c in table.columns if not isinstance(c, str)]
        if bad:
            raise UsageError(
                f"column name {bad[0]!r} is not a string; rename first, e.g. "
                "df.columns = df.columns.astype(str)"
            )
        table = pa.Table.from_pandas(table, preserve_index=False)
    if not isinstance(table, pa.Table):
        raise UsageError(
            f"table must be a pyarrow Table or pandas DataFrame, not {type(table).__name__}"
        )
    if table.num_rows == 0 or table.num_columns == 0:
        raise UsageError("the table is empty; pass one with at least one row and one column")
    check_columns(table, f"table '{name}'")
    path = directory / f"{name}.arrow"
    feather.write_feather(table, path, compression="uncompressed")
    return path


def sample(table: Any, spec: str, seed: int = 0) -> Any:
    """Sample an Arrow table as ``--sample`` does, e.g. ``sample(t, "stratified:level:0.1")``."""
    from benchmarks.datasets.sampling import apply_sample, parse_sample

    return apply_sample(table, parse_sample(spec), seed=seed)
