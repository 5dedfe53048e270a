"""The tidy table says its units and keeps integers; pytest-benchmark's own tools work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers import cli_env, fmtbench

pytestmark = pytest.mark.slow  # real runs end to end (scripts/test --quick skips them)


def test_tidy_csv_units_integers_and_dataset_spec_and_no_stray_benchmarks_dir(tmp_path):
    out = tmp_path / "r.json"
    args = ("run", "--datasets", "mixed", "--rows", "300", "--rounds", "1", "--quiet",
            "--no-charts", "--formats", "feather,test-failing", "--ops", "write")  # fmt: skip
    proc = fmtbench(*args, "--out", str(out), cwd=tmp_path, env=cli_env("tests.fault_adapters"))
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / ".benchmarks").exists()
    csv = tmp_path / "t.csv"
    assert fmtbench("results", str(out), "--csv", str(csv)).returncode == 0
    frame = pd.read_csv(csv)
    assert {"median_s", "iqr_s", "min_s", "median", "iqr"} <= set(frame.columns)
    assert (frame["dataset_spec"] == "mixed").all()
    text = csv.read_text().splitlines()
    header = text[0].split(",")
    ok = next(line for line in text[1:] if "feather" in line).split(",")
    assert "." not in ok[header.index("file_bytes")]  # 12345, not 12345.0, beside a failure

    from benchmarks.run.results import load_table

    table = load_table(out)
    assert str(table["file_bytes"].dtype) == "Int64" and table["file_bytes"].isna().sum() == 1


def test_tpch_dataset_spec_keeps_the_scale_factor():
    from benchmarks.run.results import tidy

    entry = {"extra_info": {"case_id": "tpch-lineitem:0.01@300/feather/lz4/write"}, "stats": None}
    assert tidy({"benchmarks": [entry]})["dataset_spec"][0] == "tpch-lineitem:0.01"


def test_pytest_benchmark_compare_histogram_works(tmp_path):
    out = tmp_path / "r.json"
    args = ("run", "--datasets", "mixed", "--rows", "300", "--rounds", "2", "--quiet",
            "--no-charts", "--formats", "feather", "--ops", "write")  # fmt: skip
    assert fmtbench(*args, "--out", str(out)).returncode == 0
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "pytest-benchmark"), "compare", str(out),
         f"--histogram={tmp_path / 'hist'}"],
        capture_output=True, text=True, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert list(tmp_path.glob("hist*.svg"))
