"""fmtbench from Python: run a benchmark in a notebook and get a tidy pandas DataFrame.

    import fmtbench
    df = fmtbench.run(datasets=["mixed"], formats=["parquet-pyarrow", "csv-pyarrow"], rows=[10_000])
    df.groupby(["operation", "adapter"])["median"].min()

The same knobs as ``fmtbench run`` (see ``benchmarks.suite.config.RunConfig``); errors are
raised as ``benchmarks.errors.UsageError`` / ``RunError`` with a one-line message.
"""

from benchmarks.errors import FmtbenchError, RunError, UsageError
from benchmarks.run.results import load_results, load_table
from benchmarks.suite.config import RunConfig
from fmtbench._api import run, sample

__all__ = [
    "FmtbenchError",
    "RunConfig",
    "RunError",
    "UsageError",
    "load_results",
    "load_table",
    "run",
    "sample",
]
