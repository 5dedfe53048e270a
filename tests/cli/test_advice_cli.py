"""The answer at the end of a real run, and report's --allow-lossy, on a time-zoned file."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.helpers import assert_one_line_error, fmtbench, fmtbench_main

TZ_CHANGE = "ts: timestamp[ns, tz=Asia/Kolkata] -> timestamp[ns, tz=UTC]"


@pytest.mark.slow
def test_a_run_ends_with_the_answer_and_report_admits_lossy_on_request(tmp_path):
    data = tmp_path / "events.parquet"
    n = 200
    ts = pa.array(np.arange(n) * 10**9, pa.timestamp("ns", "Asia/Kolkata"))
    pq.write_table(pa.table({"id": np.arange(n), "ts": ts}), data)
    out = tmp_path / "r.json"
    proc = fmtbench(
        "run", "--data", str(data), "--formats", "csv-pyarrow,pickle,parquet-pyarrow",
        "--ops", "write,read", "--rounds", "1", "--no-charts", "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    answer = proc.stdout.split("Recommendation for events (200 rows)")[1]
    assert "interchange (ranked on universality, read): Parquet via pyarrow (snappy)" in answer
    assert "serving (single-row latency by position or id (take) was not measured" in answer
    assert f"excluded csv-pyarrow: changes this data: {TZ_CHANGE}" in answer
    assert "excluded pickle: Python-only" in answer
    assert "logging (needs the append operation: run with --ops append)" in answer

    report = tmp_path / "rep"
    proc = fmtbench(
        "report", str(out), "--out", str(report), "--allow-lossy", "--profile", "storage"
    )
    assert proc.returncode == 0, proc.stderr
    md = (report / "report.md").read_text()
    section = md.split("## Recommendations")[1].split("## Results per operation")[0]
    assert section.index("[storage]") < section.index("[logging]")  # --profile first
    assert "| CSV via pyarrow (none) |" in section
    assert f"- csv-pyarrow: {TZ_CHANGE}" in section  # admitted, with the change named
    assert "- pickle: Python-only" in section
    assert f"| csv-pyarrow | changed | {TZ_CHANGE} | - |" in section


def test_an_unknown_profile_is_a_usage_error(tmp_path):
    proc = fmtbench_main("report", str(tmp_path / "r.json"), "--profile", "logs")
    assert "unknown profile 'logs'" in assert_one_line_error(proc, 2)
