"""compare on hand-made results files: matching, ratios, threshold, noise, exit codes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from benchmarks.analysis.compare import compare
from benchmarks.errors import UsageError
from benchmarks.suite.machine import SCHEMA_VERSION
from tests.helpers import assert_one_line_error, fmtbench, fmtbench_main


def entry(adapter: str, op: str, median: float | None, iqr: float = 0.0, **params) -> dict:
    """One pytest-benchmark entry as fmtbench writes it (no stats when it failed)."""
    info = {"dataset": "mixed", "rows": 1000, "adapter": adapter, "format": "F", "codec": "c",
            "operation": op, "cache": "warm", **params}  # fmt: skip
    info["case_id"] = f"mixed@1000/{adapter}/c/{op}{params or ''}"
    if median is None:
        return {"name": info["case_id"], "extra_info": {**info, "error": "boom"}, "stats": None}
    stats = {"median": median, "iqr": iqr, "min": median, "max": median, "mean": median,
             "stddev": 0.0, "rounds": 3}  # fmt: skip
    return {"name": info["case_id"], "extra_info": info, "stats": stats}


def results_file(path: Path, entries: list[dict], pyarrow: str = "17.0") -> Path:
    """A results file in the shape fmtbench run writes."""
    data = {
        "machine_info": {"cores": 2, "libraries": {"pyarrow": pyarrow}},
        "benchmarks": entries,
        "datetime": "2024-01-01T00:00:00",
        "version": "5.0",
        "fmtbench": {"schema_version": SCHEMA_VERSION, "failed": [], "skipped": []},
    }
    path.write_text(json.dumps(data))
    return path


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return results_file(
        tmp_path / "base.json",
        [
            entry("parquet", "write", 1.0),
            entry("parquet", "read", 1.0),
            entry("parquet", "take", 1.0, k=1, pattern="uniform"),
            entry("parquet", "take", 4.0, k=100, pattern="uniform"),
            entry("csv", "read", 2.0),
            entry("feather", "read", 1.0),
        ],
    )


def new_file(tmp_path: Path, *entries: dict, pyarrow: str = "17.0") -> Path:
    return results_file(tmp_path / "new.json", list(entries), pyarrow)


def test_cases_match_by_what_they_measure_not_by_position(tmp_path, base):
    new = new_file(
        tmp_path,
        entry("parquet", "take", 8.0, k=100, pattern="uniform"),  # k=100 doubled
        entry("parquet", "take", 1.0, k=1, pattern="uniform"),
        entry("parquet", "read", 1.0),
    )
    c = compare(base, new)
    by_case = {x.case: x.ratio for x in c.changes}
    assert by_case == {
        "mixed@1000 parquet/c take k=100 pattern=uniform": 2.0,
        "mixed@1000 parquet/c take k=1 pattern=uniform": 1.0,
        "mixed@1000 parquet/c read": 1.0,
    }
    assert c.by_operation["take"] == pytest.approx(math.sqrt(2.0))
    assert c.regressed


def test_threshold_decides_what_counts(tmp_path, base):
    new = new_file(tmp_path, entry("parquet", "read", 1.08), entry("csv", "read", 2.4))
    c = compare(base, new, threshold=0.10)
    verdicts = {x.case.split()[1]: x.verdict for x in c.changes}
    assert verdicts == {"parquet/c": "same", "csv/c": "slower"}
    assert not compare(base, new, threshold=0.25).regressed


def test_a_change_within_the_runs_noise_is_not_significant(tmp_path, base):
    new = new_file(tmp_path, entry("parquet", "read", 1.3, iqr=0.5))
    (change,) = compare(base, new).changes
    assert change.ratio == pytest.approx(1.3) and change.noise == 0.5
    assert change.verdict == "same"


def test_a_speedup_is_not_a_regression(tmp_path, base):
    c = compare(base, new_file(tmp_path, entry("csv", "read", 1.0)))
    assert [x.verdict for x in c.changes] == ["faster"] and not c.regressed


def test_cases_in_one_file_only_are_listed(tmp_path, base):
    new = new_file(
        tmp_path, entry("parquet", "read", 1.0), entry("csv", "read", None), entry("orc", "read", 1)
    )
    c = compare(base, new)
    assert "mixed@1000 csv/c read (failed in new)" in c.only_base
    assert "mixed@1000 feather/c read" in c.only_base
    assert c.only_new == ["mixed@1000 orc/c read"]


def test_library_version_differences_are_noted(tmp_path, base):
    c = compare(base, new_file(tmp_path, entry("parquet", "read", 1.0), pyarrow="18.0"))
    assert c.notes == ["pyarrow: 17.0 -> 18.0"]


def test_nothing_in_common_is_a_usage_error(tmp_path, base):
    with pytest.raises(UsageError, match="have no cases in common"):
        compare(base, new_file(tmp_path, entry("lance", "read", 1.0)))


def test_cli_exits_1_on_a_regression_and_0_otherwise(tmp_path, base):
    slower = new_file(tmp_path, entry("parquet", "write", 1.5), entry("csv", "read", 2.0))
    proc = fmtbench("compare", str(base), str(slower))
    assert proc.returncode == 1, proc.stderr
    assert "slower" in proc.stdout and "parquet/c write" in proc.stdout
    assert fmtbench("compare", str(base), str(slower), "--threshold", "0.6").returncode == 0


def test_cli_nothing_in_common_is_one_line_exit_2(tmp_path, base):
    other = new_file(tmp_path, entry("lance", "read", 1.0))
    line = assert_one_line_error(fmtbench_main("compare", str(base), str(other)), 2)
    assert "have no cases in common" in line


@pytest.mark.parametrize("threshold", ["-0.1", "nan"])
def test_cli_bad_threshold_is_one_line_exit_2(base, threshold):
    line = assert_one_line_error(
        fmtbench_main("compare", str(base), str(base), "--threshold", threshold), 2
    )
    assert "--threshold" in line


def test_cli_bad_results_file_is_one_line_exit_2(tmp_path, base):
    missing = tmp_path / "missing.json"
    line = assert_one_line_error(fmtbench_main("compare", str(base), str(missing)), 2)
    assert str(missing) in line
