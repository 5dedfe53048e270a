"""fmtbench from Python: run a benchmark in a notebook and get a tidy pandas DataFrame.

    import fmtbench
    df = fmtbench.run(datasets=["mixed"], formats=["parquet-pyarrow", "csv-pyarrow"], rows=[10_000])
    df.groupby(["operation", "adapter"])["median"].min()

The same knobs as ``fmtbench run`` (see ``benchmarks.config.RunConfig``); errors are
raised as ``benchmarks.errors.UsageError`` / ``RunError`` with a one-line message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.config import RunConfig
from benchmarks.errors import FmtbenchError, RunError, UsageError
from benchmarks.results import load_table
from benchmarks.runner import RunOptions
from benchmarks.runner import run as _run

__all__ = ["RunConfig", "FmtbenchError", "RunError", "UsageError", "load_table", "run", "sample"]


def run(out: str | Path | None = None, progress: bool = False, **config: Any) -> pd.DataFrame:
    """Run the suite with ``RunConfig`` keyword arguments; one DataFrame row per case.

    The results file is written as by the CLI (``out`` or results/NNNN_<datasets>.json);
    its path is in ``df.attrs["path"]``.
    """
    known = RunConfig.__dataclass_fields__
    unknown = sorted(set(config) - set(known))
    if unknown:
        raise UsageError(f"unknown run option(s): {', '.join(unknown)}; see fmtbench.RunConfig")
    outcome = _run(RunConfig(**config), RunOptions(out=Path(out) if out else None, progress=progress))
    frame = load_table(outcome.path)
    frame.attrs["path"] = str(outcome.path)
    return frame


def sample(table: Any, spec: str, seed: int = 0) -> Any:
    """Sample an Arrow table as ``--sample`` does, e.g. ``sample(t, "stratified:level:0.1")``."""
    from benchmarks.sampling import apply_sample, parse_sample

    return apply_sample(table, parse_sample(spec), seed=seed)
