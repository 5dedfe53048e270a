"""Results files: numbered paths, atomic writes, validated loading and the tidy table.

A results file is pytest-benchmark's JSON plus a top-level ``fmtbench`` section
(schema version, config, skipped cases, ceilings). Loading refuses what it cannot trust:
not JSON, not pytest-benchmark's shape, an unknown schema version, no cases.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from benchmarks.errors import UsageError
from benchmarks.suite.machine import SCHEMA_VERSION

STAT_KEYS = ("median", "iqr", "min", "max", "mean", "stddev", "rounds")
TIME_KEYS = ("median", "iqr", "min", "max", "mean", "stddev")  # seconds


def next_results_path(directory: str | os.PathLike, label: str) -> Path:
    """``DIR/NNNN_label.json`` with NNNN one past the highest results file or journal."""
    directory = Path(directory)
    numbers = [
        int(m.group(1))
        for p in directory.glob("[0-9][0-9][0-9][0-9]_*")
        if (m := re.match(r"(\d{4})_.*\.json(l)?$", p.name))
    ]
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", label).strip("-")[:60] or "run"
    return directory / f"{max(numbers, default=0) + 1:04d}_{safe}.json"


def write_atomic(path: str | os.PathLike, data: dict[str, Any] | str) -> None:
    """Write JSON (or text) to a temp file beside ``path``, fsync, rename: never half a file."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # mkstemp's 0600 would hide results from others
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            if isinstance(data, str):
                fh.write(data)
            else:
                json.dump(data, fh, indent=1, default=str)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def load_results(path: str | os.PathLike) -> dict[str, Any]:
    """Parse and validate a results file; UsageError naming the file when it is not one."""
    p = Path(path)
    if not p.is_file():
        raise UsageError(f"{p}: no such results file; pass a .json written by fmtbench run")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise UsageError(
            f"{p}: not JSON ({exc.__class__.__name__}); pass a results .json"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot read {p}: {exc.strerror}; check its permissions") from None
    _validate(p, data)
    return data


def _validate(p: Path, data: Any) -> None:
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise UsageError(f"{p}: not a pytest-benchmark results file (no 'benchmarks' list)")
    meta = data.get("fmtbench")
    if not isinstance(meta, dict) or "schema_version" not in meta:
        raise UsageError(f"{p}: a pytest-benchmark file without fmtbench data; run fmtbench run")
    if meta["schema_version"] != SCHEMA_VERSION:
        raise UsageError(
            f"{p}: results schema version {meta['schema_version']} is not supported "
            f"(this fmtbench reads version {SCHEMA_VERSION}); re-run the benchmark"
        )
    if not data["benchmarks"]:
        raise UsageError(f"{p}: the results hold no cases")
    for i, bench in enumerate(data["benchmarks"]):
        problem = _entry_problem(bench)
        if problem:
            raise UsageError(
                f"{p}: case {i + 1} {problem}; re-run the benchmark or restore the file"
            )


def _entry_problem(bench: Any) -> str | None:
    """What makes one ``benchmarks`` entry unusable, or None."""
    if not isinstance(bench, dict):
        return f"is a {type(bench).__name__}, not an object"
    if not isinstance(bench.get("extra_info"), dict):
        return "has no extra_info object"
    stats = bench.get("stats")
    if stats is None:
        return None
    if not isinstance(stats, dict):
        return "has stats that are not an object"
    for key in STAT_KEYS:
        value = stats.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"has a {key} that is not a number ({value!r:.40})"
        try:
            finite = math.isfinite(float(value))
        except OverflowError:
            finite = False
        if not finite:
            return f"has a {key} out of range ({str(value)[:20]})"
    return None


def tidy(data: dict[str, Any], nullable_ints: bool = False) -> pd.DataFrame:
    """One row per case: every extra_info key plus median, iqr, min, rounds and MB/s, and
    the adapter's recorded facts (``readers``, ``unsafe``) when the file holds them.

    Times are also given as ``median_s``, ``iqr_s``... (seconds, said in the name; the
    unsuffixed columns stay for code that reads them); with ``nullable_ints`` (the table
    users get) whole-number columns stay integers when some case failed; ``dataset_spec``
    keeps the scale factor.
    """
    rows = []
    recorded = (data.get("fmtbench") or {}).get("adapters") or {}
    for bench in data["benchmarks"]:
        row = dict(bench.get("extra_info") or {})
        row |= _facts_cells(recorded.get(row.get("adapter")))
        stats = bench.get("stats") or {}
        for key in STAT_KEYS:
            row[key] = stats.get(key)
        for key in TIME_KEYS:
            row[f"{key}_s"] = stats.get(key)
        row.setdefault("error", None)
        if "dataset_spec" not in row and isinstance(row.get("case_id"), str):
            row["dataset_spec"] = re.sub(r"@[^@/]*/.*$", "", row["case_id"])  # older files
        rows.append(row)
    frame = pd.DataFrame(rows)
    if "data_bytes" in frame and "median" in frame:
        frame["mb_s"] = frame["data_bytes"] / frame["median"] / 1e6
    if {"arrow_bytes", "file_bytes"} <= set(frame.columns):
        frame["compression_ratio"] = frame["arrow_bytes"] / frame["file_bytes"]
    return _integers_stay_integers(frame, rows) if nullable_ints else frame


def _facts_cells(facts: Any) -> dict[str, str]:
    """An adapter's recorded facts as two cells: ``readers`` (comma separated) and
    ``unsafe``; none for results files that did not record them."""
    if not isinstance(facts, dict):
        return {}
    return {"readers": ",".join(facts.get("readers") or ()), "unsafe": facts.get("unsafe") or ""}


def _integers_stay_integers(frame: pd.DataFrame, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Columns whose every present value is an int become pandas' nullable Int64."""
    for col in frame.columns:
        values = [r[col] for r in rows if r.get(col) is not None]
        if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
            frame[col] = frame[col].astype("Int64")
    return frame


def write_csv(
    frame: pd.DataFrame, path: str | os.PathLike, source: str | os.PathLike, force: bool = False
) -> None:
    """The tidy table as CSV; never over the results file, nor over any file without force."""
    path = Path(path)
    if path.exists() and Path(source).exists() and path.samefile(source):
        raise UsageError(f"{path} is the results file itself; pass another --csv path")
    if path.is_dir():
        raise UsageError(f"{path} is a directory; pass a file name to --csv")
    if path.exists() and not force:
        raise UsageError(f"{path} exists; choose another --csv path, or pass --force")
    if not path.parent.is_dir():
        raise UsageError(f"{path.parent}: no such directory; create it or pick another --csv")
    try:
        write_atomic(path, frame.to_csv(index=False))
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}; pick a writable --csv") from None


def load_table(path: str | os.PathLike) -> pd.DataFrame:
    """``tidy(load_results(path))`` with integer columns kept integers: the notebook entry."""
    return tidy(load_results(path), nullable_ints=True)
